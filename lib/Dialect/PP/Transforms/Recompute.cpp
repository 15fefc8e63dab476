//===- Recompute.cpp - recompute each layer's own values in its backward -===//
//
// `--recompute=full` on one device (pp-gradient-program) and per pipeline
// stage (pp-stage-training, through pp-autodiff's core): see Recompute.h.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Recompute.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/Transforms/StageUtils.h"

#include "mlir/IR/IRMapping.h"

#include <map>

using namespace mlir;
using namespace mlir::pp;

std::optional<RecomputeKind> mlir::pp::parseRecompute(StringRef text) {
  if (text == "none")
    return RecomputeKind::None;
  if (text == "full")
    return RecomputeKind::Full;
  if (text == "selective")
    return RecomputeKind::Selective;
  return std::nullopt;
}

namespace {

/// A value of attention's core: its last two dims are equal and above one
/// (queries by keys, the sequence squared).
bool isAttentionCore(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() < 2)
    return false;
  int64_t rows = type.getDimSize(type.getRank() - 2);
  int64_t cols = type.getDimSize(type.getRank() - 1);
  return rows > 1 && rows == cols;
}

} // namespace

/// Recomputes, before the backward ops that read them, the values each
/// layer keeps to itself in the forward (`forward`, in order): what a
/// layer hands to another layer, or to ops of no layer, stays saved; under
/// Selective, so does everything outside attention's core.
void mlir::pp::recomputeLayers(ArrayRef<Operation *> forward,
                               RecomputeKind kind) {
  if (kind == RecomputeKind::None)
    return;
  llvm::DenseMap<Operation *, int64_t> layerOf;
  for (Operation *op : forward)
    layerOf[op] = layerIndexOf(op);
  auto inForward = [&](Operation *op) { return layerOf.contains(op); };
  // A layer's own value: made in the layer and read in the forward only
  // there (a layer's output goes to the next layer: it is saved).
  auto isInternal = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || !inForward(def) || layerOf[def] < 0)
      return false;
    if (kind == RecomputeKind::Selective && !isAttentionCore(v))
      return false;
    return llvm::all_of(v.getUsers(), [&](Operation *user) {
      return !inForward(user) || layerOf[user] == layerOf[def];
    });
  };

  // Per layer: the first backward op that reads one of its own values.
  std::map<int64_t, Operation *> firstReader;
  for (Operation *op : forward)
    for (Value v : op->getResults()) {
      if (!isInternal(v))
        continue;
      for (Operation *user : v.getUsers()) {
        if (inForward(user))
          continue;
        Operation *&first = firstReader[layerOf[op]];
        if (!first || user->isBeforeInBlock(first))
          first = user;
      }
    }

  for (auto [layer, first] : firstReader) {
    // The layer's ops that backward needs, and those they need in turn.
    llvm::DenseSet<Operation *> needed;
    SmallVector<Operation *> work;
    for (Operation *op : forward)
      if (layerOf[op] == layer &&
          llvm::any_of(op->getResults(), [&](Value v) {
            return isInternal(v) &&
                   llvm::any_of(v.getUsers(), [&](Operation *user) {
                     return !inForward(user);
                   });
          }))
        work.push_back(op);
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      if (!needed.insert(op).second)
        continue;
      for (Value operand : op->getOperands())
        if (isInternal(operand))
          work.push_back(operand.getDefiningOp());
    }
    // The copies, in forward order, then the backward reads them.
    OpBuilder b(first);
    IRMapping mapping;
    StringRef marker = PPDialect::RecomputedAttrHelper::getNameStr();
    for (Operation *op : forward)
      if (needed.contains(op))
        b.clone(*op, mapping)->setAttr(marker, b.getUnitAttr());
    for (Operation *op : forward)
      if (needed.contains(op))
        for (Value v : op->getResults())
          v.replaceUsesWithIf(mapping.lookup(v), [&](OpOperand &use) {
            return !inForward(use.getOwner()) &&
                   !use.getOwner()->hasAttr(marker);
          });
  }
}
