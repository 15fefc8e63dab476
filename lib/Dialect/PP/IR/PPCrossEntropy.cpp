//===- PPCrossEntropy.cpp - the pieces of a (vocab-parallel) loss ---------===//
//
// pp.cross_entropy's gradient rule and, for the vocab-parallel form,
// pp-legalize-for-kernels' expansion of the loss build the same pieces:
// which class is each position's label, which positions count, and the
// softmax over the whole vocabulary. With the classes split over a group,
// each rank holds a block of them: its labels are offset by the block's
// start, and the max and the sum of exponentials are reduced over the
// group, so no rank ever holds the whole vocabulary's logits.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

/// The labels as a column [..., 1] of i64.
Value labelColumn(OpBuilder &b, CrossEntropyOp op) {
  SmallVector<int64_t> column(shapeOf(op.getLabels()));
  column.push_back(1);
  return buildReshape(b, op.getLoc(), op.getLabels(), column);
}

/// `v` reduced over the op's group (unchanged when it has none).
Value overGroup(OpBuilder &b, CrossEntropyOp op, ReductionKind kind, Value v) {
  if (!op.isVocabParallel())
    return v;
  return AllReduceOp::create(b, op.getLoc(), v.getType(),
                             ReductionKindAttr::get(b.getContext(), kind), v,
                             op.getMeshAttr(), op.getAxesAttr())
      .getResult();
}

Value toFloat(OpBuilder &b, Location loc, Value v, Type element) {
  auto type = RankedTensorType::get(shapeOf(v), element);
  return CastOp::create(b, loc, type, v).getResult();
}

} // namespace

Value CrossEntropyOp::buildOnehot(OpBuilder &b) {
  Location loc = getLoc();
  int64_t classes = shapeOf(getLogits()).back();
  Value labels = labelColumn(b, *this);
  if (isVocabParallel()) {
    // Ids into this rank's block: label - group index * block size.
    auto i64 = RankedTensorType::get({}, b.getI64Type());
    Value index = GroupIndexOp::create(b, loc, i64, getMeshAttr(), getAxesAttr());
    Value size = ConstantOp::create(
        b, loc, DenseIntElementsAttr::get(i64, ArrayRef<int64_t>{classes}));
    Value start = buildElementwise<MulOp>(b, loc, {index, size});
    labels = buildElementwise<SubOp>(b, loc, {labels, start});
  }
  Value ids = buildIndices(
      b, loc, llvm::to_vector(llvm::seq<int64_t>(0, classes)));
  Value hit = buildElementwise<EqualOp>(b, loc, {labels, ids}, b.getI1Type());
  return toFloat(b, loc, hit, elementTypeOf(getLogits()));
}

Value CrossEntropyOp::buildValid(OpBuilder &b) {
  Location loc = getLoc();
  Value labels = labelColumn(b, *this);
  Value ignore = ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                             getIgnoreIndex()));
  Value ignored =
      buildElementwise<EqualOp>(b, loc, {labels, ignore}, b.getI1Type());
  Value counts = NotOp::create(b, loc, ignored.getType(), ignored);
  return toFloat(b, loc, counts, elementTypeOf(getLogits()));
}

Value CrossEntropyOp::buildCount(OpBuilder &b, Value valid) {
  Location loc = getLoc();
  int64_t rank = shapeOf(valid).size();
  Value count =
      buildReduce(b, loc, ReduceKind::sum, valid,
                  llvm::to_vector(llvm::seq<int64_t>(0, rank)), false);
  Value one = buildScalar(b, loc, elementTypeOf(count), 1.0);
  return buildElementwise<MaxOp>(b, loc, {count, one});
}

std::pair<Value, Value> CrossEntropyOp::buildSoftmax(OpBuilder &b) {
  Location loc = getLoc();
  Value logits = getLogits();
  int64_t last = int64_t(shapeOf(logits).size()) - 1;
  // One rank holds every class: the softmax kernel.
  if (!isVocabParallel())
    return {SoftmaxOp::create(b, loc, logits.getType(), logits, last)
                .getResult(),
            Value()};
  Value max = overGroup(
      b, *this, ReductionKind::max,
      buildReduce(b, loc, ReduceKind::max, logits, {last}, true));
  Value exps = ExpOp::create(b, loc, logits.getType(),
                             buildElementwise<SubOp>(b, loc, {logits, max}));
  Value sum = overGroup(
      b, *this, ReductionKind::sum,
      buildReduce(b, loc, ReduceKind::sum, exps, {last}, true));
  Value probs = buildElementwise<DivOp>(b, loc, {exps, sum});
  Value logSum = LogOp::create(b, loc, sum.getType(), sum);
  return {probs, buildElementwise<AddOp>(b, loc, {logSum, max})};
}
