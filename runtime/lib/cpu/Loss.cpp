//===- Loss.cpp - cpu cross-entropy ---------------------------------------===//
//
// Log-softmax and the negative log-likelihood in one pass over each row: the
// log-probabilities are never stored. Accumulates in the element type (float
// for float, double for double) and subtracts the row's max before exp.
//
//===----------------------------------------------------------------------===//

#include "pprt/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace pprt::cpu {

template <typename T>
void crossEntropy(Context &, T *loss, const T *logits, const int64_t *labels,
                  float *rowLoss, int64_t rows, int64_t vocab,
                  int64_t ignoreIndex) {
  using A = T; // float for float, double for double
  // Check every label before computing anything.
  for (int64_t r = 0; r < rows; ++r)
    if (labels[r] != ignoreIndex && (labels[r] < 0 || labels[r] >= vocab)) {
      std::fprintf(stderr,
                   "error: cross_entropy label %lld out of range [0, %lld) "
                   "(ignore_index %lld)\n",
                   static_cast<long long>(labels[r]),
                   static_cast<long long>(vocab),
                   static_cast<long long>(ignoreIndex));
      std::exit(1);
    }
  A total = 0;
  int64_t count = 0;
  for (int64_t r = 0; r < rows; ++r) {
    rowLoss[r] = 0;
    if (labels[r] == ignoreIndex)
      continue;
    const T *x = logits + r * vocab;
    A maxv = -std::numeric_limits<A>::infinity();
    for (int64_t j = 0; j < vocab; ++j)
      maxv = std::max<A>(maxv, x[j]);
    A sum = 0;
    for (int64_t j = 0; j < vocab; ++j)
      sum += std::exp(A(x[j]) - maxv);
    // log(sum) - (x[label] - max): both terms stay small next to a large max.
    A row = std::log(sum) - (A(x[labels[r]]) - maxv);
    rowLoss[r] = static_cast<float>(row);
    total += row;
    ++count;
  }
  *loss = T(count ? total / A(count) : A(0));
}

template void crossEntropy<float>(Context &, float *, const float *,
                                  const int64_t *, float *, int64_t, int64_t,
                                  int64_t);
template void crossEntropy<double>(Context &, double *, const double *,
                                   const int64_t *, float *, int64_t, int64_t,
                                   int64_t);

} // namespace pprt::cpu
