//===- ParamUse.cpp - the parameters a set of ops needs ------------------===//

#include "pp/Analysis/ParamUse.h"

#include "pp/Analysis/OpCost.h"
#include "pp/Dialect/PP/IR/PPDialect.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Finds parameters behind values, remembering which ops compute from
/// parameters and constants alone.
class ParamWalker {
public:
  void visit(Value value) {
    Operation *def = value.getDefiningOp();
    if (!def)
      return;
    if (isParam(def)) {
      params.insert(def);
      return;
    }
    if (parameterOnly(def))
      for (Value operand : def->getOperands())
        visit(operand);
  }

  llvm::SetVector<Operation *> params;

private:
  static bool isParam(Operation *op) {
    if (isa<WeightOp>(op))
      return true;
    if (auto constant = dyn_cast<ConstantOp>(op))
      return tensorBytes(constant.getType()) >= kParamConstantMinBytes;
    return false;
  }

  /// True when every value `op` reads comes, transitively, from weights and
  /// constants: no graph input, no received tensor. Iterative, because the
  /// def chain behind a stream op is as long as the model.
  bool parameterOnly(Operation *root) {
    llvm::SmallVector<Operation *> stack{root};
    while (!stack.empty()) {
      Operation *op = stack.back();
      if (memo.count(op)) {
        stack.pop_back();
        continue;
      }
      if (isa<WeightOp, ConstantOp>(op) || op->getNumOperands() == 0 ||
          op->getNumRegions() != 0 || isa<RecvOp>(op)) {
        memo[op] = isa<WeightOp, ConstantOp>(op);
        stack.pop_back();
        continue;
      }
      bool known = true, result = true;
      llvm::SmallVector<Operation *> pending;
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto it = def ? memo.find(def) : memo.end();
        if (!def || (it != memo.end() && !it->second)) {
          result = false;
          break;
        }
        if (it == memo.end()) {
          known = false;
          pending.push_back(def);
        }
      }
      if (!result || known) {
        memo[op] = result;
        stack.pop_back();
        continue;
      }
      stack.append(pending);
    }
    return memo.lookup(root);
  }

  llvm::DenseMap<Operation *, bool> memo;
};

} // namespace

llvm::SetVector<Operation *>
mlir::pp::paramsUsedBy(llvm::ArrayRef<Operation *> ops) {
  ParamWalker walker;
  for (Operation *op : ops)
    for (Value operand : op->getOperands())
      walker.visit(operand);
  return std::move(walker.params);
}

double mlir::pp::paramBytesUsedBy(llvm::ArrayRef<Operation *> ops) {
  double bytes = 0;
  for (Operation *param : paramsUsedBy(ops))
    bytes += tensorBytes(param->getResult(0).getType());
  return bytes;
}
