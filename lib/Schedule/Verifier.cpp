//===- Verifier.cpp - is a schedule complete, ordered, deadlock-free ------===//
//
// The checks of Verifier.h, one function per group. Each later group relies
// on the earlier ones (positions exist, peers are in range), so verification
// stops at the first group that reports anything.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/Verifier.h"

#include "pp/Schedule/CostModel.h"
#include "pp/Schedule/Simulator.h"

#include <map>
#include <set>
#include <tuple>

namespace pp::schedule {

namespace {

constexpr size_t maxReported = 20;

std::string rankText(int rank) { return "rank " + std::to_string(rank); }

std::string ordinal(size_t n) {
  std::string suffix = "th";
  if (n % 100 < 11 || n % 100 > 13)
    suffix = n % 10 == 1   ? "st"
             : n % 10 == 2 ? "nd"
             : n % 10 == 3 ? "rd"
                           : "th";
  return std::to_string(n) + suffix;
}

class Verifier {
public:
  explicit Verifier(const Schedule &schedule)
      : schedule(schedule), stages(schedule.stages), ranks(schedule.numRanks()),
        microbatches(schedule.microbatches) {}

  std::vector<std::string> run() {
    if (!checkShape() || !checkMessages() || !checkDependences())
      return errors;
    checkDeadlock();
    return errors;
  }

private:
  void report(std::string message) {
    if (errors.size() < maxReported)
      errors.push_back(std::move(message));
  }

  /// Index of a compute pass in its rank's list, -1 when it never runs.
  int &position(ActionKind kind, int stage, int mb) {
    int pass = kind == ActionKind::Forward     ? 0
               : kind == ActionKind::InputGrad ? 1
                                               : 2;
    return positions[((size_t)pass * stages.numStages() + stage) *
                         microbatches +
                     mb];
  }
  std::string passName(ActionKind kind, int stage, int mb) const {
    return formatAction(Action::compute(kind, mb, stages.chunkOf(stage)));
  }

  bool checkShape();
  bool checkAction(int rank, const Action &action);
  bool checkMessages();
  void checkMessage(int rank, int index, const Action &action);
  void checkPairs();
  void checkCollectives();
  bool checkDependences();
  void checkDeadlock();

  /// Whether a message carries `tensor` from `sender` to `receiver`.
  bool transferred(int sender, int receiver, const TensorId &tensor) const {
    return transfers.count(std::make_tuple(sender, receiver, (int)tensor.kind,
                                           tensor.microbatch, tensor.chunk)) >
           0;
  }

