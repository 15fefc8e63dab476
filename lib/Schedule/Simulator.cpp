//===- Simulator.cpp - run a schedule under blocking rendezvous -----------===//
//
// A worklist of runnable ranks. A rank runs compute passes until it reaches
// a message or collective; if its partners are already waiting there, the
// operation completes for all of them at the latest arrival plus its cost
// and the partners go back on the worklist, otherwise the rank parks. Each
// action is looked at a bounded number of times, so large schedules
// simulate in linear time. Because a rank's next step never depends on
// timing, the set of actions that complete, and so whether the schedule
// deadlocks, does not depend on the costs either.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/Simulator.h"

#include <algorithm>
#include <deque>

namespace pp::schedule {

std::string SimulationResult::deadlockMessage() const {
  if (completed)
    return "";
  std::string text = "deadlock:";
  for (size_t i = 0; i < deadlockCycle.size(); ++i) {
    const BlockedRank &blocked = deadlockCycle[i];
    text += (i == 0 ? " rank " : ", rank ") + std::to_string(blocked.rank) +
            " waits in " + formatAction(blocked.action);
    if (blocked.waitsFor >= 0)
      text += " for rank " + std::to_string(blocked.waitsFor);
  }
  if (!deadlockCycle.empty() && deadlockCycle.back().waitsForFinished)
    text += ", which has finished";
  return text;
}

namespace {

class Simulation {
public:
  Simulation(const Schedule &schedule, const CostModel &costs)
      : schedule(schedule), costs(costs), ranks(schedule.numRanks()),
        next(ranks, 0), clock(ranks, 0) {
    result.busyTime.assign(ranks, 0);
  }

  SimulationResult run();

private:
  const Action *current(int rank) const {
    const std::vector<Action> &list = schedule.ranks[rank];
    return next[rank] < list.size() ? &list[next[rank]] : nullptr;
  }
  void runRank(int rank);
  bool tryMessage(int rank, const Action &action);
  bool tryCollective(int rank, const Action &action);
  std::vector<int> groupOf(const Action &action) const;
  void finish(int rank, double start, double duration);
  void findDeadlockCycle();
  void measureMemory();

