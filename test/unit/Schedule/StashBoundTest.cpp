//===- StashBoundTest.cpp - the planner's stash bound is exact ------------===//
//
// peakStashedChunks predicts, without generating the order, the stash slots
// planStash gives the fullest rank; the planner's memory depends on it.
//
//===----------------------------------------------------------------------===//

#include "ScheduleTestUtil.h"

#include "pp/Schedule/StashSlots.h"

#include <algorithm>

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

TEST(StashBound, EqualsPlanStashOfGeneratedOrders) {
  for (ScheduleKind kind :
       {ScheduleKind::GPipe, ScheduleKind::OneFOneB, ScheduleKind::Interleaved,
        ScheduleKind::ZeroBubbleH1, ScheduleKind::ZeroBubbleV})
    for (int v : {1, 2, 4})
      for (int p : {1, 2, 3, 4, 8})
        for (int m : {1, 2, 3, 4, 6, 8, 16, 24, 32}) {
          GeneratorOptions opts = options(kind, p, m, v);
          if (!checkGeneratorOptions(opts).empty())
            continue;
          ComputeOrder order = generateComputeOrder(opts);
          int fullest = 0;
          for (const std::vector<Action> &list : order.ranks) {
            StashPlan plan = planStash(list, order.stages.numChunks());
            int slots = 0;
            for (int s : plan.slots)
              slots += s;
            fullest = std::max(fullest, slots);
          }
          EXPECT_EQ(peakStashedChunks(opts), fullest)
              << scheduleKindName(kind) << " v=" << v << " p=" << p
              << " m=" << m;
        }
}

} // namespace
