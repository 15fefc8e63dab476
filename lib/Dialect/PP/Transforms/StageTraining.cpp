//===- StageTraining.cpp - one training step over pipeline stages --------===//
//
// After pp-split-stages, on a model whose last stage returns the loss
// (pp-add-loss ran before the split), each stage @s becomes the functions
// the runtime runs as the schedule's actions:
//
//   @s         F: the stage input (an argument) -> the stage output (a
//              result); the values B and W read go into the stage's stash
//              slot of the micro-batch;
//   @s_b       B: the stash and the output's cotangent -> the input's
//              cotangent; what W needs from B goes into the stash too;
//   @s_w       W: the stash -> each weight's gradient, added into its
//              accumulator (an output summed over the micro-batches);
//   @s_update  after the last micro-batch: the optimizer
//              (pp-apply-optimizer's core) over the accumulated gradients,
//              which the runtime has summed over "dp" (and, for a weight
//              trained by two stages, between them) by then; clipping
//              reads the global norm, which the runtime measures, from the
//              input `grad_norm`.
//
// The algorithm:
//   1. Each pp.recv becomes an argument (pp.stage_input) and each pp.send's
//      operand a result (pp.stage_output): autodiff sees a function of its
//      boundary, and the emitter maps both onto the runtime's buffers.
//   2. The loss of a micro-batch is rescaled so that the step's losses add
//      up to torch's mean over the whole batch: mean_m * count_m * scale,
//      where count_m counts the labels not ignored in the micro-batch and
//      `scale` is an input the runtime fills with 1 / that count over the
//      step (every micro-batch and replica). The loss accumulates.
//   3. pp-autodiff with cotangents; the loss's cotangent is 1.
//   4. The stash: saved and carried values at 64-byte aligned offsets.
//   5. Accumulators and update functions; new inputs (the loss scale, the
//      step, optimizer state) join pp.inputs, new outputs (gradients,
//      updates, state) get pp.output_index after the existing ones.
//
// A weight trained by two stages (a tied embedding on the first and the
// last) is updated by both, from the gradient the runtime sums between them
// (docs/training.md). Tensor parallelism is not built yet: an error.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Autodiff.h"
#include "pp/Dialect/PP/Transforms/Optimizer.h"
#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Dialect/PP/Transforms/StashLayout.h"

#include "pp/Dialect/PP/IR/MeshNames.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"

#include <numeric>

namespace mlir::pp {
#define GEN_PASS_DEF_STAGETRAININGPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

NamedAttribute named(OpBuilder &b, StringRef name, Attribute value) {
  return b.getNamedAttr(name, value);
}

/// Appends an argument with `attrs`.
BlockArgument appendArgument(func::FuncOp func, Type type,
                             ArrayRef<NamedAttribute> attrs) {
  OpBuilder b(func.getContext());
  unsigned index = func.getNumArguments();
  if (failed(func.insertArgument(index, type, b.getDictionaryAttr(attrs),
                                 func.getLoc())))
    llvm_unreachable("appending an argument cannot fail");
  return func.getArgument(index);
}

func::ReturnOp returnOf(func::FuncOp func) {
  return cast<func::ReturnOp>(func.getBody().front().getTerminator());
}

/// Replaces the function's results by `values` with `attrs`.
void setResults(func::FuncOp func, ArrayRef<Value> values,
                ArrayRef<DictionaryAttr> attrs) {
  func::ReturnOp ret = returnOf(func);
  ret->setOperands(values);
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().front().getArgumentTypes(),
                                 ValueRange(values).getTypes()));
  func.setAllResultAttrs(attrs);
}

/// The results and their attributes, to edit and set back.
struct Results {
  SmallVector<Value> values;
  SmallVector<DictionaryAttr> attrs;
  Results() = default;
  explicit Results(func::FuncOp func) {
    llvm::append_range(values, returnOf(func).getOperands());
    func.getAllResultAttrs(attrs);
  }
  void add(Value v, DictionaryAttr a) {
    values.push_back(v);
    attrs.push_back(a);
  }
};

DictionaryAttr withAttrs(DictionaryAttr dict, ArrayRef<NamedAttribute> extra) {
  NamedAttrList list(dict);
  for (const NamedAttribute &a : extra)
    list.set(a.getName(), a.getValue());
  return list.getDictionary(dict ? dict.getContext()
                                 : extra.front().getName().getContext());
}

