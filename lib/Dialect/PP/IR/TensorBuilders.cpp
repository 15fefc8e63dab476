//===- TensorBuilders.cpp - small pp op builders that infer types ---------===//

#include "pp/Dialect/PP/IR/TensorBuilders.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::pp;

ArrayRef<int64_t> mlir::pp::shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

Type mlir::pp::elementTypeOf(Value v) {
  return cast<ShapedType>(v.getType()).getElementType();
}

Value mlir::pp::buildScalar(OpBuilder &b, Location loc, Type elementType,
                            double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, FloatAttr::get(elementType, value)));
}

Value mlir::pp::buildZeros(OpBuilder &b, Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return ConstantOp::create(b, loc,
                            DenseElementsAttr::get(
                                tensor, b.getZeroAttr(tensor.getElementType())));
}

Value mlir::pp::buildIndices(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getI64Type());
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

RankedTensorType mlir::pp::broadcastType(ValueRange operands,
                                         Type elementType) {
  SmallVector<int64_t> shape;
  for (Value v : operands)
    shape = *broadcastShapes(shape, shapeOf(v));
  return RankedTensorType::get(shape,
                               elementType ? elementType
                                           : elementTypeOf(operands.front()));
}

Value mlir::pp::buildReduce(OpBuilder &b, Location loc, ReduceKind kind,
                            Value v, ArrayRef<int64_t> dims, bool keepdims) {
  SmallVector<int64_t> sorted(dims);
  llvm::sort(sorted);
  if (sorted.empty())
    return v;
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(shapeOf(v))) {
    if (!llvm::is_contained(sorted, int64_t(d)))
      shape.push_back(size);
    else if (keepdims)
      shape.push_back(1);
  }
  auto type = RankedTensorType::get(shape, elementTypeOf(v));
  return ReduceOp::create(b, loc, type, kind, v, sorted, keepdims);
}

/// `v` as `shape` through OpTy, or `v` when it has that shape.
template <typename OpTy>
static Value reshaped(OpBuilder &b, Location loc, Value v,
                      ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return v;
  return OpTy::create(b, loc, RankedTensorType::get(shape, elementTypeOf(v)),
                      v);
}

Value mlir::pp::buildReshape(OpBuilder &b, Location loc, Value v,
                             ArrayRef<int64_t> shape) {
  return reshaped<ReshapeOp>(b, loc, v, shape);
}

Value mlir::pp::buildBroadcast(OpBuilder &b, Location loc, Value v,
                               ArrayRef<int64_t> shape) {
  return reshaped<BroadcastOp>(b, loc, v, shape);
}

Value mlir::pp::buildTranspose(OpBuilder &b, Location loc, Value v,
                               ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(shapeOf(v)[p]);
  return TransposeOp::create(
      b, loc, RankedTensorType::get(shape, elementTypeOf(v)), v, perm);
}

Value mlir::pp::buildSwapLastTwo(OpBuilder &b, Location loc, Value v) {
  int64_t rank = shapeOf(v).size();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  return buildTranspose(b, loc, v, perm);
}

Value mlir::pp::buildSumToShape(OpBuilder &b, Location loc, Value v,
                                ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> from = shapeOf(v);
  int64_t extra = from.size() - shape.size();
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < int64_t(from.size()); ++d)
    if (d < extra || (shape[d - extra] == 1 && from[d] != 1))
      dims.push_back(d);
  return buildReshape(b, loc,
                      buildReduce(b, loc, ReduceKind::sum, v, dims,
                                  /*keepdims=*/false),
                      shape);
}
