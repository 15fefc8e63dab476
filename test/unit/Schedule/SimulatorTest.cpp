//===- SimulatorTest.cpp - timing, memory and timelines -------------------===//

#include "ScheduleTestUtil.h"

#include <algorithm>
#include <map>

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

TEST(Simulator, MessagesCostLatencyPlusBytesOverBandwidth) {
  Schedule schedule = parseOrDie("schedule ranks=2 microbatches=1\n"
                                 "rank 0: F0 SEND F0->1 RECV B0<-1 B0 W0\n"
                                 "rank 1: RECV F0<-0 F0 B0 W0 SEND B0->0\n");
  CostModel costs = uniformCosts(schedule, 1, 1, 1);
  costs.comm.latency = 0.25;
  costs.comm.bandwidth = 100;
  for (StageCost &stage : costs.stages)
    stage.outputBytes = 25; // 0.25 + 25 / 100 = 0.5 per message
  SimulationResult result = simulateSchedule(schedule, costs);
  ASSERT_TRUE(result.completed);
  // F [0,1], message [1,1.5], F B W [1.5,4.5], message [4.5,5], B W [5,7].
  EXPECT_DOUBLE_EQ(result.stepTime, 7);
  EXPECT_DOUBLE_EQ(result.bubbleFraction, 1 - 6.0 / 14);
  EXPECT_EQ(result.busyTime, (std::vector<double>{3, 3}));
}

TEST(Simulator, CommCostSlowsA1F1BStep) {
  GeneratorOptions opts = options(ScheduleKind::OneFOneB, 4, 8);
  Schedule schedule = generate(opts);
  CostModel costs = uniformCosts(schedule, 1, 1, 1);
  double free = simulateSchedule(schedule, costs).stepTime;
  costs.comm.latency = 0.1;
  double paid = simulateSchedule(schedule, costs).stepTime;
  EXPECT_DOUBLE_EQ(free, 33);
  EXPECT_GT(paid, free);
}

TEST(Simulator, PeakActivationBytesFollowInflight) {
  Schedule schedule = generate(options(ScheduleKind::OneFOneB, 4, 8));
  SimulationResult result =
      simulateSchedule(schedule, uniformCosts(schedule, 1, 1, 1, 10));
  EXPECT_EQ(result.peakActivationBytes, (std::vector<double>{40, 30, 20, 10}));

  // Interleaved: each of a rank's 2 chunks stashes half of its bytes.
  Schedule interleaved = generate(options(ScheduleKind::Interleaved, 4, 8, 2));
  result =
      simulateSchedule(interleaved, uniformCosts(interleaved, 1, 1, 1, 10));
  EXPECT_EQ(result.peakInflightChunks, (std::vector<int>{11, 9, 7, 5}));
  EXPECT_EQ(result.peakInflight, (std::vector<double>{5.5, 4.5, 3.5, 2.5}));
  EXPECT_EQ(result.peakActivationBytes, (std::vector<double>{55, 45, 35, 25}));
}

TEST(Simulator, WeightGradStashIsHeldFromBToW) {
  Schedule schedule = parseOrDie("schedule ranks=1 microbatches=2\n"
                                 "rank 0: F0 B0 F1 B1 W0 W1\n");
  CostModel costs = uniformCosts(schedule, 1, 1, 1);
  costs.stages[0].activationBytes = 10;
  costs.stages[0].weightGradBytes = 4;
  SimulationResult result = simulateSchedule(schedule, costs);
  // F0 10, B0 4, F1 14, B1 8, W0 4, W1 0.
  EXPECT_EQ(result.peakActivationBytes[0], 14);
  EXPECT_EQ(result.peakInflightChunks[0], 1);
}

TEST(Simulator, ForwardOnlyInflightEndsWhenTheOutputLeaves) {
  SimulationResult gpipe =
      run(options(ScheduleKind::GPipe, 4, 8, 0, /*forwardOnly=*/true));
  EXPECT_EQ(gpipe.peakInflightChunks, (std::vector<int>{1, 1, 1, 1}));
  // The turn of the V stays on the last rank: its chunk-0 output is held
  // while its chunk-1 forward runs.
  SimulationResult zbv = run(options(ScheduleKind::ZeroBubbleV, 4, 8, 0, true));
  EXPECT_EQ(zbv.peakInflightChunks[3], 2);
  EXPECT_EQ(zbv.peakInflightChunks[0], 1);
}

TEST(Simulator, TimelineHasEveryActionWithoutOverlapPerRank) {
  Schedule schedule = generate(options(ScheduleKind::ZeroBubbleV, 4, 8));
  SimulationResult result =
      simulateSchedule(schedule, uniformCosts(schedule, 1, 1, 1));
  size_t actions = 0;
  for (const std::vector<Action> &list : schedule.ranks)
    actions += list.size();
  EXPECT_EQ(result.timeline.size(), actions);
  std::map<int, std::vector<const TimelineEvent *>> byRank;
  for (const TimelineEvent &event : result.timeline)
    byRank[event.rank].push_back(&event);
  for (auto &[rank, events] : byRank) {
    std::stable_sort(events.begin(), events.end(),
                     [](const TimelineEvent *a, const TimelineEvent *b) {
                       return a->start < b->start;
                     });
    for (size_t i = 1; i < events.size(); ++i)
      EXPECT_LE(events[i - 1]->start + events[i - 1]->duration,
                events[i]->start + 1e-12);
  }
  auto first =
      std::find_if(result.timeline.begin(), result.timeline.end(),
                   [](const TimelineEvent &e) {
                     return e.rank == 0 && e.kind == ActionKind::Forward;
                   });
  ASSERT_NE(first, result.timeline.end());
  EXPECT_EQ(first->name, "F0.0");
  EXPECT_EQ(first->microbatch, 0);
  EXPECT_EQ(first->duration, 0.5);
}

TEST(Simulator, DeadlockDoesNotDependOnCosts) {
  Schedule schedule = parseOrDie("schedule ranks=2 microbatches=2\n"
                                 "rank 0: F0 SEND F0->1 F1 SEND F1->1 "
                                 "RECV B0<-1 B0 W0 RECV B1<-1 B1 W1\n"
                                 "rank 1: RECV F0<-0 F0 B0 W0 SEND B0->0 "
                                 "RECV F1<-0 F1 B1 W1 SEND B1->0\n");
  SimulationResult cheap =
      simulateSchedule(schedule, uniformCosts(schedule, 1, 1, 1));
  SimulationResult uneven =
      simulateSchedule(schedule, uniformCosts(schedule, 5, 0.1, 3));
  EXPECT_FALSE(cheap.completed);
  EXPECT_EQ(cheap.deadlockMessage(), uneven.deadlockMessage());
  EXPECT_EQ(cheap.finished, (std::vector<int>{3, 4}));
}

TEST(Simulator, CollectivesStartWhenTheWholeGroupArrives) {
  Schedule schedule = parseOrDie("schedule ranks=2 microbatches=1\n"
                                 "rank 0: F0 SEND F0->1 COLL sync\n"
                                 "rank 1: RECV F0<-0 F0 COLL sync\n");
  CostModel costs = uniformCosts(schedule, 1, 1, 1);
  costs.comm.collective = 2;
  SimulationResult result = simulateSchedule(schedule, costs);
  ASSERT_TRUE(result.completed);
  EXPECT_EQ(result.finishTime, (std::vector<double>{4, 4}));
}

} // namespace