/// Result `i` of `func` becomes an accumulator: an argument that holds the
/// sum so far (pp.accumulator names output `output`), plus the value.
void accumulateInto(OpBuilder &b, func::FuncOp func, Results &results,
                    unsigned i, int64_t output,
                    ArrayRef<NamedAttribute> extra = {}) {
  Value v = results.values[i];
  BlockArgument acc = appendArgument(
      func, v.getType(),
      {named(b, PPDialect::AccumulatorAttrHelper::getNameStr(),
             b.getI64IntegerAttr(output))});
  b.setInsertionPoint(returnOf(func));
  results.values[i] = buildElementwise<AddOp>(b, func.getLoc(), {acc, v});
  SmallVector<NamedAttribute> attrs(extra);
  attrs.push_back(named(b, PPDialect::OutputIndexAttrHelper::getNameStr(),
                        b.getI64IntegerAttr(output)));
  results.attrs[i] = withAttrs(results.attrs[i], attrs);
}

struct StageTrainingPass
    : public mlir::pp::impl::StageTrainingPassBase<StageTrainingPass> {
  using StageTrainingPassBase::StageTrainingPassBase;
  void runOnOperation() override;

private:
  LogicalResult exposeBoundary(func::FuncOp stage);
  LogicalResult scaleLoss(func::FuncOp stage);
  void trimInputCotangents(func::FuncOp f, func::FuncOp b);
  LogicalResult accumulate(func::FuncOp w);
  LogicalResult buildUpdate(func::FuncOp f, func::FuncOp w);
  int64_t addInput(BlockArgument arg);
  DictionaryAttr withWeightSharding(DictionaryAttr attrs);
  int64_t newOutput() { return nextOutput++; }

  OpBuilder *builder = nullptr;
  int64_t nextOutput = 0;
  int64_t stepInput = -1;
  int64_t gradNormInput = -1;
  int64_t lossOutput = -1;
  /// The number of data-parallel replicas.
  int64_t dataParallel = 1;
  SmallVector<Attribute> inputTypes, inputAttrs;
  /// The first stage that trains each weight.
  llvm::StringMap<std::string> firstTrainer;
  /// How tensor parallelism splits each weight it splits.
  llvm::StringMap<ShardingAttr> weightShardings;
};

/// Step 1.
LogicalResult StageTrainingPass::exposeBoundary(func::FuncOp stage) {
  SmallVector<RecvOp> recvs(stage.getOps<RecvOp>());
  SmallVector<SendOp> sends(stage.getOps<SendOp>());
  if (recvs.size() > 1 || sends.size() > 1)
    return stage.emitOpError()
           << "receives " << recvs.size() << " and sends " << sends.size()
           << " values; a training stage moves one activation each way";
  OpBuilder &b = *builder;
  for (RecvOp r : recvs) {
    BlockArgument arg = appendArgument(
        stage, r.getType(),
        {named(b, PPDialect::StageInputAttrHelper::getNameStr(),
               b.getUnitAttr())});
    r.getResult().replaceAllUsesWith(arg);
    r.erase();
  }
  for (SendOp s : sends) {
    Results results(stage);
    results.add(s.getInput(),
                b.getDictionaryAttr(
                    {named(b, PPDialect::StageOutputAttrHelper::getNameStr(),
                           b.getUnitAttr())}));
    s.erase();
    setResults(stage, results.values, results.attrs);
  }
  return success();
}

