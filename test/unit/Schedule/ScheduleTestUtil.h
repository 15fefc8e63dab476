//===- ScheduleTestUtil.h - helpers for the schedule tests ------*- C++ -*-===//

#ifndef PP_TEST_UNIT_SCHEDULE_SCHEDULETESTUTIL_H
#define PP_TEST_UNIT_SCHEDULE_SCHEDULETESTUTIL_H

#include "pp/Schedule/Generators.h"
#include "pp/Schedule/Simulator.h"
#include "pp/Schedule/TextFormat.h"

#include <gtest/gtest.h>

namespace pp::schedule::test {

inline GeneratorOptions options(ScheduleKind kind, int ranks, int microbatches,
                                int virtualStages = 0,
                                bool forwardOnly = false) {
  GeneratorOptions options;
  options.kind = kind;
  options.ranks = ranks;
  options.microbatches = microbatches;
  options.virtualStages = virtualStages;
  options.forwardOnly = forwardOnly;
  return options;
}

/// Uniform per-rank costs over the schedule's stages (each chunk 1/v).
inline CostModel uniformCosts(const Schedule &schedule, double f, double b,
                              double w, double activationBytes = 0) {
  return CostModel::uniform(schedule.stages, f, b, w, activationBytes);
}

/// Generates with messages placed for the same costs it is simulated with.
inline Schedule generate(const GeneratorOptions &opts, double f = 1,
                         double b = 1, double w = 1) {
  StageMap stages(opts.ranks, effectiveVirtualStages(opts),
                  opts.kind == ScheduleKind::ZeroBubbleV ? Placement::V
                                                         : Placement::Loop);
  std::string error;
  std::optional<Schedule> schedule =
      generateSchedule(opts, CostModel::uniform(stages, f, b, w), error);
  EXPECT_TRUE(schedule.has_value()) << error;
  return schedule ? *schedule : Schedule();
}

/// Generates and simulates at uniform costs f, b, w.
inline SimulationResult run(const GeneratorOptions &opts, double f = 1,
                            double b = 1, double w = 1) {
  Schedule schedule = generate(opts, f, b, w);
  SimulationResult result =
      simulateSchedule(schedule, uniformCosts(schedule, f, b, w));
  EXPECT_TRUE(result.completed) << result.deadlockMessage();
  return result;
}

inline Schedule parseOrDie(const std::string &text) {
  ParseError error;
  std::optional<Schedule> schedule = parseSchedule(text, error);
  EXPECT_TRUE(schedule.has_value()) << error.format();
  return schedule ? *schedule : Schedule();
}

constexpr double exact = 1e-9;

} // namespace pp::schedule::test

#endif // PP_TEST_UNIT_SCHEDULE_SCHEDULETESTUTIL_H
