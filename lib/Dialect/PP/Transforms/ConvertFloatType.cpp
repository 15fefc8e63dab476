//===- ConvertFloatType.cpp - compute in bf16, f16 or f32 ----------------===//
//
// Narrows f32 to bf16 or f16, or widens bf16 and f16 to f32 (training a
// 16-bit model computes in f32). Changes types in place: pp ops carry no attribute that depends on the
// element type except pp.constant's value, which is converted, and
// pp.weight's file type, which is recorded.
//
// A training step (pp-apply-optimizer's @main) is mixed precision, as
// torch.autocast with an f32 optimizer: the weights it updates stay f32
// master copies (cast to the compute type where the model reads them), and
// so do the optimizer state, the step count and every op that computes the
// updates and the new state. The gradients and the loss are cast to f32
// where they leave the compute graph.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

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
    auto main = getOperation().lookupSymbol<func::FuncOp>("main");
    if (main && target != f32)
      if (std::optional<MasterPlan> plan = planMaster(main)) {
        master = std::move(*plan);
        for (Operation &op : main.getBody().front()) {
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
    if (master.ops.empty())
      return;

    // Where the two parts meet: master weights cast down for the model,
    // gradients (and anything else of the compute graph) cast up for the
    // optimizer, and the loss and gradients returned in f32.
    Operation *ret = main.getBody().front().getTerminator();
    llvm::DenseMap<Value, Value> down, up;
    auto ops = llvm::map_to_vector(main.getBody().front(),
                                   [](Operation &op) { return &op; });
    for (Operation *op : ops) {
      bool kept = keep(op) || op == ret;
      for (OpOperand &use : op->getOpOperands()) {
        Value v = use.get();
        auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
        if (!type)
          continue;
        Operation *def = v.getDefiningOp();
        bool fromKept = def ? keep(def) : master.args.contains(v);
        if (kept && type.getElementType() == target)
          use.set(castOnce(v, RankedTensorType::get(type.getShape(), f32), up));
        else if (!kept && fromKept && convert(type) != type)
          use.set(castOnce(v, convert(type), down));
      }
    }
    main.setType(FunctionType::get(context,
                                   main.getBody().front().getArgumentTypes(),
                                   ret->getOperandTypes()));
  }
};

} // namespace
