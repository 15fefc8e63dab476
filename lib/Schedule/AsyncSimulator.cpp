//===- AsyncSimulator.cpp - a compute order with asynchronous messages ----===//
//
// Every pass (kind, micro-batch, stage) has one producer it waits for:
// F waits for F of the stage before, B for B of the stage after (or for
// W there, when the schedule sends the input gradient only after W), the
// last stage's B for its own F, and W for its B. Ranks advance in turns
// until every list is done.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/AsyncSimulator.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <tuple>

using namespace pp::schedule;

namespace {

using PassKey = std::tuple<int, int, int>; // kind, micro-batch, stage

PassKey keyOf(ActionKind kind, int microbatch, int stage) {
  return {static_cast<int>(kind), microbatch, stage};
}

} // namespace

AsyncResult pp::schedule::simulateAsync(const ComputeOrder &order,
                                        const CostModel &costs) {
  const StageMap &stages = order.stages;
  int ranks = stages.numRanks();
  int last = stages.numStages() - 1;
  std::map<PassKey, double> ends;
  std::vector<size_t> next(ranks, 0);
  std::vector<double> free(ranks, 0);
  AsyncResult result;
  result.busyTime.assign(ranks, 0);

  // When the input of the pass is on this rank, or nullopt while its
  // producer has not run.
  auto ready = [&](const Action &a, int stage, int rank) -> std::optional<double> {
    std::optional<PassKey> producer;
    int from = -1;
    switch (a.kind) {
    case ActionKind::Forward:
      if (stage > 0) {
        producer = keyOf(ActionKind::Forward, a.microbatch, stage - 1);
        from = stage - 1;
      }
      break;
    case ActionKind::InputGrad:
      if (stage == last) {
        producer = keyOf(ActionKind::Forward, a.microbatch, stage);
        from = stage;
      } else {
        producer = keyOf(order.gradientLeavesAfterWeightGrad
                             ? ActionKind::WeightGrad
                             : ActionKind::InputGrad,
                         a.microbatch, stage + 1);
        from = stage + 1;
      }
      break;
    default:
      producer = keyOf(ActionKind::InputGrad, a.microbatch, stage);
      from = stage;
      break;
    }
    if (!producer)
      return 0.0;
    auto it = ends.find(*producer);
    if (it == ends.end())
      return std::nullopt;
    if (stages.rankOf(from) == rank)
      return it->second;
    return it->second +
           costs.comm.messageTime(costs.stages[std::min(stage, from)].outputBytes);
  };

  bool progressed = true;
  while (progressed) {
    progressed = false;
    for (int r = 0; r < ranks; ++r) {
      const std::vector<Action> &list = order.ranks[r];
      while (next[r] < list.size()) {
        const Action &a = list[next[r]];
        int stage = stages.stageOf(r, a.chunk);
        std::optional<double> input = ready(a, stage, r);
        if (!input)
          break;
        double start = std::max(free[r], *input);
        double time = costs.computeTime(a.kind, stage);
        free[r] = start + time;
        result.busyTime[r] += time;
        ends[keyOf(a.kind, a.microbatch, stage)] = free[r];
        ++next[r];
        progressed = true;
      }
    }
  }
  for (int r = 0; r < ranks; ++r) {
    assert(next[r] == order.ranks[r].size() && "the order cannot progress");
    result.stepTime = std::max(result.stepTime, free[r]);
  }
  double busy = 0;
  for (double b : result.busyTime)
    busy += b;
  result.bubbleFraction =
      result.stepTime > 0 ? 1 - busy / (ranks * result.stepTime) : 0;
  return result;
}
