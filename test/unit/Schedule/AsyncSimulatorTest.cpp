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

} // namespace
