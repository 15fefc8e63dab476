//===- BlockProduct.h - small register-blocked float products ---*- C++ -*-===//
//
// c (+)= a b for blocks that fit the caches, B in rows of 16 floats: a 6 x 16
// tile of c is 12 accumulators of 8 floats (AVX2) held in registers, fed by
// two loads of B and six broadcasts of A per step of k. Written in the
// compiler's vector extensions, so it is 8-wide with FMAs where the target
// has them. The fused attention's products and the GEMM over prepacked
// weights (PackedWeights.cpp) use it.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_CPU_BLOCKPRODUCT_H
#define PPRT_CPU_BLOCKPRODUCT_H

#include <algorithm>
#include <cstdint>

namespace pprt::cpu {

/// 8 floats, loaded and stored without an alignment assumption.
typedef float Vec8 __attribute__((vector_size(32), aligned(4)));

inline Vec8 splat(float x) { return Vec8{x, x, x, x, x, x, x, x}; }

/// c[R x 16] = start[R x 16] + a[R x k] b[k x 16], where start's rows are
/// lds apart (0: one row for all) and a null start is zeros; start may be
/// c.
template <int R>
inline void microKernel(float *c, int64_t ldc, const float *a, int64_t lda,
                        const float *b, int64_t ldb, int64_t k,
                        const float *start, int64_t lds) {
  Vec8 lo[R], hi[R];
  for (int r = 0; r < R; ++r) {
    lo[r] = start ? *(const Vec8 *)(start + r * lds) : Vec8{};
    hi[r] = start ? *(const Vec8 *)(start + r * lds + 8) : Vec8{};
  }
  for (int64_t p = 0; p < k; ++p) {
    Vec8 b0 = *(const Vec8 *)(b + p * ldb);
    Vec8 b1 = *(const Vec8 *)(b + p * ldb + 8);
    for (int r = 0; r < R; ++r) {
      Vec8 x = splat(a[r * lda + p]);
      lo[r] += x * b0;
      hi[r] += x * b1;
    }
  }
  for (int r = 0; r < R; ++r) {
    *(Vec8 *)(c + r * ldc) = lo[r];
    *(Vec8 *)(c + r * ldc + 8) = hi[r];
  }
}

/// The last `rows` (< 6) rows: the kernel of their height.
template <int R>
inline void tailKernel(int64_t rows, float *c, int64_t ldc, const float *a,
                       int64_t lda, const float *b, int64_t ldb, int64_t k,
                       const float *start, int64_t lds) {
  if (rows == R)
    microKernel<R>(c, ldc, a, lda, b, ldb, k, start, lds);
  else if constexpr (R > 1)
    tailKernel<R - 1>(rows, c, ldc, a, lda, b, ldb, k, start, lds);
}

/// c[m x n] (+)= a[m x k] b[k x n], n a multiple of 16, row-major. Six
/// rows at a time: 12 accumulators hide the FMAs' latency on two ports.
inline void blockProduct(float *c, int64_t ldc, const float *a, int64_t lda,
                         const float *b, int64_t ldb, int64_t m, int64_t n,
                         int64_t k, bool accumulate) {
  for (int64_t j = 0; j < n; j += 16) {
    int64_t i = 0;
    for (; i + 6 <= m; i += 6)
      microKernel<6>(c + i * ldc + j, ldc, a + i * lda, lda, b + j, ldb, k,
                     accumulate ? c + i * ldc + j : nullptr, ldc);
    if (i < m)
      tailKernel<5>(m - i, c + i * ldc + j, ldc, a + i * lda, lda, b + j, ldb,
                    k, accumulate ? c + i * ldc + j : nullptr, ldc);
  }
}

/// How many columns row i of a causal block reaches: those up to i + reach,
/// at most `limit` (0 when none).
inline int64_t causalEnd(int64_t i, int64_t reach, int64_t limit) {
  return std::min(limit, std::max<int64_t>(0, i + reach + 1));
}

/// A product over a causal block, tile by tile, where row i reaches index
/// i + reach: for the scores, c's row i needs only columns [0, i + reach],
/// so each 6-row tile stops after the 16-column panel its last row reaches
/// (later columns are left unwritten); for the weighted values (`values`,
/// adding to c), a's row i is zero beyond column i + reach, so each tile
/// multiplies only the depth its last row reaches. n a multiple of 16.
inline void causalProduct(float *c, int64_t ldc, const float *a, int64_t lda,
                          const float *b, int64_t ldb, int64_t m, int64_t n,
                          int64_t k, int64_t reach, bool values) {
  for (int64_t i = 0; i < m; i += 6) {
    const int64_t rows = std::min<int64_t>(6, m - i);
    const int64_t last = i + rows - 1;
    const int64_t cols = values ? n : causalEnd(last, reach, n);
    const int64_t depth = values ? causalEnd(last, reach, k) : k;
    if (depth == 0)
      continue;
    for (int64_t j = 0; j < cols; j += 16)
      tailKernel<6>(rows, c + i * ldc + j, ldc, a + i * lda, lda, b + j, ldb,
                    depth, values ? c + i * ldc + j : nullptr, ldc);
  }
}

} // namespace pprt::cpu

#endif // PPRT_CPU_BLOCKPRODUCT_H
