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
#include "pp/Schedule/Generators.h"

#include <map>
#include <tuple>
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

/// The same for the generator's order, without building thousands of
/// micro-batches: once every generator here reaches its steady state, each
/// further round of P micro-batches adds the same time. It runs k P
/// micro-batches for k = 1, 2, ... until two rounds in a row add the same,
/// then extends the line to M (equal to the full run within 1e-9,
/// AsyncSimulatorTest); it runs all M when that does not happen early.
/// Busy time is linear in M by construction. `options` must be valid
/// (checkGeneratorOptions).
/// Compute orders by their options, for callers that simulate many plans
/// with the same schedule shape (the planner).
class ComputeOrderCache {
public:
  const ComputeOrder &get(const GeneratorOptions &options);

private:
  std::map<std::tuple<int, int, int, int, bool>, ComputeOrder> orders;
};

AsyncResult simulatePipeline(const GeneratorOptions &options,
                             const CostModel &costs,
                             ComputeOrderCache *cache = nullptr);

} // namespace pp::schedule

#endif // PP_SCHEDULE_ASYNCSIMULATOR_H
