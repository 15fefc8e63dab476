//===- Autodiff.cpp - reverse-mode gradients as forward, B and W ----------===//
//
// Per function:
//  1. Seeds: the loss's cotangent is 1 (or, with `cotangents`, each float
//     result's cotangent is a placeholder that becomes a B argument).
//  2. Active values: float values computed from a float argument or a
//     trainable weight. Walking the ops backwards, every op with a
//     cotangent on its result and an active operand builds its operands'
//     cotangents through GradientInterface, appended to the function's
//     block; cotangents reaching one value add up.
//     Under tensor parallelism an op whose result differs between the
//     ranks of the group (a shard) gives an operand that is the same on
//     every rank (replicated) only this rank's part of its cotangent:
//     those parts add up apart and are summed over the group once, before
//     the value's cotangent is read (Megatron's conjugate all-reduce); a
//     sum feeding an all-gather becomes a reduce-scatter instead.
//  3. Outputs: the cotangent of each float argument (B's) and the summed
//     cotangent of each trainable weight name (W's).
//  4. Split: B is every new op that the cotangent of an argument or of an
//     activation (a value computed from an argument) needs; W is every
//     other new op that a weight gradient needs. A forward value they read
//     is saved when it depends on an argument, else rebuilt (weights, their
//     views, masks from constants); a B value W reads is carried. Then the new ops leave the forward, which returns
//     its saved values after its results.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Autodiff.h"
#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"
#include "pp/Dialect/PP/Transforms/Recompute.h"
#include "pp/Dialect/PP/Transforms/Trainability.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <functional>

namespace mlir::pp {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

bool isFloat(Value v) { return isa<FloatType>(elementTypeOf(v)); }

/// One function being differentiated. The backward ops are built in the
/// function's own block, after the forward, then cloned into B and W and
/// erased from the forward.
class Differentiator {
public:
  Differentiator(func::FuncOp func, const TrainabilityRule &rule,
                 bool cotangents, RecomputeKind recompute)
      : func(func), rule(rule), cotangents(cotangents), recompute(recompute),
        builder(func.getContext()) {}

  LogicalResult run();

private:
  LogicalResult seed();
  LogicalResult buildBackward();
  void accumulate(Value value, Value cotangent) {
    accumulate(value, cotangent, cotangentOf);
  }
  void accumulate(Value value, Value cotangent,
                  llvm::DenseMap<Value, Value> &into);
  void findVarying();
  Value settle(Value value);
  void split();
  func::FuncOp buildFunction(StringRef name, ArrayRef<Value> inputs,
                             const llvm::SetVector<Operation *> &ops,
                             ArrayRef<Value> outputs);

  func::FuncOp func;
  const TrainabilityRule &rule;
  bool cotangents;
  RecomputeKind recompute;
  OpBuilder builder;

