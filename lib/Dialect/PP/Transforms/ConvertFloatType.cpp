//===- ConvertFloatType.cpp - compute in bf16, f16 or f32 ----------------===//
//
// Narrows f32 to bf16 or f16, or widens bf16 and f16 to f32 (training a
// 16-bit model computes in f32). Changes types in place: pp ops carry no attribute that depends on the
// element type except pp.constant's value, which is converted, and
// pp.weight's file type, which is recorded.
//
// A training step (pp-apply-optimizer's @main, or pp-stage-training's
// F, B, W and update functions) is mixed precision, as torch.autocast with
// an f32 optimizer: the weights it updates stay f32 master copies (cast to
// the compute type where the model reads them), and so do the optimizer
// state, the step count and every op that computes the updates and the new
// state. The gradients and the loss are cast to f32 where they leave the
// compute graph, so a stage's accumulators add up in f32; what its stash
// and messages hold is in the compute type, and the stash is laid out anew.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Dialect/PP/Transforms/StashLayout.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::pp {
#define GEN_PASS_DEF_CONVERTFLOATTYPEPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// What a training step keeps in f32.
struct MasterPlan {
  /// The optimizer's ops and the weights it updates.
  llvm::DenseSet<Operation *> ops;
  /// Its arguments: the step count and the state.
  llvm::DenseSet<Value> args;
  /// The functions where the two parts meet, and which of their results
  /// leave in f32.
  SmallVector<std::pair<func::FuncOp, llvm::BitVector>> mixed;
};

/// Every op that `roots` need, stopping at `stop` (and at arguments).
void collectSlice(ArrayRef<Value> roots, llvm::DenseSet<Operation *> &slice,
                  llvm::DenseSet<Value> *args,
                  function_ref<bool(Operation *)> stop) {
  SmallVector<Value> work(roots.begin(), roots.end());
  while (!work.empty()) {
    Value v = work.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (!def) {
      if (args)
        args->insert(v);
      continue;
    }
    if (stop(def) || !slice.insert(def).second)
      continue;
    llvm::append_range(work, def->getOperands());
  }
}

/// The f32 part of a training step, or nothing for any other function.
std::optional<MasterPlan> planMaster(func::FuncOp main) {
  StringRef update = PPDialect::WeightUpdateAttrHelper::getNameStr();
  StringRef state = PPDialect::OptimizerStateAttrHelper::getNameStr();
  Operation *ret = main.getBody().front().getTerminator();
  SmallVector<Value> computeRoots, optimizerRoots;
  for (unsigned i = 0; i < main.getNumResults(); ++i) {
    bool optimizer = main.getResultAttr(i, update) ||
                     main.getResultAttr(i, state);
    (optimizer ? optimizerRoots : computeRoots).push_back(ret->getOperand(i));
  }
  if (optimizerRoots.empty())
    return std::nullopt;
  // The loss and the gradients compute in the 16-bit type; the optimizer
  // reads them (cast) but not what they read, except the weights.
  llvm::DenseSet<Operation *> compute;
  collectSlice(computeRoots, compute, nullptr,
               [](Operation *) { return false; });
  MasterPlan plan;
  collectSlice(optimizerRoots, plan.ops, &plan.args, [&](Operation *op) {
    return compute.contains(op) && !isa<WeightOp>(op);
  });
  llvm::BitVector all(main.getNumResults(), true);
  plan.mixed.push_back({main, all});
  return plan;
}

bool hasResultAttr(func::FuncOp func, StringRef name) {
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (func.getResultAttr(i, name))
      return true;
  return false;
}

