//===- Trainability.cpp - which weights training updates ------------------===//

#include "pp/Dialect/PP/Transforms/Trainability.h"

using namespace mlir;
using namespace mlir::pp;

llvm::Expected<TrainabilityRule>
TrainabilityRule::create(ArrayRef<std::string> trainableGlobs,
                         ArrayRef<std::string> frozenGlobs) {
  TrainabilityRule rule;
  auto compile = [](ArrayRef<std::string> texts,
                    SmallVector<Glob> &into) -> llvm::Error {
    for (const std::string &text : texts) {
      auto pattern = llvm::GlobPattern::create(text);
      if (!pattern)
        return pattern.takeError();
      into.push_back({text, std::move(*pattern)});
    }
    return llvm::Error::success();
  };
  if (llvm::Error error = compile(trainableGlobs, rule.trainable))
    return std::move(error);
  if (llvm::Error error = compile(frozenGlobs, rule.frozen))
    return std::move(error);
  return rule;
}

/// A matmul's result, perhaps summed or moved between tensor-parallel
/// ranks first (a row-parallel projection's all-reduce).
static bool isMatMulResult(Value value) {
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<AllReduceOp, ReduceScatterOp, AllGatherOp, AllSliceOp>(
          def))
    return isMatMulResult(def->getOperand(0));
  return isa_and_nonnull<MatMulOp>(def);
}

/// The role that makes a use of a weight (or of a view of it) trainable,
/// or null.
static const char *trainableRole(OpOperand &use) {
  Operation *user = use.getOwner();
  unsigned index = use.getOperandNumber();
  if (isa<MatMulOp>(user))
    return "matmul operand";
  if (isa<GatherOp>(user) && index == 0)
    return "gather table";
  if (isa<LayerNormOp, RmsNormOp>(user) && index > 0)
    return index == 1 ? "normalization scale" : "normalization bias";
  if (isa<AddOp>(user)) {
    Value other = user->getOperand(1 - index);
    if (isMatMulResult(other))
      return "bias added to a matmul result";
  }
  return nullptr;
}

/// The first trainable role among the uses of `value` and of its views.
static const char *findRole(Value value) {
  for (OpOperand &use : value.getUses()) {
    if (const char *role = trainableRole(use))
      return role;
    Operation *user = use.getOwner();
    if (isa<SliceOp, TransposeOp, ReshapeOp>(user))
      if (const char *role = findRole(user->getResult(0)))
        return role;
  }
  return nullptr;
}

Trainability TrainabilityRule::classify(WeightOp weight) const {
  StringRef name = weight.getName();
  if (!isa<FloatType>(weight.getType().getElementType()))
    return {false, "not a float"};
  for (const Glob &glob : frozen)
    if (glob.pattern.match(name))
      return {false, "matches frozen glob '" + glob.text + "'"};
  for (const Glob &glob : trainable)
    if (glob.pattern.match(name))
      return {true, "matches trainable glob '" + glob.text + "'"};
  if (const char *role = findRole(weight.getResult()))
    return {true, role};
  return {false, "not a matmul operand, gather table, normalization "
                 "parameter or matmul bias"};
}
