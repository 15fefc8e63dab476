//===- GeneratorTest.cpp - options, orders and messages of generators -----===//

#include "ScheduleTestUtil.h"

#include "pp/Schedule/Verifier.h"

#include <algorithm>

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

std::string errorFor(const GeneratorOptions &opts) {
  std::string error;
  EXPECT_FALSE(generateSchedule(opts, error).has_value());
  EXPECT_EQ(error, checkGeneratorOptions(opts));
  return error;
}

TEST(Generators, KindNamesRoundTrip) {
  for (const char *name : {"gpipe", "1f1b", "interleaved", "zb-h1", "zbv"})
    EXPECT_STREQ(scheduleKindName(*parseScheduleKind(name)), name);
  EXPECT_FALSE(parseScheduleKind("1F1B").has_value());
  EXPECT_EQ(scheduleKindList(), "gpipe, 1f1b, interleaved, zb-h1, zbv");
}

TEST(Generators, InterleavedNeedsMultipleOfP) {
  EXPECT_EQ(errorFor(options(ScheduleKind::Interleaved, 4, 6, 2)),
            "interleaved needs the micro-batch count to be a multiple of the "
            "pipeline size (m=6, p=4)");
  EXPECT_EQ(errorFor(options(ScheduleKind::Interleaved, 4, 2, 2)),
            "interleaved needs the micro-batch count to be a multiple of the "
            "pipeline size (m=2, p=4)");
}

TEST(Generators, InterleavedNeedsTwoChunks) {
  EXPECT_EQ(errorFor(options(ScheduleKind::Interleaved, 4, 8, 1)),
            "interleaved needs at least 2 virtual stages per rank (got 1)");
}

TEST(Generators, ZeroBubbleSchedulesNeedMAtLeastP) {
  EXPECT_EQ(errorFor(options(ScheduleKind::ZeroBubbleH1, 4, 3)),
            "zb-h1 needs at least as many micro-batches as pipeline ranks "
            "(m=3 < p=4)");
  EXPECT_EQ(errorFor(options(ScheduleKind::ZeroBubbleV, 8, 4)),
            "zbv needs at least as many micro-batches as pipeline ranks "
            "(m=4 < p=8)");
}

TEST(Generators, ZeroBubbleVNeedsTwoChunks) {
  EXPECT_EQ(errorFor(options(ScheduleKind::ZeroBubbleV, 4, 8, 3)),
            "zbv runs exactly 2 virtual stages per rank (got 3)");
}

TEST(Generators, OneChunkSchedulesRejectVirtualStages) {
  EXPECT_EQ(errorFor(options(ScheduleKind::OneFOneB, 4, 8, 2)),
            "1f1b runs one chunk per rank (got 2 virtual stages; use "
            "interleaved or zbv)");
}

TEST(Generators, RejectsEmptyPipelines) {
  EXPECT_EQ(errorFor(options(ScheduleKind::GPipe, 0, 8)),
            "the pipeline needs at least 1 rank (got 0)");
  EXPECT_EQ(errorFor(options(ScheduleKind::GPipe, 2, 0)),
            "the schedule needs at least 1 micro-batch (got 0)");
}

TEST(Generators, OneFOneBWarmsUpWithPMinusOneMinusRForwards) {
  ComputeOrder order =
      generateComputeOrder(options(ScheduleKind::OneFOneB, 4, 8));
  for (int rank = 0; rank < 4; ++rank) {
    const std::vector<Action> &list = order.ranks[rank];
    int leading = 0;
    while (list[leading].kind == ActionKind::Forward)
      ++leading;
    // Warm-up forwards plus the first steady-state forward.
    EXPECT_EQ(leading, 4 - rank) << "rank " << rank;
  }
  EXPECT_TRUE(order.gradientLeavesAfterWeightGrad);
}

