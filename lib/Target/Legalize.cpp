//===- Legalize.cpp - reshape the IR into what the kernels take ----------===//

#include "Legalize.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

RankedTensorType typeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

/// The kernel takes one matrix for the whole batch or one per batch entry.
void legalizeMatMul(MatMulOp op) {
  ArrayRef<int64_t> out = typeOf(op.getResult()).getShape();
  ArrayRef<int64_t> batch = out.drop_back(2);
  OpBuilder b(op);
  for (OpOperand &operand : op->getOpOperands()) {
    RankedTensorType type = typeOf(operand.get());
    int64_t n = numElements(type.getShape().drop_back(2));
    if (n == 1 || n == numElements(batch))
      continue;
    SmallVector<int64_t> shape(batch);
    llvm::append_range(shape, type.getShape().take_back(2));
    operand.set(b.create<BroadcastOp>(
        op.getLoc(), RankedTensorType::get(shape, type.getElementType()),
        operand.get()));
  }
}

/// The kernel reduces one run of adjacent dims.
void legalizeReduce(ReduceOp op) {
  ArrayRef<int64_t> dims = op.getDims();
  if (dims.empty() || dims.back() - dims.front() + 1 == int64_t(dims.size()))
    return;
  RankedTensorType type = typeOf(op.getInput());
  SmallVector<int64_t> perm, shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(dims, d))
      perm.push_back(d);
  perm.append(dims.begin(), dims.end());
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  OpBuilder b(op);
  Value moved = b.create<TransposeOp>(
      op.getLoc(), RankedTensorType::get(shape, type.getElementType()),
      op.getInput(), b.getDenseI64ArrayAttr(perm));
  int64_t kept = type.getRank() - dims.size();
  SmallVector<int64_t> reducedDims, reducedShape(shape.begin(),
                                                 shape.begin() + kept);
  for (int64_t d = kept; d < type.getRank(); ++d)
    reducedDims.push_back(d);
  Value reduced = b.create<ReduceOp>(
      op.getLoc(), RankedTensorType::get(reducedShape, type.getElementType()),
      op.getKind(), moved, reducedDims, /*keepdims=*/false);
  Value result = b.create<ReshapeOp>(op.getLoc(), op.getType(), reduced);
  op.replaceAllUsesWith(result);
  op.erase();
}

} // namespace

void mlir::pp::legalizeForKernels(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    if (auto m = dyn_cast<MatMulOp>(op))
      legalizeMatMul(m);
    else if (auto r = dyn_cast<ReduceOp>(op))
      legalizeReduce(r);
  }
}
