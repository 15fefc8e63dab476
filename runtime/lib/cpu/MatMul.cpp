//===- MatMul.cpp - cpu batched matmul ------------------------------------===//
//
// float and double go to OpenBLAS, one GEMM per batch entry; row-major with
// the transposes passed through. Integer matmuls are rare and small (shape
// arithmetic), so they are plain loops.
//
//===----------------------------------------------------------------------===//

#include "pprt/Kernels.h"

#include <algorithm>
#include <cblas.h>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace pprt::cpu {

namespace {

void checkBlasDims(int64_t m, int64_t n, int64_t k) {
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX) {
    std::fprintf(stderr,
                 "error: matmul dims m=%lld n=%lld k=%lld exceed BLAS int\n",
                 static_cast<long long>(m), static_cast<long long>(n),
                 static_cast<long long>(k));
    std::exit(1);
  }
}

/// Zeroes C when k == 0 (BLAS rejects lda = 0) and says whether there is
/// nothing left to do.
template <typename T>
bool trivial(T *c, int64_t batch, int64_t m, int64_t n, int64_t k,
             int64_t strideC) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return true;
  if (k > 0)
    return false;
  for (int64_t b = 0; b < batch; ++b)
    std::memset(c + b * strideC, 0, sizeof(T) * m * n);
  return true;
}

template <typename T, typename Gemm>
void blasMatmul(Gemm gemm, T *c, const T *a, const T *b, int64_t batch,
                int64_t m, int64_t n, int64_t k, int64_t strideA,
                int64_t strideB, int64_t strideC, bool transA, bool transB) {
  if (trivial(c, batch, m, n, k, strideC))
    return;
  checkBlasDims(m, n, k);
  // Row-major leading dims: the stored width of each matrix.
  int lda = static_cast<int>(transA ? m : k);
  int ldb = static_cast<int>(transB ? k : n);
  for (int64_t i = 0; i < batch; ++i)
    gemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
         transB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
         static_cast<int>(n), static_cast<int>(k), T(1), a + i * strideA, lda,
         b + i * strideB, ldb, T(0), c + i * strideC, static_cast<int>(n));
}

template <typename T>
void loopMatmul(T *c, const T *a, const T *b, int64_t batch, int64_t m,
                int64_t n, int64_t k, int64_t strideA, int64_t strideB,
                int64_t strideC, bool transA, bool transB) {
  if (trivial(c, batch, m, n, k, strideC))
    return;
  for (int64_t bi = 0; bi < batch; ++bi) {
    const T *A = a + bi * strideA;
    const T *B = b + bi * strideB;
    T *C = c + bi * strideC;
    for (int64_t i = 0; i < m; ++i) {
      T *row = C + i * n;
      std::fill(row, row + n, T(0));
      for (int64_t p = 0; p < k; ++p) {
        T av = transA ? A[p * m + i] : A[i * k + p];
        for (int64_t j = 0; j < n; ++j)
          row[j] += av * (transB ? B[j * k + p] : B[p * n + j]);
      }
    }
  }
}

} // namespace

template <typename T>
void matmul(Context &, T *c, const T *a, const T *b, int64_t batch, int64_t m,
            int64_t n, int64_t k, int64_t strideA, int64_t strideB,
            int64_t strideC, bool transA, bool transB) {
  if constexpr (std::is_same_v<T, float>)
    blasMatmul(cblas_sgemm, c, a, b, batch, m, n, k, strideA, strideB, strideC,
               transA, transB);
  else if constexpr (std::is_same_v<T, double>)
    blasMatmul(cblas_dgemm, c, a, b, batch, m, n, k, strideA, strideB, strideC,
               transA, transB);
  else
    loopMatmul(c, a, b, batch, m, n, k, strideA, strideB, strideC, transA,
               transB);
}

#define PPRT_INSTANTIATE(T)                                                    \
  template void matmul<T>(Context &, T *, const T *, const T *, int64_t,       \
                          int64_t, int64_t, int64_t, int64_t, int64_t,         \
                          int64_t, bool, bool);
PPRT_INSTANTIATE(float)
PPRT_INSTANTIATE(double)
PPRT_INSTANTIATE(int32_t)
PPRT_INSTANTIATE(int64_t)
#undef PPRT_INSTANTIATE

} // namespace pprt::cpu