TEST(Generators, ZeroBubbleH1DefersRWeightGrads) {
  ComputeOrder order =
      generateComputeOrder(options(ScheduleKind::ZeroBubbleH1, 4, 8));
  EXPECT_FALSE(order.gradientLeavesAfterWeightGrad);
  for (int rank = 0; rank < 4; ++rank) {
    const std::vector<Action> &list = order.ranks[rank];
    int trailingW = 0;
    for (auto it = list.rbegin();
         it != list.rend() && it->kind == ActionKind::WeightGrad; ++it)
      ++trailingW;
    // The r deferred W passes, plus the one after the last B.
    EXPECT_EQ(trailingW, rank + 1) << "rank " << rank;
  }
}

TEST(Generators, ZeroBubbleVPlacesTwoStagesPerRankInAV) {
  Schedule schedule = generate(options(ScheduleKind::ZeroBubbleV, 4, 8));
  EXPECT_EQ(schedule.stages.placement(), Placement::V);
  EXPECT_EQ(schedule.stages.stageOf(0, 1), 7);
  EXPECT_EQ(schedule.stages.stageOf(3, 0), 3);
  EXPECT_EQ(schedule.stages.stageOf(3, 1), 4);
  // The turn of the V is on one rank: no message between stages 3 and 4.
  for (const Action &action : schedule.ranks[3]) {
    if (action.kind == ActionKind::Send) {
      EXPECT_NE(action.peer, 3);
    }
  }
}

TEST(Generators, InterleavedFollowsMegatronOrder) {
  ComputeOrder order =
      generateComputeOrder(options(ScheduleKind::Interleaved, 2, 4, 2));
  // Rank 0: warm-up (2-1-0)*2 + (2-1)*2 = 4 forwards in groups of p = 2:
  // micro-batches 0,1 on chunk 0, then 0,1 on chunk 1.
  std::vector<Action> expected = {
      Action::forward(0, 0),   Action::forward(1, 0), Action::forward(0, 1),
      Action::forward(1, 1),   Action::forward(2, 0), Action::inputGrad(0, 1),
      Action::weightGrad(0, 1)};
  ASSERT_GE(order.ranks[0].size(), expected.size());
  EXPECT_EQ(std::vector<Action>(order.ranks[0].begin(),
                                order.ranks[0].begin() + expected.size()),
            expected);
}

TEST(Generators, ForwardOnlyKeepsOnlyForwards) {
  for (ScheduleKind kind :
       {ScheduleKind::GPipe, ScheduleKind::OneFOneB, ScheduleKind::Interleaved,
        ScheduleKind::ZeroBubbleH1, ScheduleKind::ZeroBubbleV}) {
    Schedule schedule = generate(options(kind, 4, 8, 0, true));
    EXPECT_FALSE(schedule.isTraining()) << scheduleKindName(kind);
    EXPECT_EQ(schedule.count(ActionKind::Forward),
              8 * schedule.stages.numStages());
    EXPECT_TRUE(verifySchedule(schedule).empty());
  }
}

TEST(Generators, MessagesAreBlockingSafeFor1F1BOnTwoRanks) {
  // Rank 1 receives micro-batch 1's activation before it sends micro-batch
  // 0's gradient: the order Megatron gets from send_forward_recv_backward.
  Schedule schedule = generate(options(ScheduleKind::OneFOneB, 2, 2));
  EXPECT_EQ(printSchedule(schedule),
            "schedule name=1f1b ranks=2 microbatches=2 chunks=1 "
            "placement=loop\n"
            "rank 0: F0.0 SEND F0.0->1 F1.0 SEND F1.0->1 RECV B0.0<-1 B0.0 "
            "W0.0 RECV B1.0<-1 B1.0 W1.0\n"
            "rank 1: RECV F0.0<-0 F0.0 RECV F1.0<-0 B0.0 W0.0 SEND B0.0->0 "
            "F1.0 B1.0 W1.0 SEND B1.0->0\n");
}

TEST(Generators, SplitBackwardSendsGradientBeforeW) {
  Schedule schedule = generate(options(ScheduleKind::ZeroBubbleH1, 2, 2));
  const std::vector<Action> &last = schedule.ranks[1];
  auto position = [&](const Action &action) {
    return std::find(last.begin(), last.end(), action) - last.begin();
  };
  EXPECT_LT(position(Action::send(0, {TensorKind::Gradient, 0, 0})),
            position(Action::weightGrad(0, 0)));
}

} // namespace