/// Step 2: the last stage's loss, scaled and accumulated.
LogicalResult StageTrainingPass::scaleLoss(func::FuncOp stage) {
  Results results(stage);
  OpBuilder &b = *builder;
  for (auto [i, v] : llvm::enumerate(results.values)) {
    auto ce = v.getDefiningOp<CrossEntropyOp>();
    if (!ce)
      continue;
    if (lossOutput >= 0)
      return stage.emitOpError("returns a second loss");
    b.setInsertionPoint(returnOf(stage));
    Location loc = ce.getLoc();
    Type f32 = b.getF32Type();
    Value labels = ce.getLabels();
    auto labelsArg = dyn_cast<BlockArgument>(labels);
    auto labelsName =
        labelsArg ? stage.getArgAttrOfType<StringAttr>(
                        labelsArg.getArgNumber(),
                        PPDialect::NameAttrHelper::getNameStr())
                  : StringAttr();
    if (!labelsName)
      return ce.emitOpError("needs its labels as a named input of the stage");
    auto shape = cast<RankedTensorType>(labels.getType()).getShape();
    auto bools = RankedTensorType::get(shape, b.getI1Type());
    auto i64Scalar = RankedTensorType::get({}, b.getI64Type());
    Value ignore =
        ConstantOp::create(b, loc,
                           DenseIntElementsAttr::get(
                               i64Scalar, ArrayRef<int64_t>{
                                              int64_t(ce.getIgnoreIndex())}))
            .getResult();
    Value counted = NotOp::create(
        b, loc, bools, EqualOp::create(b, loc, bools, labels, ignore));
    Value asFloat =
        CastOp::create(b, loc, RankedTensorType::get(shape, f32), counted);
    SmallVector<int64_t> dims(shape.size());
    std::iota(dims.begin(), dims.end(), 0);
    Value count = buildReduce(b, loc, ReduceKind::sum, asFloat, dims, false);
    BlockArgument scale = appendArgument(
        stage, RankedTensorType::get({}, f32),
        {named(b, PPDialect::NameAttrHelper::getNameStr(),
               b.getStringAttr("loss_scale")),
         named(b, PPDialect::LossScaleAttrHelper::getNameStr(), labelsName)});
    addInput(scale);
    Value loss = buildElementwise<MulOp>(
        b, loc, {buildElementwise<MulOp>(b, loc, {v, count}), scale});
    results.values[i] = loss;
    results.attrs[i] = withAttrs(
        results.attrs[i],
        {named(b, PPDialect::LossAttrHelper::getNameStr(), b.getUnitAttr())});
    auto index = results.attrs[i].getAs<IntegerAttr>(
        PPDialect::OutputIndexAttrHelper::getNameStr());
    lossOutput = index ? index.getInt() : newOutput();
  }
  setResults(stage, results.values, results.attrs);
  return success();
}

int64_t StageTrainingPass::addInput(BlockArgument arg) {
  auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
  int64_t index = inputTypes.size();
  inputTypes.push_back(TypeAttr::get(arg.getType()));
  DictionaryAttr attrs = func.getArgAttrDict(arg.getArgNumber());
  inputAttrs.push_back(attrs ? attrs : builder->getDictionaryAttr({}));
  func.setArgAttr(arg.getArgNumber(),
                  PPDialect::InputIndexAttrHelper::getNameStr(),
                  builder->getI64IntegerAttr(index));
  return index;
}

/// `attrs` of a weight's gradient, optimizer state or update, with the
/// weight's sharding when tensor parallelism splits it: each rank holds
/// that part of the tensor.
DictionaryAttr StageTrainingPass::withWeightSharding(DictionaryAttr attrs) {
  if (!attrs)
    return attrs;
  StringRef weight;
  for (StringRef attr : {PPDialect::WeightGradientAttrHelper::getNameStr(),
                         PPDialect::WeightUpdateAttrHelper::getNameStr()})
    if (auto name = attrs.getAs<StringAttr>(attr))
      weight = name.getValue();
  // "<weight>.exp_avg", perhaps "@<stage>" after it.
  if (auto state = attrs.getAs<StringAttr>(
          PPDialect::OptimizerStateAttrHelper::getNameStr()))
    weight = state.getValue().split('@').first.rsplit('.').first;
  ShardingAttr sharding = weightShardings.lookup(weight);
  if (!sharding)
    return attrs;
  return withAttrs(attrs,
                   {named(*builder, PPDialect::ShardingAttrHelper::getNameStr(),
                          sharding)});
}

