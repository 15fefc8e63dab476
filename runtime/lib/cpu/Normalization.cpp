//===- Normalization.cpp - cpu softmax, layerNorm, rmsNorm ----------------===//
//
// Accumulates in the element type: float for float, double for double. Softmax
// subtracts the max before exp so large logits do not overflow; layerNorm
// takes the variance of (x - mean) in a second pass rather than E[x^2] -
// E[x]^2, which cancels badly when the mean is large.
//
//===----------------------------------------------------------------------===//

#include "pprt/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pprt::cpu {

template <typename T>
void softmax(Context &, T *y, const T *x, int64_t outer, int64_t n,
             int64_t inner, bool log) {
  using A = T; // float for float, double for double
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T *xs = x + o * n * inner + i;
      T *ys = y + o * n * inner + i;
      A maxv = -std::numeric_limits<A>::infinity();
      for (int64_t j = 0; j < n; ++j)
        maxv = std::max<A>(maxv, xs[j * inner]);
      A sum = 0;
      for (int64_t j = 0; j < n; ++j)
        sum += std::exp(A(xs[j * inner]) - maxv);
      if (log) {
        // (x - max) - log(sum), not x - (max + log(sum)): the latter
        // rounds log(sum) to the ulp of a large max.
        A logSum = std::log(sum);
        for (int64_t j = 0; j < n; ++j)
          ys[j * inner] = T((A(xs[j * inner]) - maxv) - logSum);
      } else {
        A inv = A(1) / sum;
        for (int64_t j = 0; j < n; ++j)
          ys[j * inner] = T(std::exp(A(xs[j * inner]) - maxv) * inv);
      }
    }
}

template <typename T>
void layerNorm(Context &, T *y, const T *x, const T *scale, const T *bias,
               int64_t rows, int64_t cols, float epsilon) {
  using A = T; // float for float, double for double
  for (int64_t r = 0; r < rows; ++r) {
    const T *xr = x + r * cols;
    T *yr = y + r * cols;
    A mean = 0;
    for (int64_t j = 0; j < cols; ++j)
      mean += xr[j];
    mean /= A(cols);
    A var = 0;
    for (int64_t j = 0; j < cols; ++j)
      var += (xr[j] - mean) * (xr[j] - mean);
    var /= A(cols);
    A inv = A(1) / std::sqrt(var + A(epsilon));
    for (int64_t j = 0; j < cols; ++j)
      yr[j] = T((xr[j] - mean) * inv * scale[j] + (bias ? bias[j] : A(0)));
  }
}

template <typename T>
void rmsNorm(Context &, T *y, const T *x, const T *scale, int64_t rows,
             int64_t cols, float epsilon) {
  using A = T; // float for float, double for double
  for (int64_t r = 0; r < rows; ++r) {
    const T *xr = x + r * cols;
    T *yr = y + r * cols;
    A sumSq = 0;
    for (int64_t j = 0; j < cols; ++j)
      sumSq += A(xr[j]) * A(xr[j]);
    A inv = A(1) / std::sqrt(sumSq / A(cols) + A(epsilon));
    for (int64_t j = 0; j < cols; ++j)
      yr[j] = T(xr[j] * inv * scale[j]);
  }
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
