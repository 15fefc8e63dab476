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
#include <cmath>
#include <optional>

using namespace pp::schedule;

namespace {

/// Where a pass's end time lives: [kind F/B/W][micro-batch][stage].
struct PassTable {
  int microbatches, stages;
  std::vector<double> ends;
  PassTable(int microbatches, int stages)
      : microbatches(microbatches), stages(stages),
        ends(size_t(3) * microbatches * stages, -1) {}
  double &at(ActionKind kind, int microbatch, int stage) {
    int k = kind == ActionKind::Forward     ? 0
            : kind == ActionKind::InputGrad ? 1
                                            : 2;
    return ends[(size_t(k) * microbatches + microbatch) * stages + stage];
  }
};

} // namespace

AsyncResult pp::schedule::simulateAsync(const ComputeOrder &order,
                                        const CostModel &costs) {
  const StageMap &stages = order.stages;
  int ranks = stages.numRanks();
  int last = stages.numStages() - 1;
  PassTable ends(order.microbatches, stages.numStages());
  std::vector<size_t> next(ranks, 0);
  std::vector<double> free(ranks, 0);
  AsyncResult result;
  result.busyTime.assign(ranks, 0);

  // When the input of the pass is on this rank, or nullopt while its
  // producer has not run.
  auto ready = [&](const Action &a, int stage, int rank) -> std::optional<double> {
    ActionKind producer = ActionKind::Forward;
    int from = -1;
    switch (a.kind) {
    case ActionKind::Forward:
      if (stage == 0)
        return 0.0;
      from = stage - 1;
      break;
    case ActionKind::InputGrad:
      if (stage == last) {
        from = stage;
      } else {
        producer = order.gradientLeavesAfterWeightGrad
                       ? ActionKind::WeightGrad
                       : ActionKind::InputGrad;
        from = stage + 1;
      }
      break;
    default:
      producer = ActionKind::InputGrad;
      from = stage;
      break;
    }
    double end = ends.at(producer, a.microbatch, from);
    if (end < 0)
      return std::nullopt;
    if (stages.rankOf(from) == rank)
      return end;
    return end +
           costs.comm.messageTime(costs.stages[std::min(stage, from)].outputBytes);
  };

  // A rank runs until its next pass's input is missing; a finished pass
  // wakes the ranks that may read it (the stages on either side).
  std::vector<int> queue;
  std::vector<bool> queued(ranks, true);
  for (int r = ranks - 1; r >= 0; --r)
    queue.push_back(r);
  auto wake = [&](int stage) {
    if (stage < 0 || stage > last)
      return;
    int r = stages.rankOf(stage);
    if (!queued[r]) {
      queued[r] = true;
      queue.push_back(r);
    }
  };
  while (!queue.empty()) {
    int r = queue.back();
    queue.pop_back();
    queued[r] = false;
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
      ends.at(a.kind, a.microbatch, stage) = free[r];
      ++next[r];
      wake(stage + 1);
      wake(stage - 1);
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

const ComputeOrder &ComputeOrderCache::get(const GeneratorOptions &options) {
  auto key = std::make_tuple(static_cast<int>(options.kind), options.ranks,
                             options.microbatches,
                             effectiveVirtualStages(options),
                             options.forwardOnly);
  auto it = orders.find(key);
  if (it == orders.end())
    it = orders.emplace(key, generateComputeOrder(options)).first;
  return it->second;
}

AsyncResult pp::schedule::simulatePipeline(const GeneratorOptions &options,
                                           const CostModel &costs,
                                           ComputeOrderCache *cache) {
  int p = options.ranks, m = options.microbatches;
  auto runAt = [&](int microbatches) {
    GeneratorOptions shorter = options;
    shorter.microbatches = microbatches;
    if (cache)
      return simulateAsync(cache->get(shorter), costs);
    return simulateAsync(generateComputeOrder(shorter), costs);
  };
  // Runs of k P micro-batches for growing k, until one more round of P adds
  // exactly what the round before added: the steady state has set in.
  // The runs keep M's remainder modulo P, so the last round ends as M's.
  int r = m % p;
  std::vector<AsyncResult> runs;
  for (int k = 1; (k + 1) * p + r < m && k <= 16; ++k) {
    runs.push_back(runAt(k * p + r));
    size_t n = runs.size();
    if (n < 3)
      continue;
    double last = runs[n - 1].stepTime - runs[n - 2].stepTime;
    double before = runs[n - 2].stepTime - runs[n - 3].stepTime;
    if (std::abs(last - before) > 1e-12 * runs[n - 1].stepTime)
      continue;
    const AsyncResult &b = runs[n - 1];
    AsyncResult result;
    result.stepTime = b.stepTime + last / p * (m - k * p - r);
    double busy = 0;
    result.busyTime.resize(b.busyTime.size());
    for (size_t i = 0; i < b.busyTime.size(); ++i) {
      result.busyTime[i] = b.busyTime[i] / (k * p + r) * m;
      busy += result.busyTime[i];
    }
    result.bubbleFraction =
        result.stepTime > 0 ? 1 - busy / (p * result.stepTime) : 0;
    return result;
  }
  return simulateAsync(generateComputeOrder(options), costs);
}
