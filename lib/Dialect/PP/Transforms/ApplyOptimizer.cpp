//===- ApplyOptimizer.cpp - one optimizer step as pp ops -----------------===//
//
// The update is ordinary elementwise math, so it is written as pp ops in
// the gradient program instead of as runtime kernels: the emitter fuses
// each weight's update into one loop (cpu) or kernel (cuda), in the same
// program run that computed the gradient. State (momentum, Adam's moments)
// and the step count come in as arguments and go out as results; the
// runtime carries them from one step to the next.
//
// The formulas are torch's, with its default flags:
//   SGD:   g += wd * w;  buf = (t == 1) ? g : momentum * buf + g;
//          w -= lr * (momentum ? buf : g)
//   AdamW: w *= 1 - lr * wd;  m = b1 m + (1 - b1) g;
//          v = b2 v + (1 - b2) g^2;
//          w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//   clip_grad_norm_: g *= min(1, max_norm / (||all g||_2 + 1e-6))
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Optimizer.h"
#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <numeric>

namespace mlir::pp {
#define GEN_PASS_DEF_APPLYOPTIMIZERPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Builds the update math at one insertion point, on f32 values.
struct Math {
  OpBuilder &b;
  Location loc;
  Type f32;

  Value scalar(double v) { return buildScalar(b, loc, f32, v); }
  Value add(Value x, Value y) { return buildElementwise<AddOp>(b, loc, {x, y}); }
  Value sub(Value x, Value y) { return buildElementwise<SubOp>(b, loc, {x, y}); }
  Value mul(Value x, Value y) { return buildElementwise<MulOp>(b, loc, {x, y}); }
  Value div(Value x, Value y) { return buildElementwise<DivOp>(b, loc, {x, y}); }
  Value pow(Value x, Value y) { return buildElementwise<PowOp>(b, loc, {x, y}); }
  Value min(Value x, Value y) { return buildElementwise<MinOp>(b, loc, {x, y}); }
  Value sqrt(Value x) {
    return SqrtOp::create(b, loc, x.getType(), x).getResult();
  }
  Value scale(Value x, double s) { return mul(x, scalar(s)); }
  /// x * a + y * c for scalars a and c.
  Value axpby(double a, Value x, double c, Value y) {
    return add(scale(x, a), scale(y, c));
  }
  Value sumOfSquares(Value g) {
    SmallVector<int64_t> dims(shapeOf(g).size());
    std::iota(dims.begin(), dims.end(), 0);
    return buildReduce(b, loc, ReduceKind::sum, mul(g, g), dims,
                       /*keepdims=*/false);
  }
};

} // namespace

