//===- AsyncSimulator.h - a compute order with asynchronous messages -*- C++ -*-===//
//
// How a pipeline really runs on GPUs: each rank runs its F, B and W in its
// list's order, and a pass waits only for its input, which arrives a
// message time after the pass that made it ended on the other rank; the
// transfer runs on its own stream (NCCL's, or Megatron's batched
// isend/irecv), so neither rank's compute stops for it. The blocking
// rendezvous of Simulator.h, where both ranks sit in SEND/RECV together,
// stays the deadlock proof; this one is for predicting time.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_ASYNCSIMULATOR_H
#define PP_SCHEDULE_ASYNCSIMULATOR_H

#include "pp/Schedule/ComputeOrder.h"
#include "pp/Schedule/CostModel.h"

#include <vector>

namespace pp::schedule {

struct AsyncResult {
  double stepTime = 0;
  /// 1 - sum(busy) / (ranks x step time).
  double bubbleFraction = 0;
  std::vector<double> busyTime; ///< per rank
};

/// Runs `order` with `costs`; a message between stages on different ranks
/// takes `costs.comm.messageTime(outputBytes of the sending stage)`.
/// `order` must come from a generator (every list can make progress).
AsyncResult simulateAsync(const ComputeOrder &order, const CostModel &costs);

} // namespace pp::schedule

#endif // PP_SCHEDULE_ASYNCSIMULATOR_H
