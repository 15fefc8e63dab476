//===- KernelsTest.cpp - cpu kernels against naive references -------------===//
//
// Each kernel runs on small random shapes and is compared with a direct
// transcription of its definition, computed in double.
//
//===----------------------------------------------------------------------===//

#include "pprt/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace pprt;

namespace {

template <typename T> std::vector<T> randomVec(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<T> v(n);
  if constexpr (std::is_integral_v<T>) {
    std::uniform_int_distribution<int> dist(-5, 5);
    for (T &x : v)
      x = static_cast<T>(dist(gen));
  } else {
    std::uniform_real_distribution<double> dist(-2, 2);
    for (T &x : v)
      x = static_cast<T>(dist(gen));
  }
  return v;
}

template <typename T> double tolFor() {
  return std::is_same_v<T, float>    ? 1e-5
         : std::is_same_v<T, double> ? 1e-12
                                     : 0;
}

//===--- matmul -----------------------------------------------------------===//

template <typename T> class MatMulTest : public ::testing::Test {};
using MatMulTypes = ::testing::Types<float, double, int32_t, int64_t>;
TYPED_TEST_SUITE(MatMulTest, MatMulTypes);

TYPED_TEST(MatMulTest, TransposesAndBatchStrides) {
  using T = TypeParam;
  Context ctx;
  const int64_t batch = 3, n = 5, k = 6;
  // (One row: the sgemv path for float, c's old contents not added.)
  for (int64_t m : {4, 1})
    for (bool transA : {false, true})
      for (bool transB : {false, true})
        for (bool broadcastA : {false, true})
          for (bool broadcastB : {false, true}) {
            int64_t strideA = broadcastA ? 0 : m * k;
            int64_t strideB = broadcastB ? 0 : k * n;
            auto a = randomVec<T>(batch * m * k, 1);
            auto b = randomVec<T>(batch * k * n, 2);
            // strideC larger than m*n leaves gaps that must stay untouched.
            int64_t strideC = m * n + 3;
            std::vector<T> c(batch * strideC, T(77));
            cpu::matmul<T>(ctx, c.data(), a.data(), b.data(), batch, m, n, k,
                           strideA, strideB, strideC, transA, transB);
            for (int64_t bi = 0; bi < batch; ++bi) {
              const T *A = a.data() + bi * strideA;
              const T *B = b.data() + bi * strideB;
              for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) {
                  double ref = 0;
                  for (int64_t p = 0; p < k; ++p)
                    ref += double(transA ? A[p * m + i] : A[i * k + p]) *
                           double(transB ? B[j * k + p] : B[p * n + j]);
                  EXPECT_NEAR(double(c[bi * strideC + i * n + j]), ref,
                              tolFor<T>() * 10)
                      << "m=" << m << " transA=" << transA
                      << " transB=" << transB << " strideA=" << strideA
                      << " strideB=" << strideB;
                }
              for (int64_t g = m * n; g < strideC; ++g)
                EXPECT_EQ(c[bi * strideC + g], T(77));
            }
          }
}

//===--- matmulAdd --------------------------------------------------------===//

template <typename T> class MatMulAddTest : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MatMulAddTest, FloatTypes);