/// B returns the cotangent of every float argument of F; only the stage
/// input's travels on (to the previous stage).
void StageTrainingPass::trimInputCotangents(func::FuncOp f, func::FuncOp b) {
  StringRef argGradient = PPDialect::ArgGradientAttrHelper::getNameStr();
  StringRef stageInput = PPDialect::StageInputAttrHelper::getNameStr();
  Results results(b);
  Results kept;
  for (auto [v, attrs] : llvm::zip(results.values, results.attrs)) {
    auto of = attrs ? attrs.getAs<IntegerAttr>(argGradient) : IntegerAttr();
    if (!of) {
      kept.add(v, attrs);
      continue;
    }
    if (!f.getArgAttr(of.getInt(), stageInput))
      continue;
    kept.add(v, withAttrs(attrs, {named(*builder,
                                        PPDialect::StageOutputAttrHelper::
                                            getNameStr(),
                                        builder->getUnitAttr())}));
  }
  setResults(b, kept.values, kept.attrs);
  StringRef cotangent = PPDialect::CotangentAttrHelper::getNameStr();
  for (unsigned i = 0; i < b.getNumArguments(); ++i)
    if (b.getArgAttr(i, cotangent))
      b.setArgAttr(i, stageInput, builder->getUnitAttr());
}

/// Step 5, W: gradient += this micro-batch's.
LogicalResult StageTrainingPass::accumulate(func::FuncOp w) {
  OpBuilder &b = *builder;
  Results results(w);
  StringRef gradientAttr = PPDialect::WeightGradientAttrHelper::getNameStr();
  for (unsigned i = 0; i < results.values.size(); ++i) {
    auto name = results.attrs[i]
                    ? results.attrs[i].getAs<StringAttr>(gradientAttr)
                    : StringAttr();
    if (!name)
      continue;
    accumulateInto(b, w, results, i, newOutput(),
                   {named(b, PPDialect::NameAttrHelper::getNameStr(), name)});
    results.attrs[i] = withWeightSharding(results.attrs[i]);
  }
  setResults(w, results.values, results.attrs);
  return success();
}