  const Schedule &schedule;
  const CostModel &costs;
  int ranks;
  std::vector<size_t> next;
  std::vector<double> clock;
  std::deque<int> runnable;
  SimulationResult result;
};

void Simulation::finish(int rank, double start, double duration) {
  const Action &action = schedule.ranks[rank][next[rank]];
  TimelineEvent event;
  event.rank = rank;
  event.name = formatAction(action);
  event.kind = action.kind;
  event.start = start;
  event.duration = duration;
  if (isCompute(action.kind)) {
    event.microbatch = action.microbatch;
    event.chunk = action.chunk;
    result.busyTime[rank] += duration;
  }
  result.timeline.push_back(std::move(event));
  clock[rank] = start + duration;
  ++next[rank];
}

bool Simulation::tryMessage(int rank, const Action &action) {
  int peer = action.peer;
  if (peer < 0 || peer >= ranks || peer == rank)
    return false;
  const Action *other = current(peer);
  ActionKind partnerKind =
      action.kind == ActionKind::Send ? ActionKind::Recv : ActionKind::Send;
  // Blocking p2p pairs the head operations of both ranks, as NCCL matches
  // sends and receives between a pair in order.
  if (!other || other->kind != partnerKind || other->peer != rank)
    return false;
  const TensorId &tensor = action.tensor;
  int sender = action.kind == ActionKind::Send ? rank : peer;
  int stage = schedule.stages.stageOf(sender, tensor.chunk);
  double bytes =
      stage < (int)costs.stages.size() ? costs.stages[stage].outputBytes : 0;
  double start = std::max(clock[rank], clock[peer]);
  double duration = costs.comm.messageTime(bytes);
  finish(rank, start, duration);
  finish(peer, start, duration);
  runnable.push_back(peer);
  return true;
}

std::vector<int> Simulation::groupOf(const Action &action) const {
  if (!action.group.empty())
    return action.group;
  std::vector<int> all(ranks);
  for (int rank = 0; rank < ranks; ++rank)
    all[rank] = rank;
  return all;
}

bool Simulation::tryCollective(int rank, const Action &action) {
  std::vector<int> group = groupOf(action);
  double start = 0;
  for (int member : group) {
    const Action *other = current(member);
    if (!other || other->kind != ActionKind::Collective ||
        other->collective != action.collective || groupOf(*other) != group)
      return false;
    start = std::max(start, clock[member]);
  }
  for (int member : group) {
    finish(member, start, costs.comm.collective);
    if (member != rank)
      runnable.push_back(member);
  }
  return true;
}

void Simulation::runRank(int rank) {
  while (const Action *action = current(rank)) {
    if (isCompute(action->kind)) {
      int stage = schedule.stages.stageOf(rank, action->chunk);
      finish(rank, clock[rank], costs.computeTime(action->kind, stage));
      continue;
    }
    bool done = action->kind == ActionKind::Collective
                    ? tryCollective(rank, *action)
                    : tryMessage(rank, *action);
    if (!done)
      return; // parked until a partner arrives and completes it
  }
}

void Simulation::findDeadlockCycle() {
  // Each stuck rank waits for one other rank: its peer, or the first member
  // of its collective that has not arrived. Follow those edges.
  std::vector<int> waitsFor(ranks, -1);
  for (int rank = 0; rank < ranks; ++rank) {
    const Action *action = current(rank);
    if (!action)
      continue;
    if (action->kind == ActionKind::Collective) {
      for (int member : groupOf(*action)) {
        const Action *other = current(member);
        if (member != rank &&
            (!other || other->kind != ActionKind::Collective ||
             other->collective != action->collective)) {
          waitsFor[rank] = member;
          break;
        }
      }
    } else {
      waitsFor[rank] = action->peer;
    }
  }
  auto blocked = [&](int rank) {
    return rank >= 0 && rank < ranks && current(rank) != nullptr;
  };
  auto describe = [&](int rank) {
    BlockedRank entry;
    entry.rank = rank;
    entry.action = *current(rank);
    entry.waitsFor = waitsFor[rank];
    entry.waitsForFinished = !blocked(waitsFor[rank]);
    return entry;
  };
  // Look for a ring first; every stuck rank either is on one or leads to a
  // finished rank.
  for (int startRank = 0; startRank < ranks; ++startRank) {
    if (!blocked(startRank))
      continue;
    std::vector<int> seenAt(ranks, -1);
    std::vector<int> path;
    int rank = startRank;
    while (blocked(rank) && seenAt[rank] < 0) {
      seenAt[rank] = (int)path.size();
      path.push_back(rank);
      rank = waitsFor[rank];
    }
    if (!blocked(rank))
      continue;
    std::vector<int> ring(path.begin() + seenAt[rank], path.end());
    std::rotate(ring.begin(), std::min_element(ring.begin(), ring.end()),
                ring.end());
    for (int member : ring)
      result.deadlockCycle.push_back(describe(member));
    return;
  }
  // No ring: report the chain from the lowest stuck rank to the finished
  // rank it waits for.
  for (int rank = 0; rank < ranks; ++rank) {
    if (!blocked(rank))
      continue;
    std::vector<bool> seen(ranks, false);
    while (blocked(rank) && !seen[rank]) {
      seen[rank] = true;
      result.deadlockCycle.push_back(describe(rank));
      rank = waitsFor[rank];
    }
    return;
  }
}

void Simulation::measureMemory() {
  const StageMap &stages = schedule.stages;
  bool training = schedule.isTraining();
  result.peakInflightChunks.assign(ranks, 0);
  result.peakInflight.assign(ranks, 0);
  result.peakActivationBytes.assign(ranks, 0);
  for (int rank = 0; rank < ranks; ++rank) {
    // A rank's actions run one after another, so walking its list is walking
    // its time; a release and an acquisition at the same instant come in
    // list order (release first, as the earlier action ends there).
    int inflight = 0, peak = 0;
    double bytes = 0, peakBytes = 0;
    auto acquire = [&](int count, double amount) {
      inflight += count;
      bytes += amount;
      peak = std::max(peak, inflight);
      peakBytes = std::max(peakBytes, bytes);
    };
    auto stageCost = [&](int chunk) -> const StageCost & {
      return costs.stages[stages.stageOf(rank, chunk)];
    };
    for (const Action &action : schedule.ranks[rank]) {
      int stage =
          isCompute(action.kind) ? stages.stageOf(rank, action.chunk) : -1;
      if (training) {
        if (action.kind == ActionKind::Forward)
          acquire(1, stageCost(action.chunk).activationBytes);
        else if (action.kind == ActionKind::InputGrad)
          acquire(-1, stageCost(action.chunk).weightGradBytes -
                          stageCost(action.chunk).activationBytes);
        else if (action.kind == ActionKind::WeightGrad)
          acquire(0, -stageCost(action.chunk).weightGradBytes);
        continue;
      }
      // Forward-only: an output is held until it has left the rank.
      if (action.kind == ActionKind::Forward) {
        acquire(1, stageCost(action.chunk).activationBytes);
        if (stage > 0 && stages.rankOf(stage - 1) == rank)
          acquire(-1, -stageCost(stages.chunkOf(stage - 1)).activationBytes);
        if (stage == stages.numStages() - 1)
          acquire(-1, -stageCost(action.chunk).activationBytes);
      } else if (action.kind == ActionKind::Send &&
                 action.tensor.kind == TensorKind::Activation) {
        acquire(-1, -stageCost(action.tensor.chunk).activationBytes);
      }
    }
    result.peakInflightChunks[rank] = peak;
    result.peakInflight[rank] = (double)peak / stages.numChunks();
    result.peakActivationBytes[rank] = peakBytes;
  }
}

SimulationResult Simulation::run() {
  for (int rank = 0; rank < ranks; ++rank)
    runnable.push_back(rank);
  while (!runnable.empty()) {
    int rank = runnable.front();
    runnable.pop_front();
    runRank(rank);
  }
  result.finished.resize(ranks);
  for (int rank = 0; rank < ranks; ++rank) {
    result.finished[rank] = (int)next[rank];
    if (current(rank))
      result.completed = false;
  }
  result.finishTime = clock;
  if (!result.completed) {
    findDeadlockCycle();
    return result;
  }
  double busy = 0;
  for (int rank = 0; rank < ranks; ++rank) {
    result.stepTime = std::max(result.stepTime, clock[rank]);
    busy += result.busyTime[rank];
  }
  result.bubbleFraction =
      result.stepTime > 0 ? 1 - busy / (ranks * result.stepTime) : 0;
  measureMemory();
  return result;
}

} // namespace

SimulationResult simulateSchedule(const Schedule &schedule,
                                  const CostModel &costs) {
  return Simulation(schedule, costs).run();
}

} // namespace pp::schedule
