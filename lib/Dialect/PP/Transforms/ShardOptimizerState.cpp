//===- ShardOptimizerState.cpp - ZeRO-1 over data-parallel replicas -------===//
//
// An optimizer step is elementwise: each element of a weight is updated
// from the same element of its gradient and state, plus scalars (the step,
// the learning rate, the clipping factor). So each data-parallel replica
// can update one contiguous 1/D of every weight, keeping only that part's
// state. The update function is rewritten to work on those parts: a weight
// is flattened to [1, n], padded to [1, c * D] (c = ceil(n / D)) and
// all-sliced over "dp" (no communication); every other non-scalar value,
// the gradient and state arguments and the results, becomes [1, c]. The
// runtime reduce-scatters each gradient into the first c elements of its
// buffer before the update and all-gathers the new parts into the weight
// after it (RankTrainLoop.cpp).
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Optimizer.h"

#include "pp/Dialect/PP/IR/MeshNames.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

using namespace mlir;
using namespace mlir::pp;

LogicalResult mlir::pp::shardOptimizerState(func::FuncOp update, int64_t d) {
  MLIRContext *context = update.getContext();
  Block &body = update.getBody().front();
  auto mesh = FlatSymbolRefAttr::get(context, kMeshName);
  ArrayAttr dpAxes =
      ArrayAttr::get(context, {StringAttr::get(context, kDataAxis)});
  auto partOf = [&](Type type) -> Type {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || tensor.getRank() == 0)
      return type;
    int64_t n = numElements(tensor.getShape());
    return RankedTensorType::get({1, (n + d - 1) / d},
                                 tensor.getElementType());
  };

  // Only elementwise math (and scalar constants) can run on parts.
  SmallVector<WeightOp> weights;
  for (Operation &op : body.without_terminator()) {
    if (auto weight = dyn_cast<WeightOp>(op)) {
      weights.push_back(weight);
      continue;
    }
    bool scalarConstant =
        isa<ConstantOp>(op) &&
        cast<RankedTensorType>(op.getResult(0).getType()).getRank() == 0;
    if (!scalarConstant && !op.hasTrait<mlir::pp::OpTrait::Elementwise>())
      return op.emitOpError()
             << "is not elementwise; --zero=1 shards an optimizer step of "
                "elementwise ops only";
  }

  // The parts of the weights.
  llvm::DenseSet<Operation *> built;
  for (WeightOp weight : weights) {
    OpBuilder b(context);
    b.setInsertionPointAfter(weight);
    Location loc = weight.getLoc();
    int64_t n = numElements(weight.getType().getShape());
    int64_t c = (n + d - 1) / d;
    Type element = weight.getType().getElementType();
    Value flat = buildReshape(b, loc, weight.getResult(), {1, n});
    Value padded = flat;
    if (c * d != n) {
      Value zeros = buildZeros(
          b, loc, RankedTensorType::get({1, c * d - n}, element));
      padded = ConcatOp::create(b, loc,
                                RankedTensorType::get({1, c * d}, element),
                                ValueRange{flat, zeros}, b.getI64IntegerAttr(1))
                   .getResult();
      built.insert(zeros.getDefiningOp());
      built.insert(padded.getDefiningOp());
    }
    Value part = AllSliceOp::create(b, loc, RankedTensorType::get({1, c}, element),
                                    padded, mesh, dpAxes, b.getI64IntegerAttr(1));
    if (Operation *reshape = flat.getDefiningOp())
      built.insert(reshape);
    built.insert(part.getDefiningOp());
    weight.getResult().replaceAllUsesExcept(part, flat.getDefiningOp());
  }

  // Everything else works on parts.
  for (BlockArgument arg : body.getArguments())
    arg.setType(partOf(arg.getType()));
  for (Operation &op : body.without_terminator())
    if (!isa<WeightOp>(op) && !built.contains(&op))
      for (Value result : op.getResults())
        result.setType(partOf(result.getType()));
  update.setFunctionType(FunctionType::get(
      context, body.getArgumentTypes(),
      body.getTerminator()->getOperandTypes()));

  // The state and the new weights are split over "dp" on the part's dim
  // (and over "tp" on the other, where the weight is split over it): the
  // runtime gathers a checkpoint's state from them.
  auto shardingFor = [&](DictionaryAttr attrs) -> ShardingAttr {
    auto weightSharding = attrs ? attrs.getAs<ShardingAttr>(
                                      PPDialect::ShardingAttrHelper::getNameStr())
                                : ShardingAttr();
    SmallVector<ArrayAttr> dims(2, ArrayAttr::get(context, {}));
    if (weightSharding && !weightSharding.isReplicated())
      dims[0] = ArrayAttr::get(
          context, {StringAttr::get(context, kTensorAxis)});
    dims[1] = dpAxes;
    return ShardingAttr::get(context, mesh, dims, ArrayAttr(),
                             ReductionKind::sum);
  };
  auto isPart = [](DictionaryAttr attrs) {
    return attrs &&
           (attrs.get(PPDialect::OptimizerStateAttrHelper::getNameStr()) ||
            attrs.get(PPDialect::WeightUpdateAttrHelper::getNameStr()));
  };
  StringRef shardingName = PPDialect::ShardingAttrHelper::getNameStr();
  for (unsigned i = 0; i < update.getNumArguments(); ++i)
    if (DictionaryAttr attrs = update.getArgAttrDict(i); isPart(attrs))
      update.setArgAttr(i, shardingName, shardingFor(attrs));
  for (unsigned i = 0; i < update.getNumResults(); ++i)
    if (DictionaryAttr attrs = update.getResultAttrDict(i); isPart(attrs))
      update.setResultAttr(i, shardingName, shardingFor(attrs));
  return success();
}
