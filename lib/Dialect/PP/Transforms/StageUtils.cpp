//===- StageUtils.cpp - the residual stream of a model --------------------===//

#include "pp/Dialect/PP/Transforms/StageUtils.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "llvm/Support/Regex.h"

using namespace mlir;
using namespace mlir::pp;

StreamInfo mlir::pp::analyzeStream(func::FuncOp func) {
  StreamInfo info;
  llvm::DenseSet<Value> fromInput, fromWeight;
  for (BlockArgument arg : func.getArguments())
    fromInput.insert(arg);
  for (Operation &op : func.getBody().front().without_terminator()) {
    bool input = false, weight = isa<WeightOp>(op);
    for (Value operand : op.getOperands()) {
      input |= fromInput.contains(operand);
      weight |= fromWeight.contains(operand);
    }
    for (Value result : op.getResults()) {
      if (input)
        fromInput.insert(result);
      if (weight)
        fromWeight.insert(result);
      if (input && weight)
        info.streamValues.insert(result);
    }
    if (input && weight) {
      info.position[&op] = info.streamOps.size();
      info.streamOps.push_back(&op);
    }
  }

  // Count live stream values across each position with +1 at the
  // definition and -1 after the last read.
  size_t n = info.streamOps.size();
  SmallVector<int64_t> delta(n + 2, 0);
  for (Value v : info.streamValues) {
    size_t def = info.position.lookup(v.getDefiningOp());
    size_t last = def;
    for (Operation *user : v.getUsers()) {
      auto it = info.position.find(user);
      last = std::max(last, it == info.position.end() ? n : it->second);
    }
    if (last > def) {
      delta[def + 1] += 1;
      delta[last + 1] -= 1;
    }
  }
  int64_t live = 0;
  for (size_t c = 0; c <= n; ++c) {
    live += delta[c];
    if (c == 0 || c == n || live == 1)
      info.cutPoints.push_back(c);
  }
  return info;
}

SmallVector<Value> StreamInfo::liveAcross(size_t c) const {
  SmallVector<Value> live;
  for (Operation *op : streamOps) {
    if (position.lookup(op) >= c)
      break;
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers()) {
        auto it = position.find(user);
        if (it == position.end() || it->second >= c) {
          live.push_back(result);
          break;
        }
      }
  }
  return live;
}

int64_t mlir::pp::layerIndexOf(Operation *op) {
  NameLoc loc = dyn_cast<NameLoc>(op->getLoc());
  if (auto fused = dyn_cast<FusedLoc>(op->getLoc()))
    for (Location inner : fused.getLocations())
      if ((loc = dyn_cast<NameLoc>(inner)))
        break;
  if (!loc)
    return -1;
  static const llvm::Regex component("^[A-Za-z_][A-Za-z0-9_]*\\.([0-9]+)$");
  SmallVector<StringRef> parts;
  loc.getName().getValue().split(parts, '/');
  for (StringRef part : parts) {
    SmallVector<StringRef> groups;
    if (component.match(part, &groups)) {
      int64_t index;
      if (!groups[1].getAsInteger(10, index))
        return index;
    }
  }
  return -1;
}
