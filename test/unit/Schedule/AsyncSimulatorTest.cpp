//===- AsyncSimulatorTest.cpp - messages off the critical path -----------===//
//
// With free messages the asynchronous run equals the blocking one for every
// generator; with priced messages it matches the closed form of a
// forward-only pipeline, where each message delays only the first pass of
// the next stage, and it is never slower than blocking rendezvous.
//
//===----------------------------------------------------------------------===//

#include "ScheduleTestUtil.h"

#include "pp/Schedule/AsyncSimulator.h"

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

AsyncResult runAsync(const GeneratorOptions &opts, double f, double b,
                     double w, double message) {
  ComputeOrder order = generateComputeOrder(opts);
  CostModel costs = CostModel::uniform(order.stages, f, b, w);
  costs.comm.latency = message;
  return simulateAsync(order, costs);
}

TEST(AsyncSimulator, FreeMessagesEqualBlockingRendezvous) {
  for (ScheduleKind kind :
       {ScheduleKind::GPipe, ScheduleKind::OneFOneB, ScheduleKind::Interleaved,
        ScheduleKind::ZeroBubbleH1, ScheduleKind::ZeroBubbleV})
    for (int p : {2, 4})
      for (int m : {4, 8}) {
        GeneratorOptions opts = options(kind, p, m);
        SimulationResult blocking = run(opts, 1, 1, 1);
        AsyncResult async = runAsync(opts, 1, 1, 1, 0);
        EXPECT_NEAR(async.stepTime, blocking.stepTime, exact)
            << scheduleKindName(kind) << " p=" << p << " m=" << m;
        EXPECT_NEAR(async.bubbleFraction, blocking.bubbleFraction, exact);
      }
}

TEST(AsyncSimulator, ForwardOnlyPipelinePaysEachMessageOnce) {
  // P = 8, M = 48, a message a fifth of a stage: M f + (P - 1)(f + t).
  GeneratorOptions opts = options(ScheduleKind::OneFOneB, 8, 48, 0, true);
  AsyncResult async = runAsync(opts, 1, 0, 0, 0.2);
  EXPECT_NEAR(async.stepTime, 48 + 7 * 1.2, exact);
  EXPECT_NEAR(async.bubbleFraction, 1 - 48 / (48 + 7 * 1.2), exact);
}

TEST(AsyncSimulator, InterleavingKeepsItsSmallerBubbleWithMessages) {
  // The case that blocking rendezvous gets backwards: at P = 8, M = 48 and
  // a message worth a fifth of a stage, interleaving (V = 4) must still beat
  // 1F1B, as it does on GPUs.
  AsyncResult plain =
      runAsync(options(ScheduleKind::OneFOneB, 8, 48), 1, 1, 1, 0.2);
  AsyncResult interleaved =
      runAsync(options(ScheduleKind::Interleaved, 8, 48, 4), 1, 1, 1, 0.2 / 4);
  EXPECT_LT(interleaved.bubbleFraction, plain.bubbleFraction);
}

TEST(AsyncSimulator, NeverSlowerThanBlocking) {
  for (ScheduleKind kind : {ScheduleKind::OneFOneB, ScheduleKind::ZeroBubbleH1,
                            ScheduleKind::ZeroBubbleV})
    for (double message : {0.1, 0.5}) {
      GeneratorOptions opts = options(kind, 4, 8);
      Schedule schedule = generate(opts);
      CostModel costs = uniformCosts(schedule, 1, 1, 1);
      costs.comm.latency = message;
      SimulationResult blocking = simulateSchedule(schedule, costs);
      AsyncResult async =
          simulateAsync(generateComputeOrder(opts), costs);
      EXPECT_LE(async.stepTime, blocking.stepTime + exact)
          << scheduleKindName(kind) << " message " << message;
    }
}

TEST(AsyncSimulator, LongPipelinesExtendTheSteadyStateExactly) {
  // Uneven stages (heavier first and last, as an embedding and a head),
  // messages from negligible to longer than a stage.
  for (ScheduleKind kind :
       {ScheduleKind::GPipe, ScheduleKind::OneFOneB, ScheduleKind::Interleaved,
        ScheduleKind::ZeroBubbleH1, ScheduleKind::ZeroBubbleV})
    for (bool forwardOnly : {false, true})
      for (int p : {2, 4, 8})
        for (int v : {1, 2, 4})
          for (double message : {0.01, 0.4, 3.0}) {
            int m = 16 * p + (kind == ScheduleKind::Interleaved ? 0 : 3);
            GeneratorOptions opts = options(kind, p, m, v, forwardOnly);
            if (!checkGeneratorOptions(opts).empty())
              continue;
            ComputeOrder order = generateComputeOrder(opts);
            CostModel costs;
            int stages = order.stages.numStages();
            for (int s = 0; s < stages; ++s) {
              StageCost st;
              st.forward = 1 + 0.3 * (s == 0) + 0.7 * (s == stages - 1) +
                           0.01 * s;
              st.inputGrad = forwardOnly ? 0 : 2 * st.forward;
              st.weightGrad = forwardOnly ? 0 : 0.9 * st.forward;
              costs.stages.push_back(st);
            }
            costs.comm.latency = message;
            AsyncResult full = simulateAsync(order, costs);
            AsyncResult extended = simulatePipeline(opts, costs);
            EXPECT_NEAR(extended.stepTime, full.stepTime,
                        1e-9 * full.stepTime)
                << scheduleKindName(kind) << " p=" << p << " v=" << v
                << " message " << message << " forward-only " << forwardOnly;
            EXPECT_NEAR(extended.bubbleFraction, full.bubbleFraction, 1e-9);
          }
}

} // namespace
