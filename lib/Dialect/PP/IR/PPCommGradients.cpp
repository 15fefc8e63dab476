//===- PPCommGradients.cpp - reverse-mode rules of the collectives --------===//
//
// Every collective's transpose is a collective over the same group: a sum
// sends the result's cotangent back to each contribution unchanged, a
// gather slices it, a slice gathers it, a reduce-scatter gathers it, and an
// all-to-all moves the split back. These rules assume the result's
// cotangent is what the op's result is: the same on every rank of the group
// for an all-reduce or all-gather, one rank's part for the others. pp-
// autodiff keeps that true (docs/autodiff.md, "Tensor parallelism").
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace mlir::pp;

using Grads = SmallVector<Value>;

namespace {

/// The number of ranks in `op`'s group.
int64_t groupSize(Operation *op, FlatSymbolRefAttr meshName, ArrayAttr axes) {
  auto mesh = SymbolTable::lookupNearestSymbolFrom<MeshOp>(op, meshName);
  int64_t size = 1;
  for (Attribute axis : axes)
    size *= mesh.getShape()[mesh.getAxisIndex(cast<StringAttr>(axis))];
  return size;
}

Value gather(OpBuilder &b, Location loc, Type type, Value v,
             FlatSymbolRefAttr mesh, ArrayAttr axes, int64_t dim) {
  return AllGatherOp::create(b, loc, type, v, mesh, axes,
                             b.getI64IntegerAttr(dim));
}

/// The cotangent of each rank's contribution to a reduction whose result
/// has cotangent `dy`, both in the contribution's shape.
Value reductionCotangent(OpBuilder &b, Operation *op, ReductionKind kind,
                         Value input, Value result, Value dy, int64_t n) {
  Location loc = op->getLoc();
  switch (kind) {
  case ReductionKind::sum:
    return dy;
  case ReductionKind::avg:
    return buildElementwise<MulOp>(
        b, loc, {dy, buildScalar(b, loc, elementTypeOf(dy), 1.0 / n)});
  case ReductionKind::max:
  case ReductionKind::min: {
    // The rank holding the extreme value gets the cotangent.
    Value picked =
        buildElementwise<EqualOp>(b, loc, {input, result}, b.getI1Type());
    Value zero = buildScalar(b, loc, elementTypeOf(dy), 0.0);
    return buildElementwise<SelectOp>(b, loc, {picked, dy, zero},
                                      elementTypeOf(dy));
  }
  }
  llvm_unreachable("unknown reduction kind");
}

} // namespace

Grads AllReduceOp::buildGradients(OpBuilder &b, ValueRange dys) {
  if (!isa<FloatType>(elementTypeOf(getInput())))
    return {Value()};
  return {reductionCotangent(b, *this, getKind(), getInput(), getResult(),
                             dys[0],
                             groupSize(*this, getMeshAttr(), getAxes()))};
}

Grads AllGatherOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {AllSliceOp::create(b, getLoc(), getInput().getType(), dys[0],
                             getMeshAttr(), getAxes(), getDimAttr())};
}

Grads ReduceScatterOp::buildGradients(OpBuilder &b, ValueRange dys) {
  if (!isa<FloatType>(elementTypeOf(getInput())))
    return {Value()};
  // Each rank's whole contribution, against the whole result.
  Type whole = getInput().getType();
  auto gatherWhole = [&](Value v) {
    return gather(b, getLoc(), whole, v, getMeshAttr(), getAxes(), getDim());
  };
  Value result = getKind() == ReductionKind::sum ||
                         getKind() == ReductionKind::avg
                     ? Value()
                     : gatherWhole(getResult());
  return {reductionCotangent(b, *this, getKind(), getInput(), result,
                             gatherWhole(dys[0]),
                             groupSize(*this, getMeshAttr(), getAxes()))};
}

Grads AllSliceOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {gather(b, getLoc(), getInput().getType(), dys[0], getMeshAttr(),
                 getAxes(), getDim())};
}

Grads AllToAllOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {AllToAllOp::create(b, getLoc(), getInput().getType(), dys[0],
                             getMeshAttr(), getAxes(), getConcatDimAttr(),
                             getSplitDimAttr())};
}
