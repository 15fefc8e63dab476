//===- CommCost.h - time of collectives and messages ------------*- C++ -*-===//
//
// The ring formulas of the alpha-beta model: a collective over n ranks takes
// a number of steps, each paying the link latency, and moves a fraction of
// the full tensor S through every rank's link:
//
//   all-reduce       2(n-1) steps, 2(n-1)/n * S per rank
//   all-gather        (n-1) steps,  (n-1)/n * S per rank (S: gathered tensor)
//   reduce-scatter    (n-1) steps,  (n-1)/n * S per rank (S: input tensor)
//   all-to-all        (n-1) steps,  (n-1)/n * S per rank (S: one rank's tensor)
//   point-to-point        1 step,           S
//
// time = steps * latency + bytes per rank / bandwidth, on the inter-node
// link when the group spans nodes and the intra-node link otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_COMMCOST_H
#define PP_ANALYSIS_COMMCOST_H

#include "pp/Analysis/Hardware.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir::pp {

enum class CommKind {
  AllReduce,
  AllGather,
  ReduceScatter,
  AllToAll,
  PointToPoint
};

/// "all_reduce", "all_gather", "reduce_scatter", "all_to_all", "p2p".
llvm::StringRef commKindName(CommKind kind);

struct CommCost {
  CommKind kind = CommKind::PointToPoint;
  /// S: the full tensor, in bytes.
  double messageBytes = 0;
  /// What each rank sends (and receives) over its link.
  double bytesPerRank = 0;
  int64_t groupSize = 1;
  /// Latency-paying steps.
  int64_t steps = 0;
  bool spansNodes = false;
  /// Seconds.
  double time = 0;
};

/// Steps and bytes per rank of `kind` over `groupSize` ranks for a message
/// of `messageBytes`, priced on `hardware`'s intra- or inter-node link.
/// A collective over one rank costs nothing; a point-to-point message
/// ignores `groupSize`.
CommCost commCost(const HardwareSpec &hardware, CommKind kind,
                  double messageBytes, int64_t groupSize, bool spansNodes);

} // namespace mlir::pp

#endif // PP_ANALYSIS_COMMCOST_H