// The bias and the addend (laid out like c, or one matrix broadcast over
// the batch), alone and together, on the shapes that take each library: a
// batch (oneDNN, one primitive), 2-D from 512 rows (oneDNN), 2-D below
// (OpenBLAS with beta 1 over a prefilled c), a shared weight folded into
// rows (or not, under a broadcast addend), transposed operands, and k = 0
// (only the adds), 2-D ones large enough that the OpenMP team splits
// their columns (100: not a multiple of the 16-column blocks), and one or
// two rows (sgemv, also split by columns); the last adds with the product
// scaled (alpha).
TYPED_TEST(MatMulAddTest, AddsBiasAndAddend) {
  using T = TypeParam;
  Context ctx;
  struct Case {
    int64_t batch, m, n, k, strideA, strideB;
    bool transA, transB;
  };
  const Case cases[] = {{3, 5, 7, 6, 30, 42, false, false},
                        {1, 600, 9, 8, 0, 0, false, true},
                        {1, 16, 24, 12, 0, 0, true, false},
                        {4, 8, 10, 6, 48, 0, false, false},
                        {2, 3, 4, 0, 0, 0, false, false},
                        {1, 40, 100, 600, 0, 0, false, true},
                        {1, 40, 100, 600, 0, 0, true, false},
                        {1, 1, 1000, 300, 0, 0, false, false},
                        {1, 1, 100, 600, 0, 0, false, true},
                        {1, 2, 100, 600, 0, 0, true, false}};
  for (const Case &cs : cases)
    for (int adds = 1; adds < 6; ++adds) {
      bool withBias = adds & 1, withAddend = adds & 6;
      int64_t addendStride = adds & 4 ? 0 : cs.m * cs.n;
      int64_t rowsC = cs.batch * cs.m;
      auto a = randomVec<T>(std::max<int64_t>(1, cs.batch * cs.m * cs.k), 1);
      auto b = randomVec<T>(std::max<int64_t>(1, cs.batch * cs.k * cs.n), 2);
      auto bias = randomVec<T>(cs.n, 3);
      auto addend = randomVec<T>(rowsC * cs.n, 4);
      std::vector<T> c(rowsC * cs.n, T(77));
      float alpha = adds == 5 ? 0.125f : 1.0f;
      cpu::matmulAdd<T>(ctx, c.data(), a.data(), b.data(), alpha,
                        withBias ? bias.data() : nullptr,
                        withAddend ? addend.data() : nullptr, addendStride,
                        cs.batch, cs.m, cs.n, cs.k, cs.strideA, cs.strideB,
                        cs.transA, cs.transB);
      for (int64_t bi = 0; bi < cs.batch; ++bi) {
        const T *A = a.data() + bi * cs.strideA;
        const T *B = b.data() + bi * cs.strideB;
        for (int64_t i = 0; i < cs.m; ++i)
          for (int64_t j = 0; j < cs.n; ++j) {
            int64_t at = (bi * cs.m + i) * cs.n + j;
            int64_t addendAt = bi * addendStride + i * cs.n + j;
            double ref = (withBias ? double(bias[j]) : 0.0) +
                         (withAddend ? double(addend[addendAt]) : 0.0);
            double product = 0;
            for (int64_t p = 0; p < cs.k; ++p)
              product +=
                  double(cs.transA ? A[p * cs.m + i] : A[i * cs.k + p]) *
                  double(cs.transB ? B[j * cs.k + p] : B[p * cs.n + j]);
            ref += alpha * product;
            EXPECT_NEAR(double(c[at]), ref, tolFor<T>() * 10)
                << "batch=" << cs.batch << " m=" << cs.m << " k=" << cs.k
                << " bias=" << withBias << " addend=" << withAddend
                << " addendStride=" << addendStride << " alpha=" << alpha;
          }
      }
    }
}

TYPED_TEST(MatMulTest, EmptyInnerDimGivesZeros) {
  using T = TypeParam;
  Context ctx;
  std::vector<T> c(2 * 6, T(5));
  cpu::matmul<T>(ctx, c.data(), nullptr, nullptr, 2, 2, 3, 0, 0, 0, 6, false,
                 false);
  for (T v : c)
    EXPECT_EQ(v, T(0));
}

//===--- softmax ----------------------------------------------------------===//

template <typename T> class FloatKernelTest : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FloatKernelTest, FloatTypes);

