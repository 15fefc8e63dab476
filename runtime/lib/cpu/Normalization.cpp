//===- Normalization.cpp - cpu softmax, layerNorm, rmsNorm ----------------===//
//
// Accumulates in the element type: float for float, double for double. Softmax
// subtracts the max before exp so large logits do not overflow; layerNorm
// takes the variance of (x - mean) in a second pass rather than E[x^2] -
// E[x]^2, which cancels badly when the mean is large.
//
// Rows run in parallel on the calling thread's OpenMP team; each row is
// computed by one thread, so the result does not depend on the thread
// count. Inside a row the loops vectorise (float exp is VecMath.h's).
//
//===----------------------------------------------------------------------===//

#include "ParallelFor.h"
#include "pprt/Kernels.h"
#include "pprt/VecMath.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pprt::cpu {

namespace {

inline float expOf(float x) { return vexpf(x); }
inline double expOf(double x) { return std::exp(x); }

/// One softmax row of n elements `Stride` apart: a compile-time 1 for the
/// contiguous case (the last axis, which vectorises), else `inner`.
template <typename T, int64_t Stride>
void softmaxRow(T *ys, const T *xs, int64_t n, int64_t inner, bool log) {
  using A = T;
  const int64_t stride = Stride ? Stride : inner;
  A maxv = -std::numeric_limits<A>::infinity();
#pragma omp simd reduction(max : maxv)
  for (int64_t j = 0; j < n; ++j)
    maxv = std::max<A>(maxv, xs[j * stride]);
  A sum = 0;
  if (log) {
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; ++j)
      sum += expOf(A(xs[j * stride]) - maxv);
    // (x - max) - log(sum), not x - (max + log(sum)): the latter rounds
    // log(sum) to the ulp of a large max.
    A logSum = std::log(sum);
#pragma omp simd
    for (int64_t j = 0; j < n; ++j)
      ys[j * stride] = T((A(xs[j * stride]) - maxv) - logSum);
    return;
  }
  // exp once: stored, then scaled.
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; ++j) {
    A e = expOf(A(xs[j * stride]) - maxv);
    ys[j * stride] = e;
    sum += e;
  }
  A inv = A(1) / sum;
#pragma omp simd
  for (int64_t j = 0; j < n; ++j)
    ys[j * stride] = T(ys[j * stride] * inv);
}

} // namespace

template <typename T>
void softmax(Context &, T *y, const T *x, int64_t outer, int64_t n,
             int64_t inner, bool log) {
  parallelFor(outer * inner, n, [&](int64_t row) {
    int64_t o = row / inner, i = row % inner;
    if (inner == 1)
      softmaxRow<T, 1>(y + o * n, x + o * n, n, inner, log);
    else
      softmaxRow<T, 0>(y + o * n * inner + i, x + o * n * inner + i, n, inner,
                       log);
  });
}

template <typename T>
void layerNorm(Context &, T *y, const T *x, const T *scale, const T *bias,
               int64_t rows, int64_t cols, float epsilon) {
  using A = T; // float for float, double for double
  parallelFor(rows, cols, [&](int64_t r) {
    const T *xr = x + r * cols;
    T *yr = y + r * cols;
    A mean = 0;
#pragma omp simd reduction(+ : mean)
    for (int64_t j = 0; j < cols; ++j)
      mean += xr[j];
    mean /= A(cols);
    A var = 0;
#pragma omp simd reduction(+ : var)
    for (int64_t j = 0; j < cols; ++j)
      var += (xr[j] - mean) * (xr[j] - mean);
    var /= A(cols);
    A inv = A(1) / std::sqrt(var + A(epsilon));
    if (bias) {
#pragma omp simd
      for (int64_t j = 0; j < cols; ++j)
        yr[j] = T((xr[j] - mean) * inv * scale[j] + bias[j]);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < cols; ++j)
        yr[j] = T((xr[j] - mean) * inv * scale[j]);
    }
  });
}

template <typename T>
void rmsNorm(Context &, T *y, const T *x, const T *scale, int64_t rows,
             int64_t cols, float epsilon) {
  using A = T; // float for float, double for double
  parallelFor(rows, cols, [&](int64_t r) {
    const T *xr = x + r * cols;
    T *yr = y + r * cols;
    A sumSq = 0;
#pragma omp simd reduction(+ : sumSq)
    for (int64_t j = 0; j < cols; ++j)
      sumSq += A(xr[j]) * A(xr[j]);
    A inv = A(1) / std::sqrt(sumSq / A(cols) + A(epsilon));
#pragma omp simd
    for (int64_t j = 0; j < cols; ++j)
      yr[j] = T(xr[j] * inv * scale[j]);
  });
}

#define PPRT_INSTANTIATE(T)                                                    \
  template void softmax<T>(Context &, T *, const T *, int64_t, int64_t,        \
                           int64_t, bool);                                     \
  template void layerNorm<T>(Context &, T *, const T *, const T *, const T *,  \
                             int64_t, int64_t, float);                         \
  template void rmsNorm<T>(Context &, T *, const T *, const T *, int64_t,      \
                           int64_t, float);
PPRT_INSTANTIATE(float)
PPRT_INSTANTIATE(double)
#undef PPRT_INSTANTIATE

} // namespace pprt::cpu
