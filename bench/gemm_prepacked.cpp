// What packing the weights once would buy: OpenBLAS's sgemm (which packs
// the weight on every call) against a GEMM over a weight packed beforehand
// into 16-column panels, multiplied by the 6 x 16 register-blocked kernel
// of runtime/lib/cpu/Attention.cpp, on the model shapes below 512 rows
// where the runtime uses OpenBLAS. Same threads, one run
// (bench/gemm_prepacked.sh). The packing itself is not timed: a program
// would do it once, at load, for weights that do not change (inference).

#include "Timing.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

typedef float Vec8 __attribute__((vector_size(32), aligned(4)));

inline Vec8 splat(float x) { return Vec8{x, x, x, x, x, x, x, x}; }

/// c[R x 16] (+)= a[R x k] panel[k x 16]; as in Attention.cpp.
template <int R>
inline void microKernel(float *c, long ldc, const float *a, long lda,
                        const float *panel, long k, bool accumulate) {
  Vec8 lo[R], hi[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    lo[r] = accumulate ? *(const Vec8 *)(c + r * ldc) : Vec8{};
    hi[r] = accumulate ? *(const Vec8 *)(c + r * ldc + 8) : Vec8{};
  }
  for (long p = 0; p < k; ++p) {
    Vec8 b0 = *(const Vec8 *)(panel + p * 16);
    Vec8 b1 = *(const Vec8 *)(panel + p * 16 + 8);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      Vec8 x = splat(a[r * lda + p]);
      lo[r] += x * b0;
      hi[r] += x * b1;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    *(Vec8 *)(c + r * ldc) = lo[r];
    *(Vec8 *)(c + r * ldc + 8) = hi[r];
  }
}

struct Shape {
  const char *what;
  long m, k, n;
};

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int repeat = argc > 2 ? std::atoi(argv[2]) : 30;
  omp_set_num_threads(threads);
  std::printf("C = A x W, W [k x n] row-major, %d threads, mean of %d runs "
              "after one warm-up\n",
              threads, repeat);
  std::printf("%-18s %5s %5s %5s  %11s %11s  %6s  %s\n", "shape", "m", "k", "n",
              "openblas ms", "packed ms", "ratio", "max|diff|");
  const Shape shapes[] = {{"gpt b1 qkv", 128, 768, 2304},
                          {"gpt b1 proj", 128, 768, 768},
                          {"gpt b1 mlp up", 128, 768, 3072},
                          {"gpt b1 mlp down", 128, 3072, 768},
                          {"gpt b1 lm head", 128, 768, 8192},
                          {"llama b4 up", 512, 1024, 2736}};
  const long kDepthBlock = 256;
  for (const Shape &s : shapes) {
    const long m = s.m, k = s.k, n = s.n, panels = n / 16;
    std::vector<float> a(m * k), w(k * n), c1(m * n), c2(m * n), packed(k * n);
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (float &x : a)
      x = dist(gen);
    for (float &x : w)
      x = dist(gen);
    // Panel j holds columns [16j, 16j + 16) for every k, contiguously.
    for (long j = 0; j < panels; ++j)
      for (long p = 0; p < k; ++p)
        for (long l = 0; l < 16; ++l)
          packed[(j * k + p) * 16 + l] = w[p * n + j * 16 + l];
    double blas = millis(
        [&] {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                      a.data(), k, w.data(), n, 0.0f, c1.data(), n);
        },
        repeat);
    double ours = millis(
        [&] {
#pragma omp parallel for schedule(static)
          for (long j = 0; j < panels; ++j)
            for (long p0 = 0; p0 < k; p0 += kDepthBlock) {
              const long depth = std::min(kDepthBlock, k - p0);
              const float *panel = packed.data() + (j * k + p0) * 16;
              long i = 0;
              for (; i + 6 <= m; i += 6)
                microKernel<6>(c2.data() + i * n + j * 16, n,
                               a.data() + i * k + p0, k, panel, depth, p0 > 0);
              for (; i < m; ++i)
                microKernel<1>(c2.data() + i * n + j * 16, n,
                               a.data() + i * k + p0, k, panel, depth, p0 > 0);
            }
        },
        repeat);
    double diff = 0;
    for (long i = 0; i < m * n; ++i)
      diff = std::fmax(diff, std::fabs(c1[i] - c2[i]));
    std::printf("%-18s %5ld %5ld %5ld  %11.3f %11.3f  %6.2f  %.1e\n", s.what, m,
                k, n, blas, ours, blas / ours, diff);
  }
  return 0;
}
