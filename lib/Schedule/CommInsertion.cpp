//===- CommInsertion.cpp - SEND/RECV for a compute order ------------------===//
//
// See CommInsertion.h for the three steps. The deadlock argument: every rank
// meets its messages sorted by one global key (transfer instant, then a fixed
// tie-break); compute passes never block; so among the messages still
// pending, the one with the smallest key is at the head of both its ranks'
// queues and completes. Placing a SEND after its producer and a RECV before
// its consumer only needs the instant to lie between the two.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/CommInsertion.h"

#include <algorithm>
#include <tuple>

namespace pp::schedule {

namespace {

struct Interval {
  double start = -1;
  double end = -1;
  bool known() const { return start >= 0; }
};

/// Start and end of every pass in the free-comm timeline, by
/// [kind][stage][microbatch].
class PassTimes {
public:
  PassTimes(int stages, int microbatches)
      : stages(stages), microbatches(microbatches),
        table(3 * (size_t)stages * microbatches) {}

  Interval &at(ActionKind kind, int stage, int microbatch) {
    return table[index(kind, stage, microbatch)];
  }
  const Interval &at(ActionKind kind, int stage, int microbatch) const {
    return table[index(kind, stage, microbatch)];
  }

private:
  size_t index(ActionKind kind, int stage, int microbatch) const {
    size_t pass = kind == ActionKind::Forward     ? 0
                  : kind == ActionKind::InputGrad ? 1
                                                  : 2;
    return (pass * stages + stage) * microbatches + microbatch;
  }

  int stages;
  int microbatches;
  std::vector<Interval> table;
};

struct Transfer {
  double instant;
  int sender;
  int receiver;
  TensorId tensor;

  auto key() const {
    return std::make_tuple(instant, sender, receiver, (int)tensor.kind,
                           tensor.microbatch, tensor.chunk);
  }
};

class Placer {
public:
  Placer(const ComputeOrder &order, const CostModel &costs)
      : order(order), costs(costs), stages(order.stages),
        times(order.stages.numStages(), order.microbatches),
        passTimes(order.ranks.size()) {}

  bool timeComputeOrder(std::string &error);
  std::vector<Transfer> collectTransfers() const;
  Schedule build(std::vector<Transfer> transfers) const;

private:
  double cost(ActionKind kind, int stage) const;
  /// When the input `action` needs from another pass exists, or -1 while
  /// that pass has not been timed; 0 when it needs nothing.
  double inputsReady(const Action &action, int stage);
  bool betweenPasses(int rank, double instant) const;
  /// Number of `rank`'s passes that start before `instant`: where a message
  /// at that instant goes in its list.
  size_t slotAt(int rank, double instant) const;
  double chooseInstant(int sender, int receiver, double ready,
                       double needed) const;
  /// When a gradient leaves `stage` for micro-batch `mb` (-1: not yet).
  double gradientReady(int stage, int mb) const {
    return order.gradientLeavesAfterWeightGrad
               ? times.at(ActionKind::WeightGrad, stage, mb).end
               : times.at(ActionKind::InputGrad, stage, mb).end;
  }