TYPED_TEST(FloatKernelTest, Softmax) {
  using T = TypeParam;
  Context ctx;
  for (int64_t inner : {1, 3})
    for (bool log : {false, true}) {
      const int64_t outer = 2, n = 5;
      auto x = randomVec<T>(outer * n * inner, 3);
      x[0] = T(80); // large logits must not overflow exp
      std::vector<T> y(x.size());
      cpu::softmax<T>(ctx, y.data(), x.data(), outer, n, inner, log);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          double sum = 0;
          for (int64_t j = 0; j < n; ++j)
            sum += std::exp(double(x[(o * n + j) * inner + i]));
          for (int64_t j = 0; j < n; ++j) {
            int64_t at = (o * n + j) * inner + i;
            double ref = std::exp(double(x[at])) / sum;
            if (log)
              ref = double(x[at]) - std::log(sum);
            EXPECT_NEAR(double(y[at]), ref, 1e-5)
                << "inner=" << inner << " log=" << log;
          }
        }
    }
}

TYPED_TEST(FloatKernelTest, SoftmaxHugeLogits) {
  using T = TypeParam;
  Context ctx;
  std::vector<T> x = {T(1000), T(1000), T(-1000)}, y(3);
  cpu::softmax<T>(ctx, y.data(), x.data(), 1, 3, 1, false);
  EXPECT_NEAR(double(y[0]), 0.5, 1e-6);
  EXPECT_NEAR(double(y[1]), 0.5, 1e-6);
  EXPECT_EQ(double(y[2]), 0.0);
  cpu::softmax<T>(ctx, y.data(), x.data(), 1, 3, 1, true);
  EXPECT_NEAR(double(y[0]), -std::log(2.0), 1e-6);
  EXPECT_NEAR(double(y[2]), -2000 - std::log(2.0), 1e-3);
}

//===--- normalization ----------------------------------------------------===//

TYPED_TEST(FloatKernelTest, LayerNorm) {
  using T = TypeParam;
  Context ctx;
  const int64_t rows = 3, cols = 7;
  const float eps = 1e-5f;
  auto x = randomVec<T>(rows * cols, 4);
  // A large common offset: the one-pass E[x^2] - E[x]^2 would lose digits.
  for (int64_t j = 0; j < cols; ++j)
    x[cols + j] += T(1000);
  auto scale = randomVec<T>(cols, 5);
  auto bias = randomVec<T>(cols, 6);
  for (bool withBias : {false, true}) {
    std::vector<T> y(x.size());
    cpu::layerNorm<T>(ctx, y.data(), x.data(), scale.data(),
                      withBias ? bias.data() : nullptr, rows, cols, eps);
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t j = 0; j < cols; ++j)
        mean += double(x[r * cols + j]);
      mean /= cols;
      for (int64_t j = 0; j < cols; ++j)
        var +=
            (double(x[r * cols + j]) - mean) * (double(x[r * cols + j]) - mean);
      var /= cols;
      for (int64_t j = 0; j < cols; ++j) {
        double ref = (double(x[r * cols + j]) - mean) / std::sqrt(var + eps) *
                         double(scale[j]) +
                     (withBias ? double(bias[j]) : 0.0);
        EXPECT_NEAR(double(y[r * cols + j]), ref, 2e-4)
            << "row " << r << " bias " << withBias;
      }
    }
  }
}

TYPED_TEST(FloatKernelTest, RmsNorm) {
  using T = TypeParam;
  Context ctx;
  const int64_t rows = 4, cols = 9;
  const float eps = 1e-6f;
  auto x = randomVec<T>(rows * cols, 7);
  auto scale = randomVec<T>(cols, 8);
  std::vector<T> y(x.size());
  cpu::rmsNorm<T>(ctx, y.data(), x.data(), scale.data(), rows, cols, eps);
  for (int64_t r = 0; r < rows; ++r) {
    double ms = 0;
    for (int64_t j = 0; j < cols; ++j)
      ms += double(x[r * cols + j]) * double(x[r * cols + j]);
    ms /= cols;
    for (int64_t j = 0; j < cols; ++j)
      EXPECT_NEAR(double(y[r * cols + j]),
                  double(x[r * cols + j]) / std::sqrt(ms + eps) *
                      double(scale[j]),
                  1e-5);
  }
}