/// The f32 part of a pipeline's training step (pp-stage-training's
/// functions), or nothing for any other module: the update functions
/// whole; in F, B and W the master weights, the accumulators and the loss
/// scale, and the ops that add into the accumulators.
std::optional<MasterPlan> planStageMaster(ModuleOp module) {
  StringRef update = PPDialect::WeightUpdateAttrHelper::getNameStr();
  SmallVector<func::FuncOp> updates, steps;
  for (auto func : module.getOps<func::FuncOp>())
    (hasResultAttr(func, update) ? updates : steps).push_back(func);
  if (updates.empty())
    return std::nullopt;
  MasterPlan plan;
  llvm::StringSet<> masters;
  for (func::FuncOp func : updates) {
    func.walk([&](Operation *op) {
      plan.ops.insert(op);
      if (auto weight = dyn_cast<WeightOp>(op))
        masters.insert(weight.getName());
    });
    plan.args.insert_range(func.getArguments());
  }
  StringRef accumulator = PPDialect::AccumulatorAttrHelper::getNameStr();
  StringRef lossScale = PPDialect::LossScaleAttrHelper::getNameStr();
  StringRef gradient = PPDialect::WeightGradientAttrHelper::getNameStr();
  StringRef loss = PPDialect::LossAttrHelper::getNameStr();
  for (func::FuncOp func : steps) {
    SmallVector<Value> work;
    for (BlockArgument arg : func.getArguments())
      if (func.getArgAttr(arg.getArgNumber(), accumulator) ||
          func.getArgAttr(arg.getArgNumber(), lossScale)) {
        plan.args.insert(arg);
        work.push_back(arg);
      }
    while (!work.empty())
      for (Operation *user : work.pop_back_val().getUsers())
        if (!isa<func::ReturnOp>(user) && plan.ops.insert(user).second)
          llvm::append_range(work, user->getResults());
    func.walk([&](WeightOp weight) {
      if (masters.contains(weight.getName()))
        plan.ops.insert(weight);
    });
    llvm::BitVector wide(func.getNumResults());
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      if (func.getResultAttr(i, gradient) || func.getResultAttr(i, loss))
        wide.set(i);
    plan.mixed.push_back({func, wide});
  }
  return plan;
}

/// Casts `value` to `type` once, right after it is made.
Value castOnce(Value value, Type type, llvm::DenseMap<Value, Value> &casts) {
  Value &cast = casts[value];
  if (!cast) {
    OpBuilder b(value.getContext());
    b.setInsertionPointAfterValue(value);
    cast = CastOp::create(b, value.getLoc(), type, value);
  }
  return cast;
}

