//===- GradientProgram.cpp - forward, B and W joined into one function ---===//
//
// pp-autodiff leaves three functions so that a pipeline schedule can run
// F, B and W as separate actions. On one device they always run back to
// back, so this pass inlines them into one @main returning the loss and
// the weight gradients: the program emitter then compiles a training
// step's gradient computation like any inference graph.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::pp {
#define GEN_PASS_DEF_GRADIENTPROGRAMPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Clones the body of the single-block `callee` at `b`'s insertion point
/// with its arguments bound to `args`; returns the values it returns.
SmallVector<Value> inlineBody(OpBuilder &b, func::FuncOp callee,
                              ValueRange args) {
  Block &body = callee.getBody().front();
  IRMapping mapping;
  mapping.map(body.getArguments(), args);
  for (Operation &op : body.without_terminator())
    b.clone(op, mapping);
  return llvm::map_to_vector(body.getTerminator()->getOperands(),
                             [&](Value v) { return mapping.lookup(v); });
}

/// The value of attribute `attr` on argument or result `i` of `func`.
std::optional<int64_t> indexAttr(func::FuncOp func, unsigned i, StringRef attr,
                                 bool result) {
  auto value = result ? func.getResultAttrOfType<IntegerAttr>(i, attr)
                      : func.getArgAttrOfType<IntegerAttr>(i, attr);
  if (!value)
    return std::nullopt;
  return value.getInt();
}

struct GradientProgramPass
    : public mlir::pp::impl::GradientProgramPassBase<GradientProgramPass> {
  void runOnOperation() override;
};

void GradientProgramPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto forward = module.lookupSymbol<func::FuncOp>("main");
  auto bFunc = module.lookupSymbol<func::FuncOp>("main_b");
  auto wFunc = module.lookupSymbol<func::FuncOp>("main_w");
  if (!forward || !bFunc || !wFunc) {
    module.emitError("pp-gradient-program needs @main, @main_b and @main_w; "
                     "run pp-autodiff first");
    return signalPassFailure();
  }
  StringRef savedAttr = PPDialect::SavedAttrHelper::getNameStr();
  StringRef carriedAttr = PPDialect::CarriedAttrHelper::getNameStr();
  StringRef cotangentAttr = PPDialect::CotangentAttrHelper::getNameStr();
  StringRef gradientAttr = PPDialect::WeightGradientAttrHelper::getNameStr();
  StringRef nameAttr = PPDialect::NameAttrHelper::getNameStr();

  // The forward's results: the loss, then the saved values (pp.saved = k).
  unsigned numResults = forward.getNumResults();
  unsigned numOriginal = 0;
  while (numOriginal < numResults &&
         !indexAttr(forward, numOriginal, savedAttr, /*result=*/true))
    ++numOriginal;
  if (numOriginal != 1) {
    forward.emitOpError() << "returns " << numOriginal
                          << " results before its saved values; "
                             "pp-gradient-program needs one, the loss";
    return signalPassFailure();
  }
  for (unsigned i = 0; i < bFunc.getNumArguments(); ++i)
    if (indexAttr(bFunc, i, cotangentAttr, /*result=*/false)) {
      bFunc.emitOpError("takes result cotangents (a pipeline stage); "
                        "pp-gradient-program needs a scalar loss");
      return signalPassFailure();
    }

  OpBuilder b(forward);
  auto step = func::FuncOp::create(b, forward.getLoc(), "main_step",
                                   forward.getFunctionType());
  step.setAllArgAttrs(forward.getAllArgAttrs());
  Block *entry = step.addEntryBlock();
  b.setInsertionPointToStart(entry);

  SmallVector<Value> fwd = inlineBody(b, forward, entry->getArguments());
  DenseMap<int64_t, Value> saved, carried;
  for (unsigned i = numOriginal; i < numResults; ++i)
    saved[*indexAttr(forward, i, savedAttr, true)] = fwd[i];
  auto argsOf = [&](func::FuncOp f) {
    SmallVector<Value> args;
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      if (std::optional<int64_t> k = indexAttr(f, i, savedAttr, false))
        args.push_back(saved.lookup(*k));
      else if (std::optional<int64_t> j = indexAttr(f, i, carriedAttr, false))
        args.push_back(carried.lookup(*j));
      else
        args.push_back({});
    }
    return args;
  };
  SmallVector<Value> bArgs = argsOf(bFunc);
  SmallVector<Value> bResults = inlineBody(b, bFunc, bArgs);
  for (unsigned i = 0; i < bFunc.getNumResults(); ++i)
    if (std::optional<int64_t> j = indexAttr(bFunc, i, carriedAttr, true))
      carried[*j] = bResults[i];
  SmallVector<Value> wArgs = argsOf(wFunc);
  if (llvm::is_contained(bArgs, Value()) || llvm::is_contained(wArgs, Value())) {
    module.emitError("pp-gradient-program: an argument of @main_b or @main_w "
                     "is neither a saved nor a carried value");
    return signalPassFailure();
  }
  SmallVector<Value> grads = inlineBody(b, wFunc, wArgs);

  SmallVector<Value> results{fwd.front()};
  llvm::append_range(results, grads);
  func::ReturnOp::create(b, forward.getLoc(), results);
  step.setType(b.getFunctionType(step.getArgumentTypes(),
                                 TypeRange(ValueRange(results))));
  step.setResultAttr(0, nameAttr, b.getStringAttr("loss"));
  step.setResultAttr(0, PPDialect::LossAttrHelper::getNameStr(),
                     b.getUnitAttr());
  for (unsigned i = 0; i < grads.size(); ++i) {
    auto weight = wFunc.getResultAttrOfType<StringAttr>(i, gradientAttr);
    step.setResultAttr(i + 1, gradientAttr, weight);
    step.setResultAttr(i + 1, nameAttr, weight);
  }
  forward.erase();
  bFunc.erase();
  wFunc.erase();
  step.setSymName("main");
}

} // namespace
