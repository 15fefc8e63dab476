//===- LtMatmul.h - matmulAdd as one cuBLASLt call --------------*- C++ -*-===//
//
// cuBLASLt computes D = alpha op(A) op(B) + beta C and then an epilogue, in
// one kernel. matmulAdd's bias is its BIAS epilogue and a residual addend its
// C (out of place: C is read, D written), so a linear layer with a bias and
// a residual costs one pass over its output instead of a prefill pass plus
// the GEMM. Plans (descriptors and the algorithm the heuristic picked) are
// kept per shape and pointer alignment, so only a shape's first call pays
// for the heuristic, and a CUDA graph capture queues nothing but the GEMM.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CUDA_LTMATMUL_H
#define PPRT_LIB_CUDA_LTMATMUL_H

#include "pprt/Program.h"

#include <library_types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

namespace pprt::cuda {

/// One matmulAdd, row-major: c (batch x m x n, packed) = alpha op(a) op(b)
/// + bias (n values, or null) + addend (laid out like c, or null).
struct LtGemm {
  cudaDataType_t type;
  void *c;
  const void *a, *b;
  float alpha;
  const void *bias;
  const void *addend;
  int64_t batch, m, n, k, strideA, strideB;
  bool transA, transB;
};

struct LtPlan;

/// The plans of one context, by type, shape, flags (transA, transB, bias,
/// addend) and the alignments of a, b, c, the addend and the bias.
struct LtPlanCache {
  using Key = std::tuple<int, int64_t, int64_t, int64_t, int64_t, int64_t,
                         int64_t, unsigned, uint32_t, uint32_t, uint32_t,
                         uint32_t, uint32_t>;
  std::map<Key, std::unique_ptr<LtPlan>> plans;
  LtPlanCache();
  ~LtPlanCache();
};

/// Queues `g` as one cuBLASLt matmul on ctx's stream. False, having queued
/// nothing, when cuBLASLt offers no algorithm for it, when a batch stride
/// is 0 (a broadcast operand), or when PPRT_CUBLASLT=0: the caller then
/// falls back to a prefill kernel and cuBLAS with beta 1.
bool ltMatmulAdd(Context &ctx, const LtGemm &g);

} // namespace pprt::cuda

#endif // PPRT_LIB_CUDA_LTMATMUL_H