  Block *body = nullptr;
  func::ReturnOp ret;
  /// The forward ops, in order, before anything was built.
  SmallVector<Operation *> forwardOps;
  DenseSet<Operation *> isForward;
  /// Trainable weight ops by name, in first-use order.
  llvm::MapVector<StringRef, SmallVector<WeightOp>> trainableWeights;
  DenseSet<Value> active;
  /// Forward values computed from an argument. The others (weights, their
  /// views, masks built from constants) are rebuilt where the backward
  /// reads them instead of saved.
  DenseSet<Value> fromArgs;
  llvm::DenseMap<Value, Value> cotangentOf;
  /// Values that differ between the ranks of the tensor-parallel group
  /// (shards, partial sums), the group, and the parts of replicated values'
  /// cotangents that their sharded consumers built, still to be summed.
  DenseSet<Value> varying;
  FlatSymbolRefAttr groupMesh;
  ArrayAttr groupAxes;
  llvm::DenseMap<Value, Value> partialOf;
  /// With `cotangents`: the placeholder of each float result's cotangent,
  /// and the result index.
  SmallVector<std::pair<Value, unsigned>> placeholders;
  SmallVector<Value> argGradients, weightGradients, activationCotangents;
  /// Where the next new function goes: after @f, then after @f_b.
  Operation *lastFunction = nullptr;
};

LogicalResult Differentiator::run() {
  if (!llvm::hasSingleElement(func.getBody()))
    return func.emitOpError("has more than one block; pp-autodiff needs one");
  body = &func.getBody().front();
  lastFunction = func;
  ret = cast<func::ReturnOp>(body->getTerminator());
  for (Operation &op : body->without_terminator()) {
    forwardOps.push_back(&op);
    isForward.insert(&op);
  }
  for (Operation *op : forwardOps) {
    if (op->getNumRegions() != 0)
      return op->emitOpError("has regions; pp-autodiff differentiates flat "
                             "graphs only");
    if (auto weight = dyn_cast<WeightOp>(op))
      if (rule.classify(weight).trainable)
        trainableWeights[weight.getName()].push_back(weight);
  }

  // Active: float values that depend on a float argument or a trainable
  // weight.
  for (BlockArgument arg : body->getArguments())
    if (isFloat(arg))
      active.insert(arg);
  for (auto &[name, weights] : trainableWeights)
    for (WeightOp weight : weights)
      active.insert(weight.getResult());
  for (Operation *op : forwardOps)
    if (llvm::any_of(op->getOperands(),
                     [&](Value v) { return active.contains(v); }))
      for (Value result : op->getResults())
        if (isFloat(result))
          active.insert(result);

  findVarying();
  builder.setInsertionPoint(ret);
  if (failed(seed()) || failed(buildBackward()))
    return failure();

  // Activations: active values computed from an argument (an embedding's
  // output is one, a transposed weight is not). B computes all their
  // cotangents, W only what turns them into weight gradients.
  fromArgs.insert(body->getArguments().begin(), body->getArguments().end());
  for (Operation *op : forwardOps)
    if (llvm::any_of(op->getOperands(),
                     [&](Value v) { return fromArgs.contains(v); }))
      fromArgs.insert(op->getResults().begin(), op->getResults().end());
  for (Value v : fromArgs)
    if (Value cotangent = cotangentOf.lookup(v))
      activationCotangents.push_back(cotangent);

  Location loc = func.getLoc();
  for (BlockArgument arg : body->getArguments())
    if (isFloat(arg)) {
      Value grad = settle(arg);
      argGradients.push_back(grad ? grad
                                  : buildZeros(builder, loc, arg.getType()));
    }
  for (auto &[name, weights] : trainableWeights) {
    Value sum;
    for (WeightOp weight : weights)
      if (Value grad = settle(weight.getResult()))
        sum = sum ? buildElementwise<AddOp>(builder, loc, {sum, grad}) : grad;
    weightGradients.push_back(
        sum ? sum : buildZeros(builder, loc, weights.front().getType()));
  }
  // The return reads the forward's results as the forward does: what it
  // returns is handed on, not recomputed.
  if (recompute != RecomputeKind::None) {
    SmallVector<Operation *> forward(forwardOps);
    forward.push_back(ret);
    recomputeLayers(forward, recompute);
  }
  split();
  return success();
}

LogicalResult Differentiator::seed() {
  Location loc = func.getLoc();
  if (!cotangents) {
    SmallVector<Value> floats;
    for (auto [i, result] : llvm::enumerate(ret.getOperands())) {
      if (!isFloat(result))
        continue;
      if (!shapeOf(result).empty())
        return func.emitOpError()
               << "result #" << i << " of type " << result.getType()
               << " is not a scalar loss; differentiate a pipeline stage "
                  "with cotangents=true";
      floats.push_back(result);
    }
    if (floats.size() != 1)
      return func.emitOpError()
             << "returns " << floats.size()
             << " float scalars; pp-autodiff needs exactly one loss";
    accumulate(floats.front(),
               buildScalar(builder, loc, elementTypeOf(floats.front()), 1.0));
    return success();
  }
  for (auto [i, result] : llvm::enumerate(ret.getOperands())) {
    if (!isFloat(result))
      continue;
    // A pipeline's last stage returns the loss: its cotangent is 1.
    if (func.getResultAttr(i, PPDialect::LossAttrHelper::getNameStr())) {
      accumulate(result, buildScalar(builder, loc, elementTypeOf(result), 1.0));
      continue;
    }
    // A value with no operands stands for the cotangent argument of B.
    Value placeholder =
        UnrealizedConversionCastOp::create(builder, loc, result.getType(),
                                           ValueRange())
            .getResult(0);
    placeholders.push_back({placeholder, unsigned(i)});
    accumulate(result, placeholder);
  }
  return success();
}

void Differentiator::accumulate(Value value, Value cotangent,
                                llvm::DenseMap<Value, Value> &into) {
  if (!active.contains(value))
    return;
  Value &slot = into[value];
  slot = slot ? buildElementwise<AddOp>(builder, value.getLoc(),
                                        {slot, cotangent})
              : cotangent;
}

void Differentiator::findVarying() {
  auto setGroup = [&](FlatSymbolRefAttr mesh, ArrayAttr axes) {
    if (!groupMesh) {
      groupMesh = mesh;
      groupAxes = axes;
    }
  };
  for (Operation *op : forwardOps) {
    bool varies = false;
    if (auto weight = dyn_cast<WeightOp>(op)) {
      ShardingAttr sharding = weight.getShardingAttr();
      varies = sharding && !sharding.isReplicated();
      if (varies)
        for (ArrayAttr axes : sharding.getDimAxes())
          if (!axes.empty())
            setGroup(sharding.getMesh(), axes);
    } else if (isa<AllReduceOp, AllGatherOp>(op)) {
      varies = false;
    } else if (auto loss = dyn_cast<CrossEntropyOp>(op);
               loss && loss.isVocabParallel()) {
      varies = false; // reduced over the group inside
    } else if (isa<GroupIndexOp, ReduceScatterOp, AllSliceOp, AllToAllOp>(
                   op)) {
      varies = true;
      setGroup(op->getAttrOfType<FlatSymbolRefAttr>("mesh"),
               op->getAttrOfType<ArrayAttr>("axes"));
    } else {
      varies = llvm::any_of(op->getOperands(),
                            [&](Value v) { return varying.contains(v); });
    }
    if (varies)
      varying.insert(op->getResults().begin(), op->getResults().end());
  }
}

/// The cotangent of `value` once its partial sums, if any, are summed over
/// the group.
Value Differentiator::settle(Value value) {
  auto it = partialOf.find(value);
  if (it == partialOf.end())
    return cotangentOf.lookup(value);
  Value partial = it->second;
  partialOf.erase(it);
  auto sum = ReductionKindAttr::get(func.getContext(), ReductionKind::sum);
  Value total = AllReduceOp::create(builder, value.getLoc(), partial.getType(),
                                    sum, partial, groupMesh, groupAxes);
  Value &slot = cotangentOf[value];
  slot = slot ? buildElementwise<AddOp>(builder, value.getLoc(), {slot, total})
              : total;
  return slot;
}

LogicalResult Differentiator::buildBackward() {
  for (Operation *op : llvm::reverse(forwardOps)) {
    // Sequence parallelism: partial sums whose value is only gathered are
    // reduce-scattered, the all-gather's transpose and the sum in one.
    if (auto gather = dyn_cast<AllGatherOp>(op);
        gather && partialOf.count(gather.getResult()) &&
        !cotangentOf.count(gather.getResult()) &&
        gather.getAxes() == groupAxes && gather.getMeshAttr() == groupMesh) {
      Value partial = partialOf.lookup(gather.getResult());
      partialOf.erase(gather.getResult());
      auto sum = ReductionKindAttr::get(func.getContext(), ReductionKind::sum);
      accumulate(gather.getInput(),
                 ReduceScatterOp::create(
                     builder, gather.getLoc(), gather.getInput().getType(),
                     sum, partial, groupMesh, groupAxes, gather.getDimAttr()));
      continue;
    }
    SmallVector<Value> resultCotangents;
    bool any = false;
    for (Value result : op->getResults()) {
      resultCotangents.push_back(settle(result));
      any |= bool(resultCotangents.back());
    }
    if (!any || llvm::none_of(op->getOperands(), [&](Value v) {
          return active.contains(v);
        }))
      continue;
    auto rule = dyn_cast<GradientInterface>(op);
    if (!rule)
      return op->emitOpError()
             << "has no gradient rule, and it lies on a path from a float "
                "argument or trainable weight to a differentiated result";
    builder.setInsertionPoint(ret);
    SmallVector<Value> grads = rule.buildGradients(builder, resultCotangents);
    // A collective's rule is exact; elsewhere a sharded result gives a
    // replicated operand only this rank's part.
    auto loss = dyn_cast<CrossEntropyOp>(op);
    bool partialForReplicated =
        !isa<AllReduceOp, AllGatherOp, ReduceScatterOp, AllSliceOp,
             AllToAllOp>(op) &&
        !(loss && loss.isVocabParallel()) &&
        llvm::any_of(op->getResults(), [&](Value v) {
          return varying.contains(v);
        });
    for (auto [operand, grad] : llvm::zip_equal(op->getOperands(), grads)) {
      if (!grad)
        continue;
      if (grad.getType() != operand.getType())
        return op->emitOpError()
               << "gradient rule built a cotangent of type " << grad.getType()
               << " for an operand of type " << operand.getType();
      if (partialForReplicated && !varying.contains(operand))
        accumulate(operand, grad, partialOf);
      else
        accumulate(operand, grad, cotangentOf);
    }
  }
  return success();
}

/// The new ops that `outputs` need, in block order.
llvm::SetVector<Operation *> sliceOf(ArrayRef<Value> outputs,
                                     const DenseSet<Operation *> &isForward,
                                     const DenseSet<Operation *> &exclude) {
  DenseSet<Operation *> seen;
  SmallVector<Operation *> work;
  auto visit = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (def && !isForward.contains(def) && !exclude.contains(def) &&
        seen.insert(def).second)
      work.push_back(def);
  };
  for (Value v : outputs)
    visit(v);
  while (!work.empty())
    for (Value operand : work.pop_back_val()->getOperands())
      visit(operand);
  SmallVector<Operation *> ordered(seen.begin(), seen.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  return llvm::SetVector<Operation *>(ordered.begin(), ordered.end());
}

void Differentiator::split() {
  // Placeholders belong to B: they are its arguments.
  DenseSet<Operation *> placeholderOps;
  for (auto [placeholder, index] : placeholders)
    placeholderOps.insert(placeholder.getDefiningOp());
  SmallVector<Value> bRoots(argGradients);
  llvm::append_range(bRoots, activationCotangents);
  llvm::SetVector<Operation *> bOps =
      sliceOf(bRoots, isForward, placeholderOps);
  DenseSet<Operation *> notW(placeholderOps);
  notW.insert(bOps.begin(), bOps.end());
  llvm::SetVector<Operation *> wOps =
      sliceOf(weightGradients, isForward, notW);

  // What each side reads from elsewhere.
  auto isBValue = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return def && (bOps.contains(def) || placeholderOps.contains(def));
  };
  auto isSavable = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return !def || (isForward.contains(def) && fromArgs.contains(v));
  };
  llvm::SetVector<Value> savedB, savedW, carried;
  auto collect = [&](const llvm::SetVector<Operation *> &ops,
                     ArrayRef<Value> outputs, llvm::SetVector<Value> &saved,
                     bool isW) {
    auto note = [&](Value v) {
      if (isSavable(v))
        saved.insert(v);
      else if (isW && isBValue(v))
        carried.insert(v);
    };
    for (Operation *op : ops)
      for (Value operand : op->getOperands())
        note(operand);
    for (Value v : outputs)
      note(v);
  };
  collect(bOps, argGradients, savedB, /*isW=*/false);
  collect(wOps, weightGradients, savedW, /*isW=*/true);

  // The forward's saved results: arguments first, then op results in
  // program order.
  SmallVector<Value> saved;
  auto keep = [&](Value v) {
    if (savedB.contains(v) || savedW.contains(v))
      saved.push_back(v);
  };
  for (BlockArgument arg : body->getArguments())
    keep(arg);
  for (Operation *op : forwardOps)
    for (Value result : op->getResults())
      keep(result);
  llvm::DenseMap<Value, int64_t> savedIndex;
  for (auto [i, v] : llvm::enumerate(saved))
    savedIndex[v] = i;
  auto inOrder = [&](const llvm::SetVector<Value> &set) {
    SmallVector<Value> values(set.begin(), set.end());
    llvm::sort(values, [&](Value a, Value b) {
      return savedIndex[a] < savedIndex[b];
    });
    return values;
  };
  SmallVector<Value> bSaved = inOrder(savedB), wSaved = inOrder(savedW);
  MLIRContext *context = func.getContext();
  auto indexAttr = [&](int64_t i) {
    return IntegerAttr::get(IntegerType::get(context, 64), i);
  };

  // B: saved, then cotangents -> argument cotangents, then carried.
  SmallVector<Value> bInputs(bSaved);
  for (auto [placeholder, index] : placeholders)
    bInputs.push_back(placeholder);
  SmallVector<Value> bOutputs(argGradients);
  bOutputs.append(carried.begin(), carried.end());
  func::FuncOp bFunc =
      buildFunction((func.getName() + "_b").str(), bInputs, bOps, bOutputs);
  for (auto [i, v] : llvm::enumerate(bSaved))
    bFunc.setArgAttr(i, PPDialect::SavedAttrHelper::getNameStr(),
                     indexAttr(savedIndex[v]));
  for (auto [i, entry] : llvm::enumerate(placeholders))
    bFunc.setArgAttr(bSaved.size() + i,
                     PPDialect::CotangentAttrHelper::getNameStr(),
                     indexAttr(entry.second));
  unsigned floatArg = 0;
  for (BlockArgument arg : body->getArguments())
    if (isFloat(arg))
      bFunc.setResultAttr(floatArg++,
                          PPDialect::ArgGradientAttrHelper::getNameStr(),
                          indexAttr(arg.getArgNumber()));
  for (size_t j = 0; j < carried.size(); ++j) {
    bFunc.setResultAttr(argGradients.size() + j,
                        PPDialect::CarriedAttrHelper::getNameStr(),
                        indexAttr(j));
  }

  // W: saved, then carried -> weight gradients.
  SmallVector<Value> wInputs(wSaved);
  wInputs.append(carried.begin(), carried.end());
  func::FuncOp wFunc = buildFunction((func.getName() + "_w").str(), wInputs,
                                     wOps, weightGradients);
  for (auto [i, v] : llvm::enumerate(wSaved))
    wFunc.setArgAttr(i, PPDialect::SavedAttrHelper::getNameStr(),
                     indexAttr(savedIndex[v]));
  for (size_t j = 0; j < carried.size(); ++j)
    wFunc.setArgAttr(wSaved.size() + j,
                     PPDialect::CarriedAttrHelper::getNameStr(), indexAttr(j));
  for (auto [i, entry] : llvm::enumerate(trainableWeights))
    wFunc.setResultAttr(i, PPDialect::WeightGradientAttrHelper::getNameStr(),
                        StringAttr::get(context, entry.first));

  // The forward: drop the backward ops, return the saved values too.
  SmallVector<Operation *> built;
  for (Operation &op : body->without_terminator())
    if (!isForward.contains(&op))
      built.push_back(&op);
  for (Operation *op : llvm::reverse(built))
    op->erase();
  unsigned results = ret.getNumOperands();
  SmallVector<Value> returned(ret.getOperands());
  returned.append(saved);
  ret->setOperands(returned);
  SmallVector<Type> resultTypes;
  for (Value v : returned)
    resultTypes.push_back(v.getType());
  SmallVector<DictionaryAttr> resultAttrs;
  func.getAllResultAttrs(resultAttrs);
  resultAttrs.resize(results);
  for (size_t k = 0; k < saved.size(); ++k)
    resultAttrs.push_back(DictionaryAttr::get(
        context, {NamedAttribute(PPDialect::SavedAttrHelper::getNameStr(),
                                 indexAttr(k))}));
  func.setFunctionType(
      FunctionType::get(context, func.getArgumentTypes(), resultTypes));
  func.setAllResultAttrs(resultAttrs);
}

