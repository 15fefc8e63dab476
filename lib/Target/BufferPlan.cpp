//===- BufferPlan.cpp - liveness-based arena planning --------------------===//

#include "BufferPlan.h"

#include "mlir/IR/BuiltinTypes.h"

#include <map>

using namespace mlir;
using namespace mlir::pp;

namespace {
constexpr uint64_t kAlignment = 256;

uint64_t alignUp(uint64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

/// Free arena ranges keyed by offset, merged when adjacent.
class FreeList {
public:
  uint64_t allocate(uint64_t bytes, uint64_t &arenaEnd) {
    for (auto it = ranges.begin(); it != ranges.end(); ++it) {
      if (it->second < bytes)
        continue;
      uint64_t offset = it->first, size = it->second;
      ranges.erase(it);
      if (size > bytes)
        ranges[offset + bytes] = size - bytes;
      return offset;
    }
    // Grow the arena, reusing a free tail if there is one.
    if (!ranges.empty()) {
      auto last = std::prev(ranges.end());
      if (last->first + last->second == arenaEnd) {
        uint64_t offset = last->first;
        ranges.erase(last);
        arenaEnd = offset + bytes;
        return offset;
      }
    }
    uint64_t offset = arenaEnd;
    arenaEnd += bytes;
    return offset;
  }

  void release(uint64_t offset, uint64_t bytes) {
    auto [it, inserted] = ranges.emplace(offset, bytes);
    (void)inserted;
    auto next = std::next(it);
    if (next != ranges.end() && it->first + it->second == next->first) {
      it->second += next->second;
      ranges.erase(next);
    }
    if (it != ranges.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        ranges.erase(it);
      }
    }
  }

private:
  std::map<uint64_t, uint64_t> ranges;
};
} // namespace

Value BufferPlan::storageOf(Value v) const {
  while (true) {
    auto it = aliasOf.find(v);
    if (it == aliasOf.end())
      return v;
    v = it->second;
  }
}

uint64_t mlir::pp::tensorBytes(Value v) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  uint64_t bits = type.getElementType().getIntOrFloatBitWidth();
  uint64_t bytes = bits == 1 ? 1 : bits / 8;
  return bytes * type.getNumElements();
}

BufferPlan
mlir::pp::planBuffers(ArrayRef<Operation *> ops,
                      function_ref<bool(Value)> needsStorage,
                      function_ref<bool(Operation *)> isAlias,
                      function_ref<uint64_t(Operation *)> scratchBytes,
                      const llvm::DenseSet<Value> &fused) {
  BufferPlan plan;
  llvm::DenseMap<Operation *, size_t> position;
  for (auto [i, op] : llvm::enumerate(ops))
    position[op] = i;
  for (Operation *op : ops)
    if (isAlias(op))
      plan.aliasOf[op->getResult(0)] = op->getOperand(0);

  // A fused op runs inside the loop of the op that consumes it, so its
  // operands are read at that root's position.
  auto executedAt = [&](Operation *op) -> size_t {
    while (op->getNumResults() == 1 && fused.contains(op->getResult(0)))
      op = *op->getResult(0).getUsers().begin();
    auto it = position.find(op);
    return it == position.end() ? ops.size() : it->second;
  };

  // Last position at which each storage owner is read, through its aliases.
  // Values read by the function's return live to the end.
  llvm::DenseMap<Value, size_t> lastUse;
  for (Operation *op : ops)
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers()) {
        size_t at = executedAt(user);
        Value owner = plan.storageOf(result);
        lastUse[owner] = std::max(lastUse[owner], at);
      }

  FreeList freeList;
  std::vector<std::vector<Value>> dyingAt(ops.size() + 1);
  for (auto [i, op] : llvm::enumerate(ops)) {
    for (Value result : op->getResults()) {
      if (plan.aliasOf.count(result) || fused.contains(result) ||
          !needsStorage(result))
        continue;
      uint64_t bytes = alignUp(std::max<uint64_t>(tensorBytes(result), 1));
      plan.offsets[result] = freeList.allocate(bytes, plan.arenaBytes);
      size_t last = std::max(lastUse.lookup(result), i);
      dyingAt[last].push_back(result);
    }
    // Scratch overlaps neither the op's operands nor its results, and is
    // free again once the op ran.
    if (uint64_t scratch = scratchBytes(op)) {
      uint64_t bytes = alignUp(scratch);
      uint64_t offset = freeList.allocate(bytes, plan.arenaBytes);
      plan.scratchOffsets[op] = offset;
      freeList.release(offset, bytes);
    }
    // Inputs whose last reader is this op are freed after it ran, never
    // before its result is placed, so an op never overwrites its inputs.
    for (Value dead : dyingAt[i])
      freeList.release(plan.offsets[dead],
                       alignUp(std::max<uint64_t>(tensorBytes(dead), 1)));
  }
  return plan;
}
