//===- CudaPresence.h - skip GPU checks only where no GPU can be --*- C++ -*-===//
//
// The cuda checks skip (exit 77) on a machine without a GPU, and only there.
// Two answers mean "no GPU": cudaErrorNoDevice, and no CUDA driver at all
// (libcuda.so.1 does not load, which the runtime reports as
// cudaErrorInsufficientDriver, the same code as a driver that is too old).
// Any other error, an outdated driver included, is a failure: a GPU machine
// must not pass by skipping.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TEST_CUDAPRESENCE_H
#define PPRT_TEST_CUDAPRESENCE_H

#include <cuda_runtime.h>
#include <dlfcn.h>

#include <cstdio>

namespace pprt::test {

/// The number of GPUs; -1 after printing the skip line (return 77) or the
/// error (return 1) into `exitCode`.
inline int countGpusOrExit(int &exitCode) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaSuccess && count > 0)
    return count;
  bool driverLoads = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD) ||
                     dlopen("libcuda.so.1", RTLD_LAZY);
  if (status == cudaSuccess || status == cudaErrorNoDevice ||
      (status == cudaErrorInsufficientDriver && !driverLoads)) {
    std::printf("no CUDA device: skipped (%s)\n",
                status == cudaSuccess ? "0 devices"
                                      : cudaGetErrorName(status));
    exitCode = 77;
    return -1;
  }
  std::fprintf(stderr, "error: cudaGetDeviceCount: %s: %s\n",
               cudaGetErrorName(status), cudaGetErrorString(status));
  exitCode = 1;
  return -1;
}

} // namespace pprt::test

#endif // PPRT_TEST_CUDAPRESENCE_H
