//===- OpRangeCost.cpp - costs of contiguous ranges of ops ---------------===//

#include "pp/Analysis/OpRangeCost.h"

using namespace mlir;
using namespace mlir::pp;

CostSummary &CostSummary::operator+=(const OpCost &cost) {
  numOps += 1;
  flops += cost.flops;
  memoryBytes += cost.memoryBytes;
  paramBytes += cost.paramBytes;
  activationBytes += cost.activationBytes;
  computeTime += cost.computeTime;
  if (cost.comm) {
    numCommOps += 1;
    commBytesPerRank += cost.comm->bytesPerRank;
    commTime += cost.comm->time;
  }
  return *this;
}

CostSummary &CostSummary::operator+=(const CostSummary &other) {
  numOps += other.numOps;
  flops += other.flops;
  memoryBytes += other.memoryBytes;
  paramBytes += other.paramBytes;
  activationBytes += other.activationBytes;
  computeTime += other.computeTime;
  numCommOps += other.numCommOps;
  commBytesPerRank += other.commBytesPerRank;
  commTime += other.commTime;
  return *this;
}

CostSummary &CostSummary::operator-=(const CostSummary &other) {
  numOps -= other.numOps;
  flops -= other.flops;
  memoryBytes -= other.memoryBytes;
  paramBytes -= other.paramBytes;
  activationBytes -= other.activationBytes;
  computeTime -= other.computeTime;
  numCommOps -= other.numCommOps;
  commBytesPerRank -= other.commBytesPerRank;
  commTime -= other.commTime;
  return *this;
}

CostSummary mlir::pp::operator-(CostSummary lhs, const CostSummary &rhs) {
  lhs -= rhs;
  return lhs;
}

OpRangeCost::OpRangeCost(const OpCostModel &model,
                         llvm::ArrayRef<Operation *> order)
    : ops(order.begin(), order.end()) {
  costs.reserve(ops.size());
  prefix.reserve(ops.size() + 1);
  prefix.emplace_back();
  for (auto [index, op] : llvm::enumerate(ops)) {
    costs.push_back(model.cost(op));
    CostSummary next = prefix.back();
    next += costs.back();
    prefix.push_back(next);
    position.try_emplace(op, int64_t(index));
  }
}
