//===- BlasHandles.h - a cuda context's cuBLAS state ------------*- C++ -*-===//
//
// What Context::blas points to on cuda: the cuBLAS and cuBLASLt handles of
// the context's stream, one workspace both use (set explicitly so that the
// calls can be captured into a CUDA graph without allocating), and the
// cuBLASLt plans already chosen, per GEMM shape.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CUDA_BLASHANDLES_H
#define PPRT_LIB_CUDA_BLASHANDLES_H

#include "pprt/Program.h"

#include <cublasLt.h>
#include <cublas_v2.h>

#include <cstddef>
#include <memory>

namespace pprt::cuda {

struct LtPlanCache;

struct BlasHandles {
  cublasHandle_t blas = nullptr;
  cublasLtHandle_t lt = nullptr;
  void *workspace = nullptr;
  size_t workspaceBytes = 0;
  std::unique_ptr<LtPlanCache> plans;

  BlasHandles();
  ~BlasHandles();
};

/// Creates the handles for `stream` (the current device's).
BlasHandles *createBlasHandles(cudaStream_t stream);
void destroyBlasHandles(BlasHandles *handles);

inline BlasHandles &blasOf(Context &ctx) {
  return *static_cast<BlasHandles *>(ctx.blas);
}

} // namespace pprt::cuda

#endif // PPRT_LIB_CUDA_BLASHANDLES_H