//===--- reduce -----------------------------------------------------------===//

template <typename T> class ReduceTest : public ::testing::Test {};
TYPED_TEST_SUITE(ReduceTest, MatMulTypes);

TYPED_TEST(ReduceTest, AllKinds) {
  using T = TypeParam;
  Context ctx;
  const int64_t outer = 2, n = 4;
  for (int64_t inner : {1, 3})
    for (ReduceKind kind : {ReduceKind::Sum, ReduceKind::Mean, ReduceKind::Max,
                            ReduceKind::Min, ReduceKind::Prod}) {
      auto x = randomVec<T>(outer * n * inner, 9);
      std::vector<T> y(outer * inner);
      cpu::reduce<T>(ctx, y.data(), x.data(), outer, n, inner, kind);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          T first = x[o * n * inner + i];
          double sum = 0, prod = 1;
          T mx = first, mn = first;
          for (int64_t j = 0; j < n; ++j) {
            T v = x[(o * n + j) * inner + i];
            sum += double(v);
            prod *= double(v);
            mx = std::max(mx, v);
            mn = std::min(mn, v);
          }
          double ref = 0;
          switch (kind) {
          case ReduceKind::Sum:
            ref = sum;
            break;
          case ReduceKind::Mean:
            ref = std::is_integral_v<T> ? double(T(sum) / T(n)) : sum / n;
            break;
          case ReduceKind::Max:
            ref = double(mx);
            break;
          case ReduceKind::Min:
            ref = double(mn);
            break;
          case ReduceKind::Prod:
            ref = prod;
            break;
          }
          EXPECT_NEAR(double(y[o * inner + i]), ref, 1e-5)
              << "kind " << int(kind) << " inner " << inner;
        }
    }
}

//===--- copyStrided ------------------------------------------------------===//

TEST(CopyStrided, Transpose3D) {
  Context ctx;
  // x [2,3,4] -> y = x.transpose(2, 0, 1) of shape [4,2,3].
  std::vector<float> x(24);
  for (int i = 0; i < 24; ++i)
    x[i] = float(i);
  std::vector<float> y(24, -1);
  const int64_t shape[] = {4, 2, 3};
  const int64_t dstStrides[] = {6, 3, 1};
  const int64_t srcStrides[] = {1, 12, 4};
  cpu::copyStrided(ctx, y.data(), dstStrides, x.data(), srcStrides, shape, 3,
                   sizeof(float));
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(y[a * 6 + b * 3 + c], x[b * 12 + c * 4 + a]);
}

TEST(CopyStrided, SliceWithNegativeStep) {
  Context ctx;
  // x [3,5]; y = x[1:3, 4:0:-2] -> shape [2,2], columns 4 and 2.
  std::vector<int64_t> x(15);
  for (int i = 0; i < 15; ++i)
    x[i] = i;
  std::vector<int64_t> y(4);
  const int64_t shape[] = {2, 2};
  const int64_t dstStrides[] = {2, 1};
  const int64_t srcStrides[] = {5, -2};
  cpu::copyStrided(ctx, y.data(), dstStrides, x.data() + 1 * 5 + 4, srcStrides,
                   shape, 2, sizeof(int64_t));
  EXPECT_EQ(y, (std::vector<int64_t>{9, 7, 14, 12}));
}

TEST(CopyStrided, Broadcast) {
  Context ctx;
  // x [3] broadcast to [2,3] with a zero stride.
  std::vector<uint16_t> x = {1, 2, 3}, y(6);
  const int64_t shape[] = {2, 3};
  const int64_t dstStrides[] = {3, 1};
  const int64_t srcStrides[] = {0, 1};
  cpu::copyStrided(ctx, y.data(), dstStrides, x.data(), srcStrides, shape, 2,
                   sizeof(uint16_t));
  EXPECT_EQ(y, (std::vector<uint16_t>{1, 2, 3, 1, 2, 3}));
}

