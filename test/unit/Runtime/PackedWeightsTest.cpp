//===- PackedWeightsTest.cpp - products from weights packed once ----------===//

#include "cpu/PackedWeights.h"
#include "RandomFloats.h"
#include "pprt/Kernels.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace pprt;

namespace {

/// c = a w (+ bias) (+ addend) through cpu::matmulAdd, against a double
/// reference.
void expectProduct(const std::vector<float> &a, const std::vector<float> &w,
                   const std::vector<float> &bias, int64_t m, int64_t n,
                   int64_t k, bool transB,
                   const std::vector<float> &addend = {}) {
  Context ctx;
  std::vector<float> c(m * n, 5.0f);
  cpu::matmulAdd<float>(ctx, c.data(), a.data(), w.data(), 1.0f,
                        bias.empty() ? nullptr : bias.data(),
                        addend.empty() ? nullptr : addend.data(), m * n, 1, m,
                        n, k, 0, 0, false, transB);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double ref = (bias.empty() ? 0.0 : bias[j]) +
                   (addend.empty() ? 0.0 : addend[i * n + j]);
      for (int64_t p = 0; p < k; ++p)
        ref += double(a[i * k + p]) * (transB ? w[j * k + p] : w[p * n + j]);
      ASSERT_NEAR(c[i * n + j], ref, 1e-4)
          << "row " << i << " col " << j << " m " << m << " n " << n << " k "
          << k << " transB " << transB;
    }
}

// Rows not a multiple of the 6-row tiles, few enough for the threads to
// split the panels (40) and split between them in blocks of 48 (301 and
// 605: several blocks and a short one), columns not of the 16-column
// panels, in one group of 16 panels per thread and in several (600), depth
// in one 1024-deep pass (600) and in two (1100: the second adds to c,
// through the partial panel's tile too); with and without a bias (the
// kernel's starting row) and a residual addend (its starting rows; with a
// bias too, a prefilled c), both layouts of the weight.
TEST(PackedWeights, ProductsOfADeclaredWeight) {
  struct Shape {
    int64_t m, n, k;
  };
  const Shape shapes[] = {{40, 100, 600},
                          {301, 100, 600},
                          {605, 100, 600},
                          {301, 600, 600},
                          {40, 100, 1100},
                          {301, 100, 1100}};
  for (auto [m, n, k] : shapes)
    for (bool transB : {false, true})
      for (bool withBias : {false, true})
        for (bool withAddend : {false, true}) {
          auto a = randomFloats(m * k, 1);
          auto w = randomFloats(k * n, 2);
          std::vector<float> bias =
              withBias ? randomFloats(n, 3) : std::vector<float>();
          std::vector<float> addend =
              withAddend ? randomFloats(m * n, 7) : std::vector<float>();
          cpu::markConstantWeight(w.data(), w.size() * sizeof(float));
          expectProduct(a, w, bias, m, n, k, transB, addend);
          // The second product comes from the packed copy.
          expectProduct(a, w, bias, m, n, k, transB, addend);
          cpu::forgetConstantWeight(w.data());
        }
}

// Each weight's first product packs it, once, and counts it in the totals
// that `run` reports after its warm-up run.
TEST(PackedWeights, PackingIsCountedOnce) {
  const int64_t m = 12, n = 40, k = 20; // 3 panels of 16 columns
  auto a = randomFloats(m * k, 8);
  auto w = randomFloats(k * n, 9);
  cpu::markConstantWeight(w.data(), w.size() * sizeof(float));
  const cpu::PackingTotals before = cpu::packingTotals();
  expectProduct(a, w, {}, m, n, k, false);
  expectProduct(a, w, {}, m, n, k, false);
  const cpu::PackingTotals after = cpu::packingTotals();
  cpu::forgetConstantWeight(w.data());
  EXPECT_EQ(after.weights - before.weights, 1);
  EXPECT_EQ(after.bytes - before.bytes, int64_t(3 * 16 * k * sizeof(float)));
  EXPECT_GT(after.ms, before.ms);
}

// Memory declared again after a free holds a new weight: packed again.
TEST(PackedWeights, RedeclaredMemoryIsPackedAgain) {
  const int64_t m = 12, n = 32, k = 20;
  auto a = randomFloats(m * k, 4);
  std::vector<float> w = randomFloats(k * n, 5);
  cpu::markConstantWeight(w.data(), w.size() * sizeof(float));
  expectProduct(a, w, {}, m, n, k, false);
  cpu::forgetConstantWeight(w.data());
  w = randomFloats(k * n, 6); // same size: same buffer
  cpu::markConstantWeight(w.data(), w.size() * sizeof(float));
  expectProduct(a, w, {}, m, n, k, false);
  cpu::forgetConstantWeight(w.data());
}

} // namespace
