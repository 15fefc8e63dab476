//===- LegalizeForKernels.cpp - ops in the forms the kernels take --------===//
//
// Each rewrite replaces one op by ops that compute the same values in a
// form the emitter maps to one runtime kernel or collective. all_to_all
// goes first, since it becomes an all_gather that may itself need the
// leading-dim rewrite.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

namespace mlir::pp {
#define GEN_PASS_DEF_LEGALIZEFORKERNELSPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

RankedTensorType typeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

/// A vocab-parallel loss has no kernel: the mean over counted positions of
/// logsumexp - target logit, each reduced over the group (PPCrossEntropy.cpp
/// builds the pieces).
void expandVocabParallelLoss(CrossEntropyOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value logits = op.getLogits();
  int64_t last = int64_t(typeOf(logits).getRank()) - 1;
  auto [probs, logNormalizer] = op.buildSoftmax(b);
  Value onehot = op.buildOnehot(b);
  Value valid = op.buildValid(b);
  Value count = op.buildCount(b, valid);
  Value picked = buildReduce(
      b, loc, ReduceKind::sum,
      buildElementwise<MulOp>(b, loc, {logits, onehot}), {last}, true);
  Value target =
      AllReduceOp::create(b, loc, picked.getType(),
                          ReductionKindAttr::get(b.getContext(),
                                                 ReductionKind::sum),
                          picked, op.getMeshAttr(), op.getAxesAttr());
  Value nll = buildElementwise<MulOp>(
      b, loc, {buildElementwise<SubOp>(b, loc, {logNormalizer, target}), valid});
  Value total =
      buildReduce(b, loc, ReduceKind::sum, nll,
                  llvm::to_vector(llvm::seq<int64_t>(0, last + 1)), false);
  op.getResult().replaceAllUsesWith(
      buildElementwise<DivOp>(b, loc, {total, count}));
  op.erase();
  probs.getDefiningOp()->erase(); // the gradient's, not the loss's
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
    operand.set(BroadcastOp::create(b, 
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
  Value moved = TransposeOp::create(b, 
      op.getLoc(), RankedTensorType::get(shape, type.getElementType()),
      op.getInput(), b.getDenseI64ArrayAttr(perm));
  int64_t kept = type.getRank() - dims.size();
  SmallVector<int64_t> reducedDims, reducedShape(shape.begin(),
                                                 shape.begin() + kept);
  for (int64_t d = kept; d < type.getRank(); ++d)
    reducedDims.push_back(d);
  Value reduced = ReduceOp::create(b, 
      op.getLoc(), RankedTensorType::get(reducedShape, type.getElementType()),
      op.getKind(), moved, reducedDims, /*keepdims=*/false);
  Value result = ReshapeOp::create(b, op.getLoc(), op.getType(), reduced);
  op.replaceAllUsesWith(result);
  op.erase();
}

/// `perm` moving `dim` to the front, and its inverse.
std::pair<SmallVector<int64_t>, SmallVector<int64_t>> frontPerm(int64_t rank,
                                                                int64_t dim) {
  SmallVector<int64_t> perm{dim}, inverse(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (d != dim)
      perm.push_back(d);
  for (int64_t i = 0; i < rank; ++i)
    inverse[perm[i]] = i;
  return {perm, inverse};
}

Value transposed(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  RankedTensorType type = typeOf(v);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return TransposeOp::create(b, 
      loc, RankedTensorType::get(shape, type.getElementType()), v,
      b.getDenseI64ArrayAttr(perm));
}

/// The runtime gathers and scatters contiguous chunks: a collective on an
/// inner dim runs on a copy with that dim moved to the front.
template <typename OpT>
void legalizeCollectiveDim(OpT op, function_ref<Value(OpBuilder &, Value,
                                                      RankedTensorType)>
                                       rebuild) {
  int64_t dim = op.getDim();
  RankedTensorType in = typeOf(op.getInput());
  if (numElements(in.getShape().take_front(dim)) == 1)
    return;
  OpBuilder b(op);
  auto [perm, inverse] = frontPerm(in.getRank(), dim);
  Value moved = transposed(b, op.getLoc(), op.getInput(), perm);
  RankedTensorType out = typeOf(op.getResult());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(out.getDimSize(p));
  Value done = rebuild(b, moved, RankedTensorType::get(shape, out.getElementType()));
  op.getResult().replaceAllUsesWith(
      transposed(b, op.getLoc(), done, inverse));
  op.erase();
}

/// all_to_all(split s, concat c) is all_gather(c) then all_slice(s): the
/// same values with the whole tensor in between (more traffic, no packing).
void legalizeAllToAll(AllToAllOp op) {
  OpBuilder b(op);
  RankedTensorType in = typeOf(op.getInput());
  RankedTensorType out = typeOf(op.getResult());
  SmallVector<int64_t> whole(in.getShape());
  whole[op.getConcatDim()] = out.getDimSize(op.getConcatDim());
  Value gathered = AllGatherOp::create(b, 
      op.getLoc(), RankedTensorType::get(whole, in.getElementType()),
      op.getInput(), op.getMeshAttr(), op.getAxesAttr(),
      b.getI64IntegerAttr(op.getConcatDim()));
  Value sliced = AllSliceOp::create(b, op.getLoc(), out, gathered,
                                      op.getMeshAttr(), op.getAxesAttr(),
                                      b.getI64IntegerAttr(op.getSplitDim()));
  op.getResult().replaceAllUsesWith(sliced);
  op.erase();
}

struct LegalizeForKernelsPass
    : public mlir::pp::impl::LegalizeForKernelsPassBase<
          LegalizeForKernelsPass> {
  void runOnOperation() override;
};

void LegalizeForKernelsPass::runOnOperation() {
  // Rewrites erase the op they visit, so collect first. Losses first: their
  // expansion has reductions that the next rewrites may need to change.
  SmallVector<CrossEntropyOp> losses;
  getOperation()->walk([&](CrossEntropyOp op) {
    if (op.isVocabParallel())
      losses.push_back(op);
  });
  for (CrossEntropyOp op : losses)
    expandVocabParallelLoss(op);
  SmallVector<Operation *> ops;
  getOperation()->walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    if (auto m = dyn_cast<MatMulOp>(op))
      legalizeMatMul(m);
    else if (auto r = dyn_cast<ReduceOp>(op))
      legalizeReduce(r);
    else if (auto a = dyn_cast<AllToAllOp>(op))
      legalizeAllToAll(a);
  }
  // After all_to_all became all_gather + all_slice.
  ops.clear();
  getOperation()->walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : ops) {
    if (auto g = dyn_cast<AllGatherOp>(op))
      legalizeCollectiveDim(g, [&](OpBuilder &b, Value in, RankedTensorType t) {
        return AllGatherOp::create(b, g.getLoc(), t, in, g.getMeshAttr(),
                                     g.getAxesAttr(), b.getI64IntegerAttr(0))
            .getResult();
      });
    else if (auto r = dyn_cast<ReduceScatterOp>(op))
      legalizeCollectiveDim(r, [&](OpBuilder &b, Value in, RankedTensorType t) {
        return ReduceScatterOp::create(b, r.getLoc(), t, r.getKindAttr(), in,
                                         r.getMeshAttr(), r.getAxesAttr(),
                                         b.getI64IntegerAttr(0))
            .getResult();
      });
  }
}

} // namespace