TEST(CopyStrided, ConcatAlongLastDim) {
  Context ctx;
  // a [2,2], b [2,3] -> y [2,5]: dst strides of y, dst pointer offset.
  std::vector<int8_t> a = {1, 2, 3, 4}, b = {5, 6, 7, 8, 9, 10}, y(10, 0);
  const int64_t dstStrides[] = {5, 1};
  const int64_t shapeA[] = {2, 2}, stridesA[] = {2, 1};
  const int64_t shapeB[] = {2, 3}, stridesB[] = {3, 1};
  cpu::copyStrided(ctx, y.data(), dstStrides, a.data(), stridesA, shapeA, 2, 1);
  cpu::copyStrided(ctx, y.data() + 2, dstStrides, b.data(), stridesB, shapeB, 2,
                   1);
  EXPECT_EQ(y, (std::vector<int8_t>{1, 2, 5, 6, 7, 3, 4, 8, 9, 10}));
}

TEST(CopyStrided, RankZeroOddElementSizeAndEmpty) {
  Context ctx;
  double x = 3.5, y = 0;
  cpu::copyStrided(ctx, &y, nullptr, &x, nullptr, nullptr, 0, sizeof(double));
  EXPECT_EQ(y, 3.5);

  // Elements of 3 bytes, reversed.
  const char src[] = "abcdefghi";
  char dst[10] = {};
  const int64_t shape[] = {3}, dstStrides[] = {1}, srcStrides[] = {-1};
  cpu::copyStrided(ctx, dst, dstStrides, src + 6, srcStrides, shape, 1, 3);
  EXPECT_STREQ(dst, "ghidefabc");

  // A zero-size dim copies nothing.
  const int64_t empty[] = {0, 3}, strides[] = {3, 1};
  char untouched = 'z';
  cpu::copyStrided(ctx, &untouched, strides, src, strides, empty, 2, 1);
  EXPECT_EQ(untouched, 'z');
}

//===--- gather -----------------------------------------------------------===//

TEST(Gather, NegativeIndicesOuterAndInner) {
  Context ctx;
  // data [2,4,3]: value = 100*o + 10*a + i; gather axis 1 with {3,-1,0,-4}.
  std::vector<float> data(24);
  for (int o = 0; o < 2; ++o)
    for (int a = 0; a < 4; ++a)
      for (int i = 0; i < 3; ++i)
        data[(o * 4 + a) * 3 + i] = float(100 * o + 10 * a + i);
  const int64_t indices[] = {3, -1, 0, -4};
  std::vector<float> y(2 * 4 * 3);
  cpu::gather(ctx, y.data(), data.data(), indices, sizeof(float), 2, 4, 3, 4);
  const int expectA[] = {3, 3, 0, 0};
  for (int o = 0; o < 2; ++o)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 3; ++i)
        EXPECT_EQ(y[(o * 4 + j) * 3 + i], float(100 * o + 10 * expectA[j] + i));
}

TEST(GatherDeathTest, IndexOutOfRange) {
  Context ctx;
  std::vector<float> data(4), y(1);
  const int64_t bad[] = {70000};
  EXPECT_EXIT(cpu::gather(ctx, y.data(), data.data(), bad, sizeof(float), 1,
                          50257, 1, 1),
              ::testing::ExitedWithCode(1),
              "error: gather index 70000 out of range \\[0, 50257\\)");
  const int64_t negative[] = {-5};
  EXPECT_EXIT(cpu::gather(ctx, y.data(), data.data(), negative, sizeof(float),
                          1, 4, 1, 1),
              ::testing::ExitedWithCode(1),
              "error: gather index -5 out of range \\[-4, 4\\)");
}

//===--- scatterAdd -------------------------------------------------------===//

