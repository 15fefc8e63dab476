//===- OpRangeCost.h - costs of contiguous ranges of ops --------*- C++ -*-===//
//
// A stage partitioner tries many cuts of one linear op order. OpRangeCost
// prices every op once and keeps prefix sums, so the cost of any range
// [begin, end) is one subtraction: a dynamic program over n cut points and
// P stages stays O(P n^2) lookups.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_OPRANGECOST_H
#define PP_ANALYSIS_OPRANGECOST_H

#include "pp/Analysis/OpCost.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <vector>

namespace mlir::pp {

/// Sums of OpCost fields over some ops.
struct CostSummary {
  int64_t numOps = 0;
  double flops = 0;
  double memoryBytes = 0;
  double paramBytes = 0;
  double activationBytes = 0;
  double computeTime = 0;
  int64_t numCommOps = 0;
  double commBytesPerRank = 0;
  double commTime = 0;

  double time() const { return computeTime + commTime; }

  CostSummary &operator+=(const OpCost &cost);
  CostSummary &operator+=(const CostSummary &other);
  CostSummary &operator-=(const CostSummary &other);
};

CostSummary operator-(CostSummary lhs, const CostSummary &rhs);

class OpRangeCost {
public:
  /// Prices each op of `order` with `model`.
  OpRangeCost(const OpCostModel &model, llvm::ArrayRef<Operation *> order);

  size_t size() const { return ops.size(); }
  Operation *getOp(size_t index) const { return ops[index]; }
  const OpCost &opCost(size_t index) const { return costs[index]; }
  /// Position of `op` in the order, or -1.
  int64_t indexOf(Operation *op) const { return position.lookup_or(op, -1); }

  /// Ops [begin, end) of the order, in O(1).
  CostSummary range(size_t begin, size_t end) const {
    return prefix[end] - prefix[begin];
  }
  CostSummary total() const { return prefix.back(); }

private:
  llvm::SmallVector<Operation *> ops;
  std::vector<OpCost> costs;
  /// prefix[i]: the sum over ops [0, i).
  std::vector<CostSummary> prefix;
  llvm::DenseMap<Operation *, int64_t> position;
};

} // namespace mlir::pp

#endif // PP_ANALYSIS_OPRANGECOST_H