/// Step 5, the update function: the optimizer over the accumulated
/// gradients.
LogicalResult StageTrainingPass::buildUpdate(func::FuncOp f, func::FuncOp w) {
  OpBuilder &b = *builder;
  MLIRContext *context = &getContext();
  StringRef gradientAttr = PPDialect::WeightGradientAttrHelper::getNameStr();
  StringRef outputAttr = PPDialect::OutputIndexAttrHelper::getNameStr();
  StringRef accAttr = PPDialect::AccumulatorAttrHelper::getNameStr();
  b.setInsertionPointAfter(w);
  auto update = func::FuncOp::create(
      b, f.getLoc(), (f.getName() + "_update").str(),
      FunctionType::get(context, {}, {}));
  Block *body = update.addEntryBlock();
  b.setInsertionPointToEnd(body);
  auto ret = func::ReturnOp::create(b, f.getLoc());
  b.setInsertionPoint(ret);
  Results results(update);
  DenseMap<StringAttr, WeightOp> weights;
  for (func::FuncOp func : {f, w})
    func.walk([&](WeightOp op) { weights.try_emplace(op.getNameAttr(), op); });
  for (unsigned i = 0; i < w.getNumResults(); ++i) {
    auto name = w.getResultAttrOfType<StringAttr>(i, gradientAttr);
    if (!name)
      continue;
    int64_t output = w.getResultAttrOfType<IntegerAttr>(i, outputAttr).getInt();
    BlockArgument acc = appendArgument(
        update, w.getResultTypes()[i],
        {named(b, accAttr, b.getI64IntegerAttr(output))});
    WeightOp weight = weights.lookup(name);
    if (!weight)
      return w.emitOpError() << "has no pp.weight '" << name.getValue() << "'";
    b.clone(*weight);
    results.add(acc, w.getResultAttrDict(i));
  }
  setResults(update, results.values, results.attrs);
  if (llvm::none_of(results.attrs, [&](DictionaryAttr a) {
        return a && a.get(gradientAttr);
      }))
    return success(); // nothing trains here: no optimizer step
  OptimizerConfig config{optimizer, lr,    momentum, weightDecay,
                         beta1,     beta2, eps,      gradClip};
  config.gradNormInput = true;
  if (failed(applyOptimizer(update, config)))
    return failure();
  // The gradients are where the accumulators are: the update returns only
  // the new weights and state.
  Results after(update);
  Results kept;
  for (auto [v, attrs] : llvm::zip(after.values, after.attrs)) {
    if (attrs && attrs.get(gradientAttr))
      continue;
    if (!attrs.get(outputAttr))
      attrs = withAttrs(attrs, {named(b, outputAttr,
                                      b.getI64IntegerAttr(newOutput()))});
    kept.add(v, attrs);
  }
  setResults(update, kept.values, kept.attrs);
  // The step and the state are inputs of the program. A tied weight's
  // state past its first stage gets the stage's name.
  StringRef stepAttr = PPDialect::StepAttrHelper::getNameStr();
  StringRef stateAttr = PPDialect::OptimizerStateAttrHelper::getNameStr();
  StringRef nameAttr = PPDialect::NameAttrHelper::getNameStr();
  auto ownState = [&](DictionaryAttr attrs) -> DictionaryAttr {
    auto state = attrs ? attrs.getAs<StringAttr>(stateAttr) : StringAttr();
    if (!state)
      return attrs;
    // "<weight>.momentum_buffer", "<weight>.exp_avg", ...
    StringRef weight = state.getValue().rsplit('.').first;
    auto first = firstTrainer.find(weight);
    if (first == firstTrainer.end() || first->second == f.getName())
      return attrs;
    std::string owned = (state.getValue() + "@" + f.getName()).str();
    auto name = attrs.getAs<StringAttr>(nameAttr);
    std::string shown = name ? (name.getValue() + "@" + f.getName()).str()
                             : owned;
    if (name && name.getValue().ends_with(".next"))
      shown = owned + ".next";
    return withAttrs(attrs, {named(b, stateAttr, b.getStringAttr(owned)),
                             named(b, nameAttr, b.getStringAttr(shown))});
  };
  for (unsigned i = 0; i < update.getNumArguments(); ++i)
    if (DictionaryAttr attrs =
            withWeightSharding(ownState(update.getArgAttrDict(i))))
      update.setArgAttrs(i, attrs);
  for (unsigned i = 0; i < update.getNumResults(); ++i)
    if (DictionaryAttr attrs =
            withWeightSharding(ownState(update.getResultAttrDict(i))))
      update.setResultAttrs(i, attrs);
  if (zero && dataParallel > 1 &&
      failed(shardOptimizerState(update, dataParallel)))
    return failure();
  for (BlockArgument arg : update.getArguments()) {
    unsigned i = arg.getArgNumber();
    if (update.getArgAttr(i, stepAttr)) {
      if (stepInput < 0)
        stepInput = addInput(arg);
      else
        update.setArgAttr(i, PPDialect::InputIndexAttrHelper::getNameStr(),
                          b.getI64IntegerAttr(stepInput));
    } else if (update.getArgAttr(i, stateAttr)) {
      addInput(arg);
    } else if (update.getArgAttr(i, PPDialect::GradNormAttrHelper::getNameStr())) {
      if (gradNormInput < 0)
        gradNormInput = addInput(arg);
      else
        update.setArgAttr(i, PPDialect::InputIndexAttrHelper::getNameStr(),
                          b.getI64IntegerAttr(gradNormInput));
    }
  }
  return success();
}