template <typename T> void checkScatterAdd() {
  Context ctx;
  // updates [2, 5, 3] into dst [2, 4, 3] along the middle dim; index 1
  // repeats (also as -3) and index 2 is never hit, so it must stay zero.
  const int64_t outer = 2, axisDim = 4, inner = 3, numIndices = 5;
  const int64_t indices[] = {1, 3, -3, 0, 1};
  std::vector<T> updates = randomVec<T>(outer * numIndices * inner, 11);
  std::vector<T> dst(outer * axisDim * inner, T(7)); // stale values
  cpu::scatterAdd(ctx, dst.data(), updates.data(), indices, outer, axisDim,
                  inner, numIndices);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < axisDim; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        double want = 0;
        for (int64_t j = 0; j < numIndices; ++j)
          if ((indices[j] + axisDim) % axisDim == a)
            want += updates[(o * numIndices + j) * inner + i];
        EXPECT_NEAR(dst[(o * axisDim + a) * inner + i], want, tolFor<T>())
            << o << " " << a << " " << i;
      }
}

TEST(ScatterAdd, RepeatedAndNegativeIndicesFloat) { checkScatterAdd<float>(); }
TEST(ScatterAdd, RepeatedAndNegativeIndicesDouble) {
  checkScatterAdd<double>();
}

TEST(ScatterAddDeathTest, IndexOutOfRange) {
  Context ctx;
  std::vector<float> updates(2), dst(4);
  const int64_t bad[] = {0, 4};
  EXPECT_EXIT(cpu::scatterAdd(ctx, dst.data(), updates.data(), bad, 1, 4, 1, 2),
              ::testing::ExitedWithCode(1),
              "error: scatter_add index 4 out of range \\[0, 4\\)");
  const int64_t negative[] = {-5};
  EXPECT_EXIT(
      cpu::scatterAdd(ctx, dst.data(), updates.data(), negative, 1, 4, 1, 1),
      ::testing::ExitedWithCode(1),
      "error: scatter_add index -5 out of range \\[-4, 4\\)");
}

//===--- crossEntropy -----------------------------------------------------===//

/// Mean over non-ignored rows of logsumexp - x[label], in double.
template <typename T>
double referenceCrossEntropy(const std::vector<T> &logits,
                             const std::vector<int64_t> &labels, int64_t vocab,
                             int64_t ignoreIndex, std::vector<double> &rows) {
  double total = 0;
  int64_t count = 0;
  rows.assign(labels.size(), 0);
  for (size_t r = 0; r < labels.size(); ++r) {
    if (labels[r] == ignoreIndex)
      continue;
    double sum = 0;
    for (int64_t j = 0; j < vocab; ++j)
      sum += std::exp(double(logits[r * vocab + j]));
    rows[r] = std::log(sum) - double(logits[r * vocab + labels[r]]);
    total += rows[r];
    ++count;
  }
  return count ? total / count : 0;
}

template <typename T> void checkCrossEntropy(int64_t ignoreIndex) {
  Context ctx;
  const int64_t vocab = 7;
  std::vector<int64_t> labels = {3, ignoreIndex, 0, 6, ignoreIndex, 2};
  const int64_t rows = labels.size();
  std::vector<T> logits = randomVec<T>(rows * vocab, 5);
  std::vector<float> rowLoss(rows, -1);
  T loss = T(-1);
  cpu::crossEntropy(ctx, &loss, logits.data(), labels.data(), rowLoss.data(),
                    rows, vocab, ignoreIndex);
  std::vector<double> wantRows;
  double want =
      referenceCrossEntropy(logits, labels, vocab, ignoreIndex, wantRows);
  EXPECT_NEAR(loss, want, tolFor<T>());
  for (int64_t r = 0; r < rows; ++r)
    EXPECT_NEAR(rowLoss[r], wantRows[r], 1e-5) << r;
}

TEST(CrossEntropy, IgnoredRowsFloat) { checkCrossEntropy<float>(-100); }
TEST(CrossEntropy, IgnoredRowsDouble) { checkCrossEntropy<double>(-100); }
TEST(CrossEntropy, OtherIgnoreIndex) { checkCrossEntropy<float>(1); }