  const Schedule &schedule;
  const StageMap &stages;
  int ranks;
  int microbatches;
  std::vector<int> positions;
  std::set<std::tuple<int, int, int, int, int>> transfers;
  std::vector<std::string> errors;
};

bool Verifier::checkAction(int rank, const Action &action) {
  std::string where = rankText(rank) + ": " + formatAction(action);
  auto checkMicrobatchAndChunk = [&](int mb, int chunk) {
    if (mb < 0 || mb >= microbatches) {
      report(where + " names micro-batch " + std::to_string(mb) +
             ", but the schedule has " + std::to_string(microbatches));
      return false;
    }
    if (chunk < 0 || chunk >= stages.numChunks()) {
      report(where + " names chunk " + std::to_string(chunk) +
             ", but each rank has " + std::to_string(stages.numChunks()));
      return false;
    }
    return true;
  };
  switch (action.kind) {
  case ActionKind::Forward:
  case ActionKind::InputGrad:
  case ActionKind::WeightGrad:
    return checkMicrobatchAndChunk(action.microbatch, action.chunk);
  case ActionKind::Send:
  case ActionKind::Recv:
    if (action.peer < 0 || action.peer >= ranks || action.peer == rank) {
      report(where + " names peer " + std::to_string(action.peer) +
             (action.peer == rank ? ", itself" : ", which does not exist"));
      return false;
    }
    return checkMicrobatchAndChunk(action.tensor.microbatch,
                                   action.tensor.chunk);
  case ActionKind::Collective: {
    bool member = action.group.empty();
    for (size_t i = 0; i < action.group.size(); ++i) {
      int other = action.group[i];
      if (other < 0 || other >= ranks ||
          (i > 0 && other <= action.group[i - 1])) {
        report(where + ": the group must list existing ranks in increasing "
                       "order");
        return false;
      }
      member = member || other == rank;
    }
    if (!member) {
      report(where + ": the rank is not in its own group");
      return false;
    }
    return true;
  }
  }
  return false;
}

bool Verifier::checkShape() {
  if ((int)schedule.ranks.size() != ranks) {
    report("the schedule lists " + std::to_string(schedule.ranks.size()) +
           " ranks but places stages on " + std::to_string(ranks));
    return false;
  }
  positions.assign(3 * (size_t)stages.numStages() * microbatches, -1);
  bool training = schedule.isTraining();
  for (int rank = 0; rank < ranks; ++rank) {
    const std::vector<Action> &list = schedule.ranks[rank];
    for (int index = 0; index < (int)list.size(); ++index) {
      const Action &action = list[index];
      if (!checkAction(rank, action) || !isCompute(action.kind))
        continue;
      int stage = stages.stageOf(rank, action.chunk);
      int &at = position(action.kind, stage, action.microbatch);
      if (at >= 0)
        report(rankText(rank) + " runs " + formatAction(action) + " twice");
      at = index;
    }
  }
  if (!errors.empty())
    return false;
  for (int stage = 0; stage < stages.numStages(); ++stage) {
    for (int mb = 0; mb < microbatches; ++mb) {
      for (ActionKind kind : {ActionKind::Forward, ActionKind::InputGrad,
                              ActionKind::WeightGrad}) {
        if (kind != ActionKind::Forward && !training)
          continue;
        if (position(kind, stage, mb) < 0)
          report(rankText(stages.rankOf(stage)) + " never runs " +
                 passName(kind, stage, mb) +
                 (training ? " (a training schedule runs F, B and W for "
                             "every micro-batch and chunk)"
                           : ""));
      }
    }
  }
  return errors.empty();
}

void Verifier::checkMessage(int rank, int index, const Action &action) {
  std::string where = rankText(rank) + ": " + formatAction(action);
  const TensorId &tensor = action.tensor;
  bool activation = tensor.kind == TensorKind::Activation;
  int sender = action.kind == ActionKind::Send ? rank : action.peer;
  int receiver = action.kind == ActionKind::Send ? action.peer : rank;
  int producerStage = stages.stageOf(sender, tensor.chunk);
  int consumerStage = producerStage + (activation ? 1 : -1);
  if (consumerStage < 0 || consumerStage >= stages.numStages()) {
    report(where + ": stage " + std::to_string(producerStage) + " is the " +
           (activation ? "last; its output goes nowhere"
                       : "first; its input gradient goes nowhere"));
    return;
  }
  int consumerRank = stages.rankOf(consumerStage);
  if (consumerRank != receiver) {
    report(where + ": " + formatTensor(tensor) + " of " + rankText(sender) +
           " is needed by stage " + std::to_string(consumerStage) + " on " +
           rankText(consumerRank) + ", not " + rankText(receiver));
    return;
  }
  ActionKind producerKind =
      activation ? ActionKind::Forward : ActionKind::InputGrad;
  ActionKind consumerKind = producerKind;
  int mb = tensor.microbatch;
  if (action.kind == ActionKind::Send) {
    int produced = position(producerKind, producerStage, mb);
    if (produced < 0)
      report(where + " sends the output of " +
             passName(producerKind, producerStage, mb) +
             ", which this rank never runs");
    else if (produced > index)
      report(where + " comes before " +
             passName(producerKind, producerStage, mb) + " produces it");
    return;
  }
  int consumed = position(consumerKind, consumerStage, mb);
  if (consumed >= 0 && consumed < index)
    report(where + " comes after " + passName(consumerKind, consumerStage, mb) +
           ", which needs it");
}

void Verifier::checkPairs() {
  // (sender, receiver) -> the tensors in the order each side lists them.
  std::map<std::pair<int, int>, std::vector<TensorId>> sent, received;
  for (int rank = 0; rank < ranks; ++rank) {
    for (const Action &action : schedule.ranks[rank]) {
      if (action.kind == ActionKind::Send)
        sent[{rank, action.peer}].push_back(action.tensor);
      else if (action.kind == ActionKind::Recv)
        received[{action.peer, rank}].push_back(action.tensor);
    }
  }
  std::set<std::pair<int, int>> pairs;
  for (const auto &entry : sent)
    pairs.insert(entry.first);
  for (const auto &entry : received)
    pairs.insert(entry.first);
  for (const std::pair<int, int> &pair : pairs) {
    auto [sender, receiver] = pair;
    const std::vector<TensorId> &sends = sent[pair];
    const std::vector<TensorId> &recvs = received[pair];
    for (size_t i = 0; i < std::max(sends.size(), recvs.size()); ++i) {
      if (i >= recvs.size()) {
        report(rankText(sender) + ": " +
               formatAction(Action::send(receiver, sends[i])) +
               " has no matching RECV on " + rankText(receiver));
        break;
      }
      if (i >= sends.size()) {
        report(rankText(receiver) + ": " +
               formatAction(Action::recv(sender, recvs[i])) +
               " has no matching SEND on " + rankText(sender));
        break;
      }
      if (sends[i] != recvs[i]) {
        report("the " + ordinal(i + 1) + " message from " + rankText(sender) +
               " to " + rankText(receiver) + " is " + formatTensor(sends[i]) +
               " on the sending side but " + formatTensor(recvs[i]) +
               " on the receiving side (messages between a pair match in "
               "order)");
        break;
      }
      auto key = std::make_tuple(sender, receiver, (int)sends[i].kind,
                                 sends[i].microbatch, sends[i].chunk);
      if (!transfers.insert(key).second)
        report(rankText(sender) + " sends " + formatTensor(sends[i]) + " to " +
               rankText(receiver) + " more than once");
    }
  }
}

void Verifier::checkCollectives() {
  // Per group, the names each member calls, in order.
  std::map<std::vector<int>, std::map<int, std::vector<std::string>>> calls;
  for (int rank = 0; rank < ranks; ++rank) {
    for (const Action &action : schedule.ranks[rank]) {
      if (action.kind != ActionKind::Collective)
        continue;
      std::vector<int> group = action.group;
      if (group.empty())
        for (int member = 0; member < ranks; ++member)
          group.push_back(member);
      calls[group][rank].push_back(action.collective);
    }
  }
  for (auto &[group, byRank] : calls) {
    const std::vector<std::string> &first = byRank[group.front()];
    for (int member : group) {
      const std::vector<std::string> &mine = byRank[member];
      if (mine == first)
        continue;
      size_t i = 0;
      while (i < mine.size() && i < first.size() && mine[i] == first[i])
        ++i;
      auto nameAt = [&](const std::vector<std::string> &names) {
        return i < names.size() ? "'" + names[i] + "'" : std::string("none");
      };
      report("the " + ordinal(i + 1) + " collective of the group of " +
             rankText(group.front()) + " differs: " + rankText(group.front()) +
             " calls " + nameAt(first) + ", " + rankText(member) + " calls " +
             nameAt(mine));
      break;
    }
  }
}

bool Verifier::checkMessages() {
  for (int rank = 0; rank < ranks; ++rank) {
    const std::vector<Action> &list = schedule.ranks[rank];
    for (int index = 0; index < (int)list.size(); ++index)
      if (list[index].kind == ActionKind::Send ||
          list[index].kind == ActionKind::Recv)
        checkMessage(rank, index, list[index]);
  }
  if (!errors.empty())
    return false;
  checkPairs();
  checkCollectives();
  return errors.empty();
}

bool Verifier::checkDependences() {
  bool training = schedule.isTraining();
  int last = stages.numStages() - 1;
  // `consumer` needs what `producer` made: on one rank it must come later in
  // the list; across ranks a message must carry it (its RECV is before the
  // consumer and its SEND after the producer, checked with the messages).
  auto needs = [&](ActionKind consumerKind, int consumerStage,
                   ActionKind producerKind, int producerStage, int mb,
                   TensorKind carried) {
    int rank = stages.rankOf(consumerStage);
    int producerRank = stages.rankOf(producerStage);
    std::string consumer = passName(consumerKind, consumerStage, mb);
    std::string producer = passName(producerKind, producerStage, mb);
    if (producerRank == rank) {
      if (position(producerKind, producerStage, mb) >
          position(consumerKind, consumerStage, mb))
        report(rankText(rank) + " runs " + consumer + " before " + producer +
               ", whose output it needs");
      return;
    }
    TensorId tensor{carried, mb, stages.chunkOf(producerStage)};
    if (!transferred(producerRank, rank, tensor))
      report(consumer + " on " + rankText(rank) + " needs " + producer +
             " of " + rankText(producerRank) + ", but no message carries it");
  };
  for (int stage = 0; stage <= last; ++stage) {
    for (int mb = 0; mb < microbatches; ++mb) {
      if (stage > 0)
        needs(ActionKind::Forward, stage, ActionKind::Forward, stage - 1, mb,
              TensorKind::Activation);
      if (!training)
        continue;
      needs(ActionKind::InputGrad, stage, ActionKind::Forward, stage, mb,
            TensorKind::Activation);
      if (stage < last)
        needs(ActionKind::InputGrad, stage, ActionKind::InputGrad, stage + 1,
              mb, TensorKind::Gradient);
      needs(ActionKind::WeightGrad, stage, ActionKind::InputGrad, stage, mb,
            TensorKind::Gradient);
    }
  }
  return errors.empty();
}

void Verifier::checkDeadlock() {
  // Whether blocking lists deadlock does not depend on the costs; unit
  // costs will do.
  SimulationResult run =
      simulateSchedule(schedule, CostModel::uniform(stages, 1, 1, 1));
  if (!run.completed)
    report(run.deadlockMessage());
}

} // namespace

std::vector<std::string> verifySchedule(const Schedule &schedule) {
  return Verifier(schedule).run();
}

} // namespace pp::schedule
