//===- CommCost.cpp - time of collectives and messages -------------------===//

#include "pp/Analysis/CommCost.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace mlir::pp;

llvm::StringRef mlir::pp::commKindName(CommKind kind) {
  switch (kind) {
  case CommKind::AllReduce:
    return "all_reduce";
  case CommKind::AllGather:
    return "all_gather";
  case CommKind::ReduceScatter:
    return "reduce_scatter";
  case CommKind::AllToAll:
    return "all_to_all";
  case CommKind::PointToPoint:
    return "p2p";
  }
  llvm_unreachable("unknown comm kind");
}

CommCost mlir::pp::commCost(const HardwareSpec &hardware, CommKind kind,
                            double messageBytes, int64_t groupSize,
                            bool spansNodes) {
  CommCost cost;
  cost.kind = kind;
  cost.messageBytes = messageBytes;
  cost.groupSize = groupSize;
  cost.spansNodes = spansNodes;

  double n = double(groupSize);
  if (kind == CommKind::PointToPoint) {
    cost.steps = 1;
    cost.bytesPerRank = messageBytes;
  } else if (groupSize <= 1) {
    return cost;
  } else if (kind == CommKind::AllReduce) {
    // Reduce-scatter then all-gather around the ring.
    cost.steps = 2 * (groupSize - 1);
    cost.bytesPerRank = 2 * (n - 1) / n * messageBytes;
  } else {
    // Every rank passes on all slices but its own (all-to-all: sends all
    // slices but the one it keeps).
    cost.steps = groupSize - 1;
    cost.bytesPerRank = (n - 1) / n * messageBytes;
  }

  const LinkSpec &link = hardware.link(spansNodes);
  cost.time = double(cost.steps) * link.latency;
  if (link.bandwidth > 0)
    cost.time += cost.bytesPerRank / link.bandwidth;
  return cost;
}
