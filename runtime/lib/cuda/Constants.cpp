//===- Constants.cpp - a program's constants, uploaded once ---------------===//
//
// A cuda program copies each constant into its arena slot on every run. A
// copy from pageable host memory cannot be captured into a CUDA graph
// (--cuda-graphs), and it stages through the host each time; so the first
// run uploads each constant once per GPU and every run copies from there.
//
//===----------------------------------------------------------------------===//

#include "pprt/CudaCheck.h"
#include "pprt/Kernels.h"

#include <map>
#include <mutex>
#include <utility>

namespace pprt::cuda {

void uploadConstant(Context &ctx, void *dst, const void *host, size_t bytes) {
  if (!bytes)
    return;
  int gpu = 0;
  PPRT_CUDA_CHECK(cudaGetDevice(&gpu));
  // Rank threads of one process share the copies of their GPU. They live
  // as long as the process.
  static std::mutex mutex;
  static std::map<std::pair<const void *, int>, void *> copies;
  void *copy = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    void *&slot = copies[{host, gpu}];
    if (!slot) {
      PPRT_CUDA_CHECK(cudaMalloc(&slot, bytes));
      PPRT_CUDA_CHECK(cudaMemcpy(slot, host, bytes, cudaMemcpyHostToDevice));
    }
    copy = slot;
  }
  PPRT_CUDA_CHECK(cudaMemcpyAsync(dst, copy, bytes, cudaMemcpyDeviceToDevice,
                                  static_cast<cudaStream_t>(ctx.stream)));
}

} // namespace pprt::cuda