TEST(CrossEntropy, LargeLogitsStayFinite) {
  Context ctx;
  // exp(1000) overflows: only the max-subtracted form gives log(2).
  const float logits[] = {1000, 1000, -1000, 1000};
  const int64_t labels[] = {0, 0};
  float rowLoss[2], loss = 0;
  cpu::crossEntropy(ctx, &loss, logits, labels, rowLoss, 2, 2, -100);
  EXPECT_NEAR(loss, (std::log(2.0) + 2000.0) / 2, 1e-3);
  EXPECT_NEAR(rowLoss[0], std::log(2.0), 1e-6);
}

TEST(CrossEntropy, AllIgnoredIsZero) {
  Context ctx;
  const float logits[] = {1, 2, 3, 4, 5, 6};
  const int64_t labels[] = {-100, -100};
  float rowLoss[2] = {9, 9}, loss = 9;
  cpu::crossEntropy(ctx, &loss, logits, labels, rowLoss, 2, 3, -100);
  EXPECT_EQ(loss, 0.0f);
  EXPECT_EQ(rowLoss[0], 0.0f);
  EXPECT_EQ(rowLoss[1], 0.0f);
}

TEST(CrossEntropyDeathTest, LabelOutOfRange) {
  Context ctx;
  const float logits[] = {1, 2, 3, 4, 5, 6};
  float rowLoss[2], loss = 0;
  const int64_t tooLarge[] = {0, 3};
  EXPECT_EXIT(
      cpu::crossEntropy(ctx, &loss, logits, tooLarge, rowLoss, 2, 3, -100),
      ::testing::ExitedWithCode(1),
      "error: cross_entropy label 3 out of range \\[0, 3\\) "
      "\\(ignore_index -100\\)");
  // Negative labels do not count from the end.
  const int64_t negative[] = {-1, 0};
  EXPECT_EXIT(
      cpu::crossEntropy(ctx, &loss, logits, negative, rowLoss, 2, 3, -100),
      ::testing::ExitedWithCode(1),
      "error: cross_entropy label -1 out of range \\[0, 3\\)");
}

//===--- trilu ------------------------------------------------------------===//

TEST(Trilu, UpperLowerWithDiagonalOffsets) {
  Context ctx;
  const int64_t batch = 2, rows = 3, cols = 4;
  std::vector<int32_t> x(batch * rows * cols);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = int32_t(i + 1);
  for (bool upper : {false, true})
    for (int64_t k : {-1, 0, 1}) {
      std::vector<int32_t> y(x.size(), -7);
      cpu::trilu(ctx, y.data(), x.data(), sizeof(int32_t), batch, rows, cols, k,
                 upper);
      // In place gives the same answer.
      std::vector<int32_t> z = x;
      cpu::trilu(ctx, z.data(), z.data(), sizeof(int32_t), batch, rows, cols, k,
                 upper);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j) {
            size_t at = (b * rows + i) * cols + j;
            bool keep = upper ? j - i >= k : j - i <= k;
            EXPECT_EQ(y[at], keep ? x[at] : 0)
                << "upper=" << upper << " k=" << k << " at " << i << "," << j;
            EXPECT_EQ(z[at], y[at]);
          }
    }
}

TEST(Trilu, DiagonalBeyondTheMatrix) {
  Context ctx;
  std::vector<float> x(6, 1.0f), y(6);
  cpu::trilu(ctx, y.data(), x.data(), sizeof(float), 1, 2, 3, 5, true);
  EXPECT_EQ(y, std::vector<float>(6, 0.0f));
  cpu::trilu(ctx, y.data(), x.data(), sizeof(float), 1, 2, 3, -5, true);
  EXPECT_EQ(y, std::vector<float>(6, 1.0f));
  cpu::trilu(ctx, y.data(), x.data(), sizeof(float), 1, 2, 3, -5, false);
  EXPECT_EQ(y, std::vector<float>(6, 0.0f));
}

} // namespace