LogicalResult mlir::pp::applyOptimizer(func::FuncOp main,
                                       const OptimizerConfig &config) {
  MLIRContext *context = main.getContext();
  const std::string &optimizer = config.optimizer;
  double lr = config.lr, momentum = config.momentum, beta1 = config.beta1,
         beta2 = config.beta2, eps = config.eps, gradClip = config.gradClip;
  bool adamw = optimizer == "adamw";
  if (!adamw && optimizer != "sgd")
    return main.emitError() << "unknown optimizer '" << optimizer
                            << "'; expected sgd or adamw";
  if (lr <= 0 || momentum < 0 || gradClip < 0 || eps < 0 || beta1 < 0 ||
      beta1 >= 1 || beta2 < 0 || beta2 >= 1)
    return main.emitError("pp-apply-optimizer needs lr > 0, momentum >= 0, "
                          "grad-clip >= 0, eps >= 0 and betas in [0, 1)");
  double decay = config.weightDecay >= 0 ? config.weightDecay
                 : adamw                 ? 0.01
                                         : 0.0;

  StringRef gradientAttr = PPDialect::WeightGradientAttrHelper::getNameStr();
  StringRef nameAttr = PPDialect::NameAttrHelper::getNameStr();
  Block &body = main.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());

  // The gradients and the weights they belong to.
  DenseMap<StringAttr, WeightOp> weights;
  main.walk([&](WeightOp w) { weights.try_emplace(w.getNameAttr(), w); });
  SmallVector<std::pair<Value, WeightOp>> params;
  for (unsigned i = 0; i < main.getNumResults(); ++i) {
    auto name = main.getResultAttrOfType<StringAttr>(i, gradientAttr);
    if (!name)
      continue;
    WeightOp w = weights.lookup(name);
    Value g = ret.getOperand(i);
    if (!w || w.getResult().getType() != g.getType() ||
        !elementTypeOf(g).isF32()) {
      return main.emitError()
             << "gradient '" << name.getValue()
             << "' has no f32 pp.weight of its type in @" << main.getName();
    }
    params.push_back({g, w});
  }
  if (params.empty()) {
    return main.emitError()
           << "@" << main.getName()
           << " returns no gradient (pp.weight_gradient); run "
              "pp-gradient-program first";
  }

  OpBuilder b(ret);
  Location loc = main.getLoc();
  Type f32 = b.getF32Type();
  Math m{b, loc, f32};
  StringRef stateAttr = PPDialect::OptimizerStateAttrHelper::getNameStr();
  auto appendArgument = [&](Type type, ArrayRef<NamedAttribute> attrs) {
    unsigned index = main.getNumArguments();
    if (failed(main.insertArgument(index, type,
                                   b.getDictionaryAttr(attrs), loc)))
      llvm_unreachable("appending an argument cannot fail");
    return main.getArgument(index);
  };
  Value step = appendArgument(
      RankedTensorType::get({}, f32),
      {b.getNamedAttr(nameAttr, b.getStringAttr("step")),
       b.getNamedAttr(PPDialect::StepAttrHelper::getNameStr(),
                      b.getUnitAttr())});
  SmallVector<Value> results(ret.getOperands());
  SmallVector<std::pair<std::string, Value>> updates, states;

  // Global-norm clipping scales every gradient by one factor.
  Value clip;
  if (gradClip > 0) {
    Value norm;
    if (config.gradNormInput) {
      // The norm spans other functions' gradients: the runtime measures it.
      norm = appendArgument(
          RankedTensorType::get({}, f32),
          {b.getNamedAttr(nameAttr, b.getStringAttr("grad_norm")),
           b.getNamedAttr(PPDialect::GradNormAttrHelper::getNameStr(),
                          b.getUnitAttr())});
    } else {
      Value total = m.sumOfSquares(params.front().first);
      for (auto &param : llvm::drop_begin(params))
        total = m.add(total, m.sumOfSquares(param.first));
      norm = m.sqrt(total);
    }
    norm = m.add(norm, m.scalar(1e-6));
    clip = m.min(m.div(m.scalar(gradClip), norm), m.scalar(1.0));
  }
  auto stateArg = [&](StringRef weight, StringRef slot, Type type) {
    StringAttr name = b.getStringAttr(weight + "." + slot);
    return appendArgument(type, {b.getNamedAttr(nameAttr, name),
                                 b.getNamedAttr(stateAttr, name)});
  };
  for (auto &[g, w] : params) {
    StringRef name = w.getName();
    Type type = g.getType();
    Value weight = w.getResult();
    if (clip)
      g = m.mul(g, clip);
    Value updated;
    if (!adamw) {
      if (decay != 0)
        g = m.add(g, m.scale(weight, decay));
      if (momentum != 0) {
        // torch starts the buffer at the first gradient: at t == 1 the
        // buffer argument (zeros) is ignored.
        Value buf = stateArg(name, "momentum_buffer", type);
        Value first = EqualOp::create(
            b, loc, RankedTensorType::get({}, b.getI1Type()), step,
            m.scalar(1.0));
        Value next = m.add(m.scale(buf, momentum), g);
        g = SelectOp::create(b, loc, type, first, g, next).getResult();
        states.push_back({(name + ".momentum_buffer").str(), g});
      }
      updated = m.sub(weight, m.scale(g, lr));
    } else {
      Value decayed = m.scale(weight, 1.0 - lr * decay);
      Value mPrev = stateArg(name, "exp_avg", type);
      Value vPrev = stateArg(name, "exp_avg_sq", type);
      Value mNext = m.axpby(beta1, mPrev, 1.0 - beta1, g);
      Value vNext = m.axpby(beta2, vPrev, 1.0 - beta2, m.mul(g, g));
      Value bc1 = m.sub(m.scalar(1.0), m.pow(m.scalar(beta1), step));
      Value bc2 = m.sub(m.scalar(1.0), m.pow(m.scalar(beta2), step));
      Value denom = m.add(m.div(m.sqrt(vNext), m.sqrt(bc2)), m.scalar(eps));
      Value stepSize = m.div(m.scalar(lr), bc1);
      updated = m.sub(decayed, m.mul(stepSize, m.div(mNext, denom)));
      states.push_back({(name + ".exp_avg").str(), mNext});
      states.push_back({(name + ".exp_avg_sq").str(), vNext});
    }
    updates.push_back({name.str(), updated});
  }

  // Names for the runtime: each update and new state after the loss and
  // the gradients.
  SmallVector<DictionaryAttr> resultAttrs;
  main.getAllResultAttrs(resultAttrs);
  for (auto &[name, value] : updates) {
    results.push_back(value);
    resultAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr(nameAttr, b.getStringAttr(name + ".updated")),
         b.getNamedAttr(PPDialect::WeightUpdateAttrHelper::getNameStr(),
                        b.getStringAttr(name))}));
  }
  for (auto &[name, value] : states) {
    results.push_back(value);
    resultAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr(nameAttr, b.getStringAttr(name + ".next")),
         b.getNamedAttr(stateAttr, b.getStringAttr(name))}));
  }
  ret->setOperands(results);
  main.setType(FunctionType::get(context, body.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  main.setAllResultAttrs(resultAttrs);
  return success();
}

namespace {

struct ApplyOptimizerPass
    : public mlir::pp::impl::ApplyOptimizerPassBase<ApplyOptimizerPass> {
  using ApplyOptimizerPassBase::ApplyOptimizerPassBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal()) {
      module.emitError("pp-apply-optimizer needs func.func @main");
      return signalPassFailure();
    }
    OptimizerConfig config{optimizer, lr,    momentum, weightDecay,
                           beta1,     beta2, eps,      gradClip};
    if (failed(applyOptimizer(main, config)))
      signalPassFailure();
  }
};

} // namespace