  const ComputeOrder &order;
  const CostModel &costs;
  const StageMap &stages;
  PassTimes times;
  /// Per rank, its passes' intervals in list order.
  std::vector<std::vector<Interval>> passTimes;
  double epsilon = 1e-9;
};

double Placer::cost(ActionKind kind, int stage) const {
  return costs.computeTime(kind, stage);
}

double Placer::inputsReady(const Action &action, int stage) {
  int mb = action.microbatch;
  double ready = 0;
  auto need = [&](double end) {
    if (end < 0 || ready < 0)
      ready = -1;
    else
      ready = std::max(ready, end);
  };
  switch (action.kind) {
  case ActionKind::Forward:
    if (stage > 0)
      need(times.at(ActionKind::Forward, stage - 1, mb).end);
    break;
  case ActionKind::InputGrad:
    need(times.at(ActionKind::Forward, stage, mb).end);
    if (stage + 1 < stages.numStages()) {
      Interval next = times.at(ActionKind::InputGrad, stage + 1, mb);
      need(next.known() ? gradientReady(stage + 1, mb) : -1);
    }
    break;
  case ActionKind::WeightGrad:
    need(times.at(ActionKind::InputGrad, stage, mb).end);
    break;
  default:
    break;
  }
  return ready;
}

bool Placer::timeComputeOrder(std::string &error) {
  int ranks = (int)order.ranks.size();
  std::vector<size_t> next(ranks, 0);
  std::vector<double> clock(ranks, 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (int rank = 0; rank < ranks; ++rank) {
      const std::vector<Action> &list = order.ranks[rank];
      while (next[rank] < list.size()) {
        const Action &action = list[next[rank]];
        int stage = stages.stageOf(rank, action.chunk);
        double ready = inputsReady(action, stage);
        // A fused backward's gradient is ready at W's end, which is timed
        // after B's: wait for it too.
        if (ready < 0)
          break;
        double start = std::max(clock[rank], ready);
        double end = start + cost(action.kind, stage);
        times.at(action.kind, stage, action.microbatch) = {start, end};
        passTimes[rank].push_back({start, end});
        clock[rank] = end;
        ++next[rank];
        progress = true;
      }
    }
  }
  for (int rank = 0; rank < ranks; ++rank) {
    if (next[rank] < order.ranks[rank].size()) {
      error = "the compute order of '" + order.name + "' cannot run: rank " +
              std::to_string(rank) + " waits forever before " +
              formatAction(order.ranks[rank][next[rank]]);
      return false;
    }
  }
  // Compare instants with a tolerance well under the shortest pass, since
  // the same instant reached along two paths may differ in the last bits.
  double shortest = 0;
  for (const std::vector<Interval> &list : passTimes)
    for (const Interval &pass : list)
      if (pass.end > pass.start &&
          (shortest == 0 || pass.end - pass.start < shortest))
        shortest = pass.end - pass.start;
  epsilon = (shortest > 0 ? shortest : 1) * 1e-6;
  return true;
}

std::vector<Transfer> Placer::collectTransfers() const {
  const PassTimes &table = times;
  std::vector<Transfer> transfers;
  int numStages = stages.numStages();
  for (int stage = 0; stage < numStages; ++stage) {
    int rank = stages.rankOf(stage), chunk = stages.chunkOf(stage);
    for (int mb = 0; mb < order.microbatches; ++mb) {
      Interval forward = table.at(ActionKind::Forward, stage, mb);
      if (stage + 1 < numStages && stages.rankOf(stage + 1) != rank &&
          forward.known()) {
        Interval consumer = table.at(ActionKind::Forward, stage + 1, mb);
        int receiver = stages.rankOf(stage + 1);
        transfers.push_back(
            {chooseInstant(rank, receiver, forward.end, consumer.start), rank,
             receiver, TensorId{TensorKind::Activation, mb, chunk}});
      }
      Interval backward = table.at(ActionKind::InputGrad, stage, mb);
      if (stage > 0 && stages.rankOf(stage - 1) != rank && backward.known()) {
        double ready = gradientReady(stage, mb);
        Interval consumer = table.at(ActionKind::InputGrad, stage - 1, mb);
        int receiver = stages.rankOf(stage - 1);
        transfers.push_back(
            {chooseInstant(rank, receiver, ready, consumer.start), rank,
             receiver, TensorId{TensorKind::Gradient, mb, chunk}});
      }
    }
  }
  return transfers;
}

bool Placer::betweenPasses(int rank, double instant) const {
  const std::vector<Interval> &list = passTimes[rank];
  // The last pass that starts before `instant` must have ended by then.
  auto after = std::upper_bound(
      list.begin(), list.end(), instant - epsilon,
      [](double t, const Interval &pass) { return t < pass.start; });
  if (after == list.begin())
    return true;
  return std::prev(after)->end <= instant + epsilon;
}

size_t Placer::slotAt(int rank, double instant) const {
  const std::vector<Interval> &list = passTimes[rank];
  return std::upper_bound(
             list.begin(), list.end(), instant - epsilon,
             [](double t, const Interval &pass) { return t < pass.start; }) -
         list.begin();
}

double Placer::chooseInstant(int sender, int receiver, double ready,
                             double needed) const {
  // Candidates, earliest first: the producer's end, the sender's later pass
  // ends and the receiver's pass starts up to the consumer's start.
  std::vector<double> candidates{ready, needed};
  const std::vector<Interval> &sent = passTimes[sender];
  auto pass =
      std::partition_point(sent.begin(), sent.end(),
                           [&](const Interval &p) { return p.end <= ready; });
  for (; pass != sent.end() && pass->end < needed; ++pass)
    candidates.push_back(pass->end);
  const std::vector<Interval> &received = passTimes[receiver];
  pass =
      std::partition_point(received.begin(), received.end(),
                           [&](const Interval &p) { return p.start <= ready; });
  for (; pass != received.end() && pass->start < needed; ++pass)
    candidates.push_back(pass->start);
  std::sort(candidates.begin(), candidates.end());
  for (double instant : candidates)
    if (betweenPasses(sender, instant) && betweenPasses(receiver, instant))
      return instant;
  // No instant suits both: the receiver will wait for the sender's pass.
  return needed;
}

Schedule Placer::build(std::vector<Transfer> transfers) const {
  std::sort(
      transfers.begin(), transfers.end(),
      [](const Transfer &a, const Transfer &b) { return a.key() < b.key(); });
  int ranks = (int)order.ranks.size();
  // Per rank, (slot, message) in global order.
  std::vector<std::vector<std::pair<size_t, Action>>> messages(ranks);
  for (const Transfer &transfer : transfers) {
    messages[transfer.sender].push_back(
        {slotAt(transfer.sender, transfer.instant),
         Action::send(transfer.receiver, transfer.tensor)});
    messages[transfer.receiver].push_back(
        {slotAt(transfer.receiver, transfer.instant),
         Action::recv(transfer.sender, transfer.tensor)});
  }
  Schedule schedule;
  schedule.name = order.name;
  schedule.stages = order.stages;
  schedule.microbatches = order.microbatches;
  schedule.ranks.resize(ranks);
  for (int rank = 0; rank < ranks; ++rank) {
    const std::vector<Action> &passes = order.ranks[rank];
    std::vector<Action> &list = schedule.ranks[rank];
    list.reserve(passes.size() + messages[rank].size());
    size_t message = 0;
    for (size_t slot = 0; slot <= passes.size(); ++slot) {
      while (message < messages[rank].size() &&
             messages[rank][message].first == slot)
        list.push_back(messages[rank][message++].second);
      if (slot < passes.size())
        list.push_back(passes[slot]);
    }
  }
  return schedule;
}

} // namespace

std::optional<Schedule> insertCommunication(const ComputeOrder &order,
                                            const CostModel &placementCosts,
                                            std::string &error) {
  // Placement needs every pass to take time: a zero-length pass has no
  // "between" to put a message in. Free passes get a sliver of the shortest
  // real one, which keeps the timeline's shape.
  CostModel costs = placementCosts;
  costs.stages.resize(order.stages.numStages());
  double shortest = 0;
  for (const StageCost &stage : costs.stages)
    for (double cost : {stage.forward, stage.inputGrad, stage.weightGrad})
      if (cost > 0 && (shortest == 0 || cost < shortest))
        shortest = cost;
  double sliver = shortest > 0 ? shortest * 1e-3 : 1;
  for (StageCost &stage : costs.stages)
    for (double *cost : {&stage.forward, &stage.inputGrad, &stage.weightGrad})
      if (!(*cost > 0))
        *cost = sliver;

  Placer placer(order, costs);
  if (!placer.timeComputeOrder(error))
    return std::nullopt;
  return placer.build(placer.collectTransfers());
}

} // namespace pp::schedule