func::FuncOp
Differentiator::buildFunction(StringRef name, ArrayRef<Value> inputs,
                              const llvm::SetVector<Operation *> &ops,
                              ArrayRef<Value> outputs) {
  OpBuilder b(func.getContext());
  b.setInsertionPointAfter(lastFunction);
  SmallVector<Type> inputTypes, outputTypes;
  for (Value v : inputs)
    inputTypes.push_back(v.getType());
  for (Value v : outputs)
    outputTypes.push_back(v.getType());
  auto newFunc = func::FuncOp::create(
      b, func.getLoc(), name, b.getFunctionType(inputTypes, outputTypes));
  if (func.isPrivate())
    newFunc.setPrivate();
  Block *entry = newFunc.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [input, arg] : llvm::zip_equal(inputs, entry->getArguments()))
    mapping.map(input, arg);
  // Forward values that do not depend on an argument are rebuilt, with
  // what they are computed from, on first read.
  std::function<void(Value)> rebuild = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (mapping.contains(v) || !def || !isForward.contains(def) ||
        fromArgs.contains(v))
      return;
    for (Value operand : def->getOperands())
      rebuild(operand);
    b.clone(*def, mapping);
  };
  for (Operation *op : ops) {
    for (Value operand : op->getOperands())
      rebuild(operand);
    b.clone(*op, mapping);
  }
  SmallVector<Value> mapped;
  for (Value v : outputs) {
    rebuild(v);
    mapped.push_back(mapping.lookup(v));
  }
  func::ReturnOp::create(b, func.getLoc(), mapped);
  lastFunction = newFunc;
  return newFunc;
}

} // namespace

