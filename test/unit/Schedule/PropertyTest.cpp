//===- PropertyTest.cpp - every generated schedule verifies ---------------===//
//
// All kinds, training and forward-only, over p <= 16 and m <= 64. Every m
// from 1 to 16 and a spread of larger ones (around multiples of 16 and the
// ends of the range) keep the run to a few seconds; interleaved takes every
// valid m (the multiples of p) with v in {2, 3, 4}.
//
//===----------------------------------------------------------------------===//

#include "ScheduleTestUtil.h"

#include "pp/Schedule/Verifier.h"

#include <random>

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

std::vector<int> sampledMicrobatches() {
  std::vector<int> values;
  for (int m = 1; m <= 16; ++m)
    values.push_back(m);
  for (int m : {17, 23, 24, 31, 32, 33, 40, 47, 48, 49, 56, 63, 64})
    values.push_back(m);
  return values;
}

struct Case {
  GeneratorOptions options;
  std::string describe() const {
    return std::string(scheduleKindName(options.kind)) +
           " p=" + std::to_string(options.ranks) +
           " m=" + std::to_string(options.microbatches) +
           " v=" + std::to_string(effectiveVirtualStages(options)) +
           (options.forwardOnly ? " forward-only" : "");
  }
};

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (bool forwardOnly : {false, true})
    for (int p = 1; p <= 16; ++p) {
      for (int m : sampledMicrobatches())
        for (ScheduleKind kind :
             {ScheduleKind::GPipe, ScheduleKind::OneFOneB,
              ScheduleKind::ZeroBubbleH1, ScheduleKind::ZeroBubbleV}) {
          GeneratorOptions opts = options(kind, p, m, 0, forwardOnly);
          if (checkGeneratorOptions(opts).empty())
            cases.push_back({opts});
        }
      for (int v : {2, 3, 4})
        for (int m = p; m <= 64; m += p)
          cases.push_back(
              {options(ScheduleKind::Interleaved, p, m, v, forwardOnly)});
    }
  return cases;
}

TEST(Property, EveryGeneratedScheduleVerifies) {
  int checked = 0;
  for (const Case &c : allCases()) {
    std::string error;
    std::optional<Schedule> schedule = generateSchedule(c.options, error);
    ASSERT_TRUE(schedule.has_value()) << c.describe() << ": " << error;
    std::vector<std::string> problems = verifySchedule(*schedule);
    ASSERT_TRUE(problems.empty()) << c.describe() << ": " << problems.front();
    ++checked;
  }
  EXPECT_GT(checked, 4000);
}

// Messages are placed from the costs they are given; whatever those are,
// and whatever the schedule then runs with, it must not deadlock.
TEST(Property, MessagesPlacedForUnevenCostsStillVerify) {
  std::mt19937 random(20240607);
  std::uniform_real_distribution<double> cost(0.1, 3.0);
  int checked = 0;
  for (const Case &c : allCases()) {
    if (random() % 8 != 0)
      continue; // a sample: each case costs a full placement
    StageMap stages(c.options.ranks, effectiveVirtualStages(c.options),
                    c.options.kind == ScheduleKind::ZeroBubbleV
                        ? Placement::V
                        : Placement::Loop);
    CostModel costs = CostModel::uniform(stages, 1, 1, 1);
    for (StageCost &stage : costs.stages) {
      stage.forward = cost(random);
      stage.inputGrad = cost(random);
      stage.weightGrad = cost(random);
    }
    std::string error;
    std::optional<Schedule> schedule =
        generateSchedule(c.options, costs, error);
    ASSERT_TRUE(schedule.has_value()) << c.describe() << ": " << error;
    std::vector<std::string> problems = verifySchedule(*schedule);
    ASSERT_TRUE(problems.empty()) << c.describe() << ": " << problems.front();
    EXPECT_TRUE(simulateSchedule(*schedule, costs).completed);
    ++checked;
  }
  EXPECT_GT(checked, 500);
}

} // namespace
