//===- CudaCheck.h - checking CUDA and cuBLAS calls -------------*- C++ -*-===//
//
// Every CUDA runtime and cuBLAS call in the runtime (and in generated cuda
// programs) goes through these macros, so a failure prints which call failed,
// why, and where, then exits with code 1:
//   error: cudaMalloc(&ptr, bytes) failed: out of memory (CudaDevice.cpp:40)
// Kernel launches are followed by PPRT_CUDA_CHECK(cudaGetLastError()).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_CUDACHECK_H
#define PPRT_CUDACHECK_H

#include <cublas_v2.h>
#include <cuda_runtime.h>

namespace pprt {

[[noreturn]] void cudaFail(const char *call, const char *reason,
                           const char *file, int line);

inline void cudaCheck(cudaError_t status, const char *call, const char *file,
                      int line) {
  if (status != cudaSuccess)
    cudaFail(call, cudaGetErrorString(status), file, line);
}

inline void cublasCheck(cublasStatus_t status, const char *call,
                        const char *file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    cudaFail(call, cublasGetStatusString(status), file, line);
}

} // namespace pprt

#define PPRT_CUDA_CHECK(call)                                                  \
  ::pprt::cudaCheck((call), #call, __FILE__, __LINE__)
#define PPRT_CUBLAS_CHECK(call)                                                \
  ::pprt::cublasCheck((call), #call, __FILE__, __LINE__)

#endif // PPRT_CUDACHECK_H
