//===- BadSchedulePrograms.cpp - programs runMain must reject -------------===//
//
// The "vstages" program with one thing wrong each. A schedule error is found
// by the ranks of the bad pipeline coordinate while setting up; the others
// learn of it at the setup barrier, so every rank exits 1 and none waits for
// a message that will not come.
//
//   bad-backward       rank 0's list has a BackwardInput (training only)
//   bad-foreign-stage  rank 0's list runs stage 1, which lives on rank 1
//   bad-send-last      rank 1's list sends from stage 3, the last stage
//   bad-microbatches   3 micro-batches of a batch of 4
//   bad-missing-forward rank 0's list never runs stage 0 on micro-batch 0
//
//===----------------------------------------------------------------------===//

#include "PipelinePrograms.h"

namespace pprt::test {

namespace {

/// The interleaved schedule, for one rank's list to be edited; static, as
/// a generated table is.
struct EditedSchedule {
  std::vector<Action> lists[2] = {interleavedActions(0), interleavedActions(1)};
  RankSchedule table[2];
  const RankSchedule *finish() {
    for (int r = 0; r < 2; ++r)
      table[r] = {int(lists[r].size()), lists[r].data()};
    return table;
  }
};

Program variant(const char *name) {
  Program p = virtualStagesTest().program();
  p.modelName = name;
  return p;
}

const Program &backward() {
  static const Program p = [] {
    Program p = variant("bad-backward");
    static EditedSchedule s;
    s.lists[0].insert(s.lists[0].begin() + 1,
                      {ActionKind::BackwardInput, 0, 0});
    p.schedule = s.finish();
    return p;
  }();
  return p;
}

const Program &foreignStage() {
  static const Program p = [] {
    Program p = variant("bad-foreign-stage");
    static EditedSchedule s;
    s.lists[0].insert(s.lists[0].begin(), {ActionKind::Forward, 1, 0});
    p.schedule = s.finish();
    return p;
  }();
  return p;
}

const Program &sendLast() {
  static const Program p = [] {
    Program p = variant("bad-send-last");
    static EditedSchedule s;
    s.lists[1].push_back({ActionKind::Send, 3, 1});
    p.schedule = s.finish();
    return p;
  }();
  return p;
}

const Program &missingForward() {
  static const Program p = [] {
    Program p = variant("bad-missing-forward");
    static EditedSchedule s;
    std::vector<Action> &list = s.lists[0];
    for (auto it = list.begin(); it != list.end(); ++it)
      if (it->kind == ActionKind::Forward && it->stage == 0 &&
          it->microbatch == 0) {
        list.erase(it);
        break;
      }
    p.schedule = s.finish();
    return p;
  }();
  return p;
}

const Program &microbatches() {
  static const Program p = [] {
    Program p = variant("bad-microbatches");
    p.numMicrobatches = 3;
    p.schedule = nullptr;
    return p;
  }();
  return p;
}

std::vector<HostArray> none() { return {}; }

} // namespace

std::vector<const TestProgram *> badScheduleTests() {
  auto fixture = virtualStagesTest().writeFixture;
  static const TestProgram tests[] = {
      {"bad-backward", backward, fixture, none},
      {"bad-foreign-stage", foreignStage, fixture, none},
      {"bad-send-last", sendLast, fixture, none},
      {"bad-microbatches", microbatches, fixture, none},
      {"bad-missing-forward", missingForward, fixture, none}};
  return {&tests[0], &tests[1], &tests[2], &tests[3], &tests[4]};
}

} // namespace pprt::test
