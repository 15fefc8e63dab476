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
#include "pp/Dialect/PP/Transforms/Recompute.h"
#include "pp/Dialect/PP/Transforms/StageUtils.h"

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

/// Moves each of `ops` (in reverse order) down to just before its first
/// reader.
void sinkToFirstReader(ArrayRef<Operation *> ops) {
  for (Operation *op : llvm::reverse(ops)) {
    Operation *first = nullptr;
    for (Operation *user : op->getUsers())
      if (!first || user->isBeforeInBlock(first))
        first = user;
    if (first && first != op->getNextNode())
      op->moveBefore(first);
  }
}

/// Orders the backward (`backward`, in block order, B then W) so that
/// what it reads dies early. Each W op first moves up to just after the
/// last op its operands come from (but not into the forward): a layer's
/// weight gradients then follow its B part instead of waiting for every
/// layer's. Then every backward op moves down to just before its first
/// reader: B computes factors from forward values (a GELU's derivative, an
/// activation's transpose for a weight gradient) long before it needs them.
void orderBackward(ArrayRef<Operation *> backward, size_t numB) {
  Operation *start = backward.front();
  for (Operation *op : backward.drop_front(numB)) {
    if (op == start)
      continue;
    Operation *after = nullptr;
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def && def->getBlock() == op->getBlock() &&
          (!after || after->isBeforeInBlock(def)))
        after = def;
    }
    if (!after || after->isBeforeInBlock(start))
      op->moveBefore(start);
    else
      op->moveAfter(after);
  }
  SmallVector<Operation *> order;
  llvm::DenseSet<Operation *> inBackward(backward.begin(), backward.end());
  for (Operation &op : *start->getBlock())
    if (inBackward.contains(&op))
      order.push_back(&op);
  sinkToFirstReader(order);
}

struct GradientProgramPass
    : public mlir::pp::impl::GradientProgramPassBase<GradientProgramPass> {
  using GradientProgramPassBase::GradientProgramPassBase;
  void runOnOperation() override;
};

void GradientProgramPass::runOnOperation() {
  ModuleOp module = getOperation();
  std::optional<RecomputeKind> kind = parseRecompute(recompute);
  if (!kind) {
    module.emitError() << "pp-gradient-program: recompute must be none, "
                          "full or selective, got '"
                       << recompute << "'";
    return signalPassFailure();
  }
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
  size_t numForward = entry->getOperations().size();
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
  size_t numForwardAndB = entry->getOperations().size();
  SmallVector<Value> grads = inlineBody(b, wFunc, wArgs);
  auto ops = llvm::map_to_vector(entry->getOperations(),
                                 [](Operation &op) { return &op; });
  ArrayRef<Operation *> forwardOps = ArrayRef(ops).take_front(numForward);
  if (numForward < ops.size())
    orderBackward(ArrayRef(ops).drop_front(numForward),
                  numForwardAndB - numForward);
  recomputeLayers(forwardOps, *kind);

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