struct ConvertFloatTypePass
    : public mlir::pp::impl::ConvertFloatTypePassBase<ConvertFloatTypePass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    Type f32 = Float32Type::get(context);
    Type target;
    SmallVector<Type, 2> from{f32};
    if (to == "bf16")
      target = BFloat16Type::get(context);
    else if (to == "f16")
      target = Float16Type::get(context);
    else if (to == "f32")
      from = {BFloat16Type::get(context), Float16Type::get(context)};
    if (to == "f32")
      target = f32;
    if (!target) {
      emitError(getOperation().getLoc())
          << "pp-convert-float-type: unknown type '" << to
          << "'; expected bf16, f16 or f32";
      return signalPassFailure();
    }
    auto isSource = [&](Type element) {
      return llvm::is_contained(from, element);
    };
    auto convert = [&](Type type) -> Type {
      auto tensor = llvm::dyn_cast<RankedTensorType>(type);
      if (!tensor || !isSource(tensor.getElementType()))
        return type;
      return RankedTensorType::get(tensor.getShape(), target);
    };

    // A training step keeps its optimizer in f32; a constant it shares with
    // the compute graph (CSE merged them) gets its own f32 copy.
    MasterPlan master;
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    std::optional<MasterPlan> plan;
    if (target != f32)
      plan = main ? planMaster(main) : planStageMaster(module);
    if (plan) {
      master = std::move(*plan);
      for (auto &[func, wide] : master.mixed)
        for (Operation &op : func.getBody().front()) {
          auto constant = dyn_cast<ConstantOp>(op);
          if (!constant || master.ops.contains(&op))
            continue;
          Operation *copy = nullptr;
          for (OpOperand &use : llvm::make_early_inc_range(constant->getUses()))
            if (master.ops.contains(use.getOwner())) {
              if (!copy) {
                OpBuilder b(&op);
                copy = b.clone(op);
                master.ops.insert(copy);
              }
              use.set(copy->getResult(0));
            }
        }
    }
    auto keep = [&](Operation *op) { return master.ops.contains(op); };

    getOperation().walk([&](Operation *op) {
      if (keep(op))
        return;
      if (auto func = dyn_cast<func::FuncOp>(op)) {
        for (BlockArgument arg : func.getArguments())
          if (!master.args.contains(arg))
            arg.setType(convert(arg.getType()));
        FunctionType type = func.getFunctionType();
        SmallVector<Type> inputs, results;
        for (Type t : type.getInputs())
          inputs.push_back(convert(t));
        for (Type t : type.getResults())
          results.push_back(convert(t));
        func.setType(FunctionType::get(context, inputs, results));
        return;
      }
      if (auto weight = dyn_cast<WeightOp>(op)) {
        Type element = llvm::cast<ShapedType>(weight.getType()).getElementType();
        if (isSource(element) && !weight.getFileElementType())
          weight.setFileElementType(element);
      }
      if (auto constant = dyn_cast<ConstantOp>(op)) {
        auto value = llvm::dyn_cast<DenseElementsAttr>(constant.getValue());
        if (value && isSource(value.getElementType())) {
          auto type = llvm::cast<ShapedType>(convert(value.getType()));
          auto floatType = llvm::cast<FloatType>(target);
          constant.setValueAttr(value.mapValues(target, [&](const APFloat &v) {
            APFloat copy = v;
            bool lost;
            copy.convert(floatType.getFloatSemantics(),
                         APFloat::rmNearestTiesToEven, &lost);
            return copy.bitcastToAPInt();
          }).reshape(type));
        }
      }
      for (Value result : op->getResults())
        result.setType(convert(result.getType()));
    });
    if (!master.mixed.empty())
      for (auto &[func, wide] : master.mixed)
        castAtBorders(func, wide, master, convert, target, f32);
    if (plan && !main)
      layOutStashes(module);
    updateInputTypes(module);
  }

  /// Where the two parts meet: master weights cast down for the model,
  /// compute values cast up for the optimizer, and each result in f32 or
  /// the compute type as `wide` says.
  void castAtBorders(func::FuncOp func, const llvm::BitVector &wide,
                     const MasterPlan &master,
                     function_ref<Type(Type)> convert, Type target,
                     Type f32) {
    auto keep = [&](Operation *op) { return master.ops.contains(op); };
    Operation *ret = func.getBody().front().getTerminator();
    llvm::DenseMap<Value, Value> down, up;
    auto ops = llvm::map_to_vector(func.getBody().front(),
                                   [](Operation &op) { return &op; });
    for (Operation *op : ops) {
      for (OpOperand &use : op->getOpOperands()) {
        Value v = use.get();
        auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
        if (!type)
          continue;
        Operation *def = v.getDefiningOp();
        bool fromKept = def ? keep(def) : master.args.contains(v);
        bool kept = op == ret ? wide.test(use.getOperandNumber()) : keep(op);
        if (kept && type.getElementType() == target)
          use.set(castOnce(v, RankedTensorType::get(type.getShape(), f32), up));
        else if (!kept && fromKept && convert(type) != type)
          use.set(castOnce(v, convert(type), down));
      }
    }
    func.setType(FunctionType::get(&getContext(),
                                   func.getBody().front().getArgumentTypes(),
                                   ret->getOperandTypes()));
  }

  /// Each stage's stash slot, laid out again for its narrower values.
  void layOutStashes(ModuleOp module) {
    for (auto f : module.getOps<func::FuncOp>()) {
      auto b = module.lookupSymbol<func::FuncOp>((f.getName() + "_b").str());
      auto w = module.lookupSymbol<func::FuncOp>((f.getName() + "_w").str());
      if (b && w)
        layOutStash(f, b, w);
    }
  }

  /// A pipeline's program inputs (pp.inputs) take the type their stage
  /// functions now read them in.
  void updateInputTypes(ModuleOp module) {
    StringRef name = PPDialect::InputsAttrHelper::getNameStr();
    auto inputs = module->getAttrOfType<ArrayAttr>(name);
    if (!inputs)
      return;
    SmallVector<Attribute> types(inputs.begin(), inputs.end());
    StringRef index = PPDialect::InputIndexAttrHelper::getNameStr();
    for (auto func : module.getOps<func::FuncOp>())
      for (BlockArgument arg : func.getArguments())
        if (auto i = func.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(),
                                                        index))
          if (i.getInt() >= 0 && i.getInt() < int64_t(types.size()))
            types[i.getInt()] = TypeAttr::get(arg.getType());
    module->setAttr(name, ArrayAttr::get(&getContext(), types));
  }
};

} // namespace
