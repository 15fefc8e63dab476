//===- Reduce.cpp - cpu reductions over the middle dim --------------------===//
//
// Walks x in memory order (outer, n, inner) and folds each slice of `inner`
// into y, so inner > 1 reductions stream instead of striding.
//
//===----------------------------------------------------------------------===//

#include "pprt/Kernels.h"

#include <algorithm>
#include <limits>

namespace pprt::cpu {

namespace {

template <typename T> T identity(ReduceKind kind) {
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
    return T(0);
  case ReduceKind::Prod:
    return T(1);
  case ReduceKind::Max:
    return std::numeric_limits<T>::has_infinity
               ? -std::numeric_limits<T>::infinity()
               : std::numeric_limits<T>::lowest();
  case ReduceKind::Min:
    return std::numeric_limits<T>::has_infinity
               ? std::numeric_limits<T>::infinity()
               : std::numeric_limits<T>::max();
  }
  return T(0);
}

template <typename T, typename Op>
void fold(T *y, const T *x, int64_t outer, int64_t n, int64_t inner, Op op) {
  for (int64_t o = 0; o < outer; ++o) {
    T *yo = y + o * inner;
    const T *xo = x + o * n * inner;
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < inner; ++i)
        yo[i] = op(yo[i], xo[j * inner + i]);
  }
}

} // namespace

template <typename T>
void reduce(Context &, T *y, const T *x, int64_t outer, int64_t n,
            int64_t inner, ReduceKind kind) {
  std::fill(y, y + outer * inner, identity<T>(kind));
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
    fold(y, x, outer, n, inner, [](T a, T b) { return T(a + b); });
    break;
  case ReduceKind::Prod:
    fold(y, x, outer, n, inner, [](T a, T b) { return T(a * b); });
    break;
  case ReduceKind::Max:
    fold(y, x, outer, n, inner, [](T a, T b) { return std::max(a, b); });
    break;
  case ReduceKind::Min:
    fold(y, x, outer, n, inner, [](T a, T b) { return std::min(a, b); });
    break;
  }
  if (kind == ReduceKind::Mean && n > 0)
    for (int64_t i = 0; i < outer * inner; ++i)
      y[i] = T(y[i] / T(n));
}

template void reduce<float>(Context &, float *, const float *, int64_t, int64_t,
                            int64_t, ReduceKind);
template void reduce<double>(Context &, double *, const double *, int64_t,
                             int64_t, int64_t, ReduceKind);
template void reduce<int32_t>(Context &, int32_t *, const int32_t *, int64_t,
                              int64_t, int64_t, ReduceKind);
template void reduce<int64_t>(Context &, int64_t *, const int64_t *, int64_t,
                              int64_t, int64_t, ReduceKind);

} // namespace pprt::cpu
