//===- BlasHandles.cpp - a cuda context's cuBLAS state --------------------===//

#include "BlasHandles.h"

#include "LtMatmul.h"
#include "pprt/CudaCheck.h"

namespace pprt::cuda {

namespace {
/// What NVIDIA recommends for cuBLAS on Hopper; cuBLASLt's heuristic only
/// offers algorithms that fit.
constexpr size_t kWorkspaceBytes = size_t(32) << 20;
} // namespace

BlasHandles::BlasHandles() : plans(std::make_unique<LtPlanCache>()) {}
BlasHandles::~BlasHandles() = default;

BlasHandles *createBlasHandles(cudaStream_t stream) {
  auto *handles = new BlasHandles;
  PPRT_CUBLAS_CHECK(cublasCreate(&handles->blas));
  PPRT_CUBLAS_CHECK(cublasSetStream(handles->blas, stream));
  PPRT_CUBLAS_CHECK(cublasLtCreate(&handles->lt));
  PPRT_CUDA_CHECK(cudaMalloc(&handles->workspace, kWorkspaceBytes));
  handles->workspaceBytes = kWorkspaceBytes;
  PPRT_CUBLAS_CHECK(cublasSetWorkspace(handles->blas, handles->workspace,
                                       handles->workspaceBytes));
  return handles;
}

void destroyBlasHandles(BlasHandles *handles) {
  if (!handles)
    return;
  handles->plans.reset();
  PPRT_CUBLAS_CHECK(cublasLtDestroy(handles->lt));
  PPRT_CUBLAS_CHECK(cublasDestroy(handles->blas));
  PPRT_CUDA_CHECK(cudaFree(handles->workspace));
  delete handles;
}

} // namespace pprt::cuda
