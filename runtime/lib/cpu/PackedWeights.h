//===- PackedWeights.h - weights packed once for the GEMM -------*- C++ -*-===//
//
// OpenBLAS packs the weight of every GEMM it runs, on every call: 10.5% of
// a batch-1 GPT forward (bench/gemm_prepacked.sh). Weights that never
// change (every program but a training one) are instead packed once, on
// their first product, into 16-column panels that BlockProduct.h's kernel
// reads directly; later products skip the packing.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_CPU_PACKEDWEIGHTS_H
#define PPRT_CPU_PACKEDWEIGHTS_H

#include <cstddef>
#include <cstdint>

namespace pprt::cpu {

/// Declares `bytes` at `data` a weight that no kernel will write.
void markConstantWeight(const void *data, size_t bytes);
/// Ends the declaration made at `data` (its memory is being freed).
void forgetConstantWeight(const void *data);

/// The weights packed so far in this process (by every rank thread): how
/// many, the packed copies' bytes, and the milliseconds spent packing.
struct PackingTotals {
  int64_t weights = 0;
  int64_t bytes = 0;
  double ms = 0;
};
PackingTotals packingTotals();

/// The packed copy of a constant weight b, [k x n] (or [n x k] with
/// transB), made on its first use by this thread; null when b is not a
/// declared constant weight.
const float *packedCopy(const float *b, int64_t n, int64_t k, bool transB);

/// c = start + a b for a row-major a [m x k] and a weight's packed copy
/// (packedCopy). start is m x n with rows startStride apart: c itself
/// (accumulating), an addend, a bias row (stride 0), or null (zeros).
void packedMatmul(float *c, const float *a, const float *packed, int64_t m,
                  int64_t n, int64_t k, const float *start = nullptr,
                  int64_t startStride = 0);

} // namespace pprt::cpu

#endif // PPRT_CPU_PACKEDWEIGHTS_H
