//===- FormulaTest.cpp - the simulator reproduces design.md section 4 -----===//
//
// Uniform stages and free messages; bubble fractions to 1e-9. f, b and w are
// what one rank's whole share of the model costs (each of v chunks costs
// 1/v of it).
//
//===----------------------------------------------------------------------===//

#include "ScheduleTestUtil.h"

#include <algorithm>
#include <cmath>

using namespace pp::schedule;
using namespace pp::schedule::test;

namespace {

double onePipeBubble(int p, int m) { return double(p - 1) / (m + p - 1); }

// GPipe and 1F1B allow m < p (m = 1 is in the grid); the formula holds there
// too.
TEST(Formula, GPipeAnd1F1BBubble) {
  for (ScheduleKind kind : {ScheduleKind::GPipe, ScheduleKind::OneFOneB})
    for (int p : {2, 4, 8})
      for (int m : {1, 4, 8, 16, 32}) {
        SimulationResult result = run(options(kind, p, m));
        EXPECT_NEAR(result.bubbleFraction, onePipeBubble(p, m), exact)
            << scheduleKindName(kind) << " p=" << p << " m=" << m;
        // Step time: m + p - 1 full forward+backward slots.
        EXPECT_NEAR(result.stepTime, 3.0 * (m + p - 1), exact);
      }
}

TEST(Formula, GPipeAnd1F1BBubbleDoesNotDependOnCostRatios) {
  for (ScheduleKind kind : {ScheduleKind::GPipe, ScheduleKind::OneFOneB})
    for (auto [f, b, w] :
         {std::tuple{1.0, 2.0, 0.0}, {2.0, 3.0, 1.0}, {1.0, 0.5, 0.25}})
      for (int p : {2, 4, 8})
        for (int m : {1, 4, 8, 16, 32})
          EXPECT_NEAR(run(options(kind, p, m), f, b, w).bubbleFraction,
                      onePipeBubble(p, m), exact)
              << scheduleKindName(kind) << " p=" << p << " m=" << m
              << " f,b,w=" << f << "," << b << "," << w;
}

TEST(Formula, ForwardOnlyGPipeAnd1F1BAndZBH1) {
  for (ScheduleKind kind : {ScheduleKind::GPipe, ScheduleKind::OneFOneB,
                            ScheduleKind::ZeroBubbleH1})
    for (int p : {2, 4, 8})
      for (int m : {8, 16, 32})
        EXPECT_NEAR(
            run(options(kind, p, m, 0, /*forwardOnly=*/true)).bubbleFraction,
            onePipeBubble(p, m), exact)
            << scheduleKindName(kind) << " p=" << p << " m=" << m;
}

TEST(Formula, SeedTable) {
  // design.md: p = 4 gives 43/27/16/9% at m = 4/8/16/32.
  const std::pair<int, long> seed[] = {{4, 43}, {8, 27}, {16, 16}, {32, 9}};
  for (auto [m, percent] : seed) {
    double bubble = run(options(ScheduleKind::OneFOneB, 4, m)).bubbleFraction;
    EXPECT_EQ(std::lround(bubble * 100), percent) << "m=" << m;
    EXPECT_NEAR(bubble, 3.0 / (m + 3), exact);
  }
}

TEST(Formula, InterleavedBubble) {
  for (int v : {2, 4})
    for (int p : {2, 4, 8})
      for (int m : {p, 2 * p, 4 * p}) {
        double expected = double(p - 1) / (v * m + p - 1);
        EXPECT_NEAR(
            run(options(ScheduleKind::Interleaved, p, m, v)).bubbleFraction,
            expected, exact)
            << "p=" << p << " m=" << m << " v=" << v;
        EXPECT_NEAR(run(options(ScheduleKind::Interleaved, p, m, v, true))
                        .bubbleFraction,
                    expected, exact)
            << "forward-only p=" << p << " m=" << m << " v=" << v;
      }
}

// The ZB-H1 formula assumes m >= p, w <= f and w <= b: the deferred W passes
// must fit in the gaps they fill.
TEST(Formula, ZeroBubbleH1Bubble) {
  for (auto [f, b, w] : {std::tuple{1.0, 1.0, 1.0},
                         {1.0, 2.0, 1.0},
                         {2.0, 3.0, 1.0},
                         {3.0, 2.0, 1.0},
                         {2.0, 2.0, 2.0}})
    for (int p : {2, 4, 8})
      for (int m : {p, 2 * p, 4 * p}) {
        double idle = (p - 1) * (f + b - w);
        double expected = idle / (m * (f + b + w) + idle);
        EXPECT_NEAR(run(options(ScheduleKind::ZeroBubbleH1, p, m), f, b, w)
                        .bubbleFraction,
                    expected, exact)
            << "p=" << p << " m=" << m << " f,b,w=" << f << "," << b << ","
            << w;
      }
}

double zbvStartupBound(int p, int m, double f, double b, double w) {
  double startup = (p - 1) * (f / 2);
  return startup / (m * (f + b + w) + startup);
}

TEST(Formula, ZeroBubbleVAtTwicePWithinTwoPointsAndBelowZBH1) {
  for (int p : {2, 4, 8}) {
    int m = 2 * p;
    double zbv = run(options(ScheduleKind::ZeroBubbleV, p, m)).bubbleFraction;
    double zbh1 = run(options(ScheduleKind::ZeroBubbleH1, p, m)).bubbleFraction;
    EXPECT_LE(std::fabs(zbv - zbvStartupBound(p, m, 1, 1, 1)), 0.02)
        << "p=" << p;
    EXPECT_LT(zbv, zbh1) << "p=" << p;
  }
}

TEST(Formula, ZeroBubbleVIsExactlyTheStartUpBoundFromTwoPMinusOne) {
  for (int p : {2, 3, 4, 8})
    for (int m : {2 * p - 1, 2 * p, 3 * p, 4 * p})
      EXPECT_NEAR(run(options(ScheduleKind::ZeroBubbleV, p, m)).bubbleFraction,
                  zbvStartupBound(p, m, 1, 1, 1), exact)
          << "p=" << p << " m=" << m;
}

// Forward-only, a V cannot beat one chunk per rank: the last rank holds both
// middle stages, so it starts last and finishes last.
TEST(Formula, ZeroBubbleVForwardOnlyMatchesOnePipe) {
  for (int p : {2, 4, 8})
    for (int m : {p, 2 * p, 4 * p})
      EXPECT_NEAR(
          run(options(ScheduleKind::ZeroBubbleV, p, m, 0, true)).bubbleFraction,
          onePipeBubble(p, m), exact)
          << "p=" << p << " m=" << m;
}

TEST(Formula, OneFOneBPeakInflight) {
  for (int p : {2, 4, 8})
    for (int m : {1, 4, 8, 16, 32}) {
      SimulationResult result = run(options(ScheduleKind::OneFOneB, p, m));
      for (int s = 0; s < p; ++s)
        EXPECT_EQ(result.peakInflightChunks[s], std::min(p - s, m))
            << "p=" << p << " m=" << m << " s=" << s;
    }
}

TEST(Formula, GPipePeakInflightIsM) {
  for (int p : {2, 4, 8})
    for (int m : {1, 4, 8, 16, 32}) {
      SimulationResult result = run(options(ScheduleKind::GPipe, p, m));
      for (int s = 0; s < p; ++s)
        EXPECT_EQ(result.peakInflightChunks[s], m);
    }
}

TEST(Formula, ZeroBubbleH1PeakInflightLike1F1B) {
  for (int p : {2, 4, 8})
    for (int m : {p, 2 * p, 4 * p}) {
      SimulationResult result = run(options(ScheduleKind::ZeroBubbleH1, p, m));
      for (int s = 0; s < p; ++s)
        EXPECT_EQ(result.peakInflightChunks[s], std::min(p - s, m));
    }
}

TEST(Formula, ZeroBubbleVPeakInflightAtMost1F1Bs) {
  for (int p : {2, 4, 8})
    for (int m : {p, 2 * p, 4 * p}) {
      SimulationResult zbv = run(options(ScheduleKind::ZeroBubbleV, p, m));
      for (int s = 0; s < p; ++s)
        EXPECT_LE(zbv.peakInflight[s], std::min(p, m)) << "p=" << p;
    }
}

// Megatron's warm-up holds (p-1-r)*2 + (v-1)*p forwards, plus the one in
// progress: rank 0 holds a little more than p full stages.
TEST(Formula, InterleavedPeakInflight) {
  for (int v : {2, 4})
    for (int p : {2, 4, 8})
      for (int m : {p, 2 * p, 4 * p}) {
        SimulationResult result =
            run(options(ScheduleKind::Interleaved, p, m, v));
        for (int r = 0; r < p; ++r)
          EXPECT_EQ(result.peakInflightChunks[r],
                    std::min((p - 1 - r) * 2 + (v - 1) * p + 1, m * v))
              << "p=" << p << " m=" << m << " v=" << v << " r=" << r;
      }
}

} // namespace