LogicalResult mlir::pp::differentiate(ModuleOp module,
                                      ArrayRef<std::string> trainable,
                                      ArrayRef<std::string> frozen,
                                      bool cotangents,
                                      RecomputeKind recompute) {
  MLIRContext *context = module.getContext();
  auto rule = TrainabilityRule::create(trainable, frozen);
  if (!rule)
    return module.emitError()
           << "pp-autodiff: " << llvm::toString(rule.takeError());
  SmallVector<func::FuncOp> funcs;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal())
      funcs.push_back(func);
  // Which weights train and why, for plan.txt.
  llvm::MapVector<StringAttr, Attribute> classes;
  module.walk([&](WeightOp weight) {
    Trainability t = rule->classify(weight);
    classes.try_emplace(
        weight.getNameAttr(),
        StringAttr::get(context, (t.trainable ? "trainable: " : "frozen: ") +
                                     t.reason));
  });
  if (!classes.empty())
    module->setAttr(PPDialect::TrainabilityAttrHelper::getNameStr(),
                    DictionaryAttr::get(context,
                                        llvm::to_vector(llvm::map_range(
                                            classes, [](auto &entry) {
                                              return NamedAttribute(
                                                  entry.first, entry.second);
                                            }))));
  for (func::FuncOp func : funcs) {
    for (StringRef suffix : {"_b", "_w"})
      if (module.lookupSymbol((func.getName() + suffix).str()))
        return func.emitOpError()
               << "cannot be differentiated: @" << func.getName() << suffix
               << " exists already";
    if (failed(Differentiator(func, *rule, cotangents, recompute).run()))
      return failure();
  }
  return success();
}

namespace {

struct AutodiffPass : public mlir::pp::impl::AutodiffPassBase<AutodiffPass> {
  using AutodiffPassBase::AutodiffPassBase;
  void runOnOperation() override {
    if (failed(differentiate(getOperation(), trainable, frozen, cotangents)))
      signalPassFailure();
  }
};

} // namespace