void StageTrainingPass::runOnOperation() {
  ModuleOp module = getOperation();
  OpBuilder b(&getContext());
  builder = &b;
  std::optional<RecomputeKind> recomputeKind = parseRecompute(recompute);
  if (!recomputeKind) {
    module.emitError() << "pp-stage-training: recompute must be none, full "
                          "or selective, got '"
                       << recompute << "'";
    return signalPassFailure();
  }
  SmallVector<func::FuncOp> stages;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(PPDialect::StageAttrHelper::getNameStr()))
      stages.push_back(func);
  auto mesh = module.lookupSymbol<MeshOp>(kMeshName);
  if (stages.empty() || !mesh) {
    module.emitError("pp-stage-training needs stage functions and pp.mesh "
                     "@world (run pp-partition-stages and pp-split-stages)");
    return signalPassFailure();
  }
  if (int64_t axis = mesh.getAxisIndex(kDataAxis); axis >= 0)
    dataParallel = mesh.getShape()[axis];
  // One weight, one layout: a tied weight whose readers tensor parallelism
  // split differently would get gradients of different shapes.
  llvm::StringMap<WeightOp> firstOfName;
  WalkResult layouts = module.walk([&](WeightOp weight) {
    ShardingAttr sharding = weight.getShardingAttr();
    if (sharding && sharding.isReplicated())
      sharding = {};
    auto [it, first] = firstOfName.try_emplace(weight.getName(), weight);
    ShardingAttr other = it->second.getShardingAttr();
    if (other && other.isReplicated())
      other = {};
    if (!first && (it->second.getType() != weight.getType() ||
                   other != sharding)) {
      weight.emitOpError()
          << "'" << weight.getName() << "' is read as " << weight.getType()
          << (sharding ? " split" : " whole") << " here and as "
          << it->second.getType() << (other ? " split" : " whole")
          << " elsewhere; training needs one layout of a tied weight";
      return WalkResult::interrupt();
    }
    if (sharding)
      weightShardings[weight.getName()] = sharding;
    return WalkResult::advance();
  });
  if (layouts.wasInterrupted())
    return signalPassFailure();
  if (auto types = module->getAttrOfType<ArrayAttr>(
          PPDialect::InputsAttrHelper::getNameStr()))
    llvm::append_range(inputTypes, types);
  if (auto attrs = module->getAttrOfType<ArrayAttr>(
          PPDialect::InputAttrsAttrHelper::getNameStr()))
    llvm::append_range(inputAttrs, attrs);
  inputAttrs.resize(inputTypes.size(), b.getDictionaryAttr({}));
  for (func::FuncOp stage : stages)
    for (unsigned i = 0; i < stage.getNumArguments(); ++i)
      if (auto index = stage.getArgAttrOfType<IntegerAttr>(
              i, PPDialect::InputIndexAttrHelper::getNameStr());
          index && index.getInt() >= int64_t(inputTypes.size())) {
        stage.emitOpError()
            << "reads graph input " << index.getInt() << ", but the module's "
            << "pp.inputs lists " << inputTypes.size()
            << " (run pp-split-stages)";
        return signalPassFailure();
      }
  for (func::FuncOp stage : stages)
    for (unsigned i = 0; i < stage.getNumResults(); ++i)
      if (auto index = stage.getResultAttrOfType<IntegerAttr>(
              i, PPDialect::OutputIndexAttrHelper::getNameStr()))
        nextOutput = std::max(nextOutput, index.getInt() + 1);

  for (func::FuncOp stage : stages)
    if (failed(exposeBoundary(stage)) || failed(scaleLoss(stage)))
      return signalPassFailure();
  if (lossOutput < 0) {
    module.emitError("no stage returns a pp.cross_entropy loss (run "
                     "pp-add-loss before pp-split-stages)");
    return signalPassFailure();
  }
  if (failed(differentiate(module, trainable, frozen, /*cotangents=*/true,
                           *recomputeKind)))
    return signalPassFailure();

  // A weight trained by several stages (a tied embedding on the first and
  // the last) is updated by each of them, from the gradient the runtime
  // sums between them before the updates; each keeps its own optimizer
  // state, named after the stage past the first.
  for (func::FuncOp f : stages) {
    auto w = module.lookupSymbol<func::FuncOp>((f.getName() + "_w").str());
    for (unsigned i = 0; i < w.getNumResults(); ++i)
      if (auto name = w.getResultAttrOfType<StringAttr>(
              i, PPDialect::WeightGradientAttrHelper::getNameStr()))
        firstTrainer.try_emplace(name.getValue(), f.getName().str());
  }
  for (func::FuncOp f : stages) {
    auto bwd = module.lookupSymbol<func::FuncOp>((f.getName() + "_b").str());
    auto w = module.lookupSymbol<func::FuncOp>((f.getName() + "_w").str());
    trimInputCotangents(f, bwd);
    layOutStash(f, bwd, w);
    if (failed(accumulate(w)) || failed(buildUpdate(f, w)))
      return signalPassFailure();
  }
  // The loss adds up over the micro-batches.
  for (func::FuncOp f : stages) {
    Results results(f);
    for (unsigned i = 0; i < results.values.size(); ++i) {
      if (!results.attrs[i] ||
          !results.attrs[i].get(PPDialect::LossAttrHelper::getNameStr()))
        continue;
      accumulateInto(b, f, results, i, lossOutput);
    }
    setResults(f, results.values, results.attrs);
  }
  module->setAttr(PPDialect::InputsAttrHelper::getNameStr(),
                  b.getArrayAttr(inputTypes));
  module->setAttr(PPDialect::InputAttrsAttrHelper::getNameStr(),
                  b.getArrayAttr(inputAttrs));
}

} // namespace
