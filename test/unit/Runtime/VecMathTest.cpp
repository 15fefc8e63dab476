//===- VecMathTest.cpp - the error bounds VecMath.h documents ------------===//
//
// Each function against libm in double over a dense sweep of its range:
// every 613th float bit pattern (about 7 million inputs, both signs), plus
// the special values.
//
//===----------------------------------------------------------------------===//

#include "pprt/VecMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace {

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

struct Errors {
  double maxRel = 0, maxAbs = 0;
  float worstRel = 0, worstAbs = 0;
};

/// Largest errors of `f` against `ref` over the sweep, counting the
/// relative error only where `relHere` holds.
template <typename F, typename Ref, typename Where>
Errors sweep(F f, Ref ref, Where relHere) {
  Errors e;
  for (uint64_t bits = 0; bits < (uint64_t(1) << 32); bits += 613) {
    float x = fromBits(uint32_t(bits));
    if (!std::isfinite(x))
      continue;
    double want = ref(double(x));
    double got = f(x);
    double abs = std::fabs(got - want);
    if (abs > e.maxAbs) {
      e.maxAbs = abs;
      e.worstAbs = x;
    }
    if (relHere(x, want) && want != 0) {
      double rel = abs / std::fabs(want);
      if (rel > e.maxRel) {
        e.maxRel = rel;
        e.worstRel = x;
      }
    }
  }
  return e;
}

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(VecMath, ExpBound) {
  Errors e = sweep(pprt::vexpf, [](double x) { return std::exp(x); },
                   [](float, double want) {
                     return want >= std::ldexp(1.0, -126) &&
                            want <= std::numeric_limits<float>::max();
                   });
  EXPECT_LE(e.maxRel, 1.5e-7) << "at x = " << e.worstRel;
  // Subnormal results: within two of the smallest subnormal.
  for (float x = -103.9f; x < -87.4f; x += 0.01f) {
    double want = std::exp(double(x));
    if (want < std::ldexp(1.0, -126)) {
      EXPECT_LE(std::fabs(pprt::vexpf(x) - want), std::ldexp(2.0, -149))
          << "at x = " << x;
    }
  }
  EXPECT_EQ(pprt::vexpf(kInf), kInf);
  EXPECT_EQ(pprt::vexpf(-kInf), 0.0f);
  EXPECT_EQ(pprt::vexpf(89.0f), kInf);
  EXPECT_EQ(pprt::vexpf(-200.0f), 0.0f);
  EXPECT_EQ(pprt::vexpf(0.0f), 1.0f);
  EXPECT_TRUE(std::isnan(pprt::vexpf(kNaN)));
}

TEST(VecMath, TanhBound) {
  Errors e = sweep(pprt::vtanhf, [](double x) { return std::tanh(x); },
                   [](float x, double) {
                     return std::fabs(x) >= std::ldexp(1.0f, -126);
                   });
  EXPECT_LE(e.maxRel, 2e-7) << "at x = " << e.worstRel;
  EXPECT_EQ(pprt::vtanhf(kInf), 1.0f);
  EXPECT_EQ(pprt::vtanhf(-kInf), -1.0f);
  EXPECT_EQ(pprt::vtanhf(0.0f), 0.0f);
  EXPECT_TRUE(std::isnan(pprt::vtanhf(kNaN)));
}

TEST(VecMath, ErfBound) {
  Errors e = sweep(pprt::verff, [](double x) { return std::erf(x); },
                   [](float x, double) {
                     return std::fabs(x) >= std::ldexp(1.0f, -126);
                   });
  EXPECT_LE(e.maxAbs, 2e-7) << "at x = " << e.worstAbs;
  EXPECT_LE(e.maxRel, 2.5e-7) << "at x = " << e.worstRel;
  EXPECT_EQ(pprt::verff(kInf), 1.0f);
  EXPECT_EQ(pprt::verff(-kInf), -1.0f);
  EXPECT_EQ(pprt::verff(0.0f), 0.0f);
  EXPECT_TRUE(std::isnan(pprt::verff(kNaN)));
}

} // namespace
