//===- CudaDevice.cpp - the CUDA Device -----------------------------------===//
//
// One cudaMalloc per buffer, made by runMain before the first run; the run
// itself never allocates. The context's stream is a blocking stream so that
// it orders after the synchronous cudaMemcpy uploads on the legacy stream.
// Linking pprt_cuda selects this device (CudaRunMain.cpp defines the
// contract's runMain). Processes on one node take GPU localRank % count;
// rank threads of one process share that GPU.
//
//===----------------------------------------------------------------------===//

#include "BlasHandles.h"
#include "KernelErrors.h"
#include "pprt/CudaCheck.h"
#include "pprt/Device.h"

#include <cstdio>
#include <cstdlib>

namespace pprt {

namespace {

class CudaDevice final : public Device {
public:
  const char *name() const override { return "cuda"; }
  bool isHost() const override { return false; }
  void setLocalRank(int localRank) override { local = localRank; }

  bool init(std::string &error) override {
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess || count == 0) {
      error =
          std::string("no usable CUDA device: ") +
          (status != cudaSuccess ? cudaGetErrorString(status) : "none found");
      return false;
    }
    gpu = local % count;
    PPRT_CUDA_CHECK(cudaSetDevice(gpu));
    return true;
  }

  void *alloc(size_t bytes) override {
    void *ptr = nullptr;
    PPRT_CUDA_CHECK(cudaMalloc(&ptr, bytes ? bytes : 1));
    return ptr;
  }
  void free(void *ptr) override { PPRT_CUDA_CHECK(cudaFree(ptr)); }
  void upload(void *dst, const void *hostSrc, size_t bytes) override {
    if (bytes)
      PPRT_CUDA_CHECK(cudaMemcpy(dst, hostSrc, bytes, cudaMemcpyHostToDevice));
  }
  void download(void *hostDst, const void *src, size_t bytes) override {
    if (bytes)
      PPRT_CUDA_CHECK(cudaMemcpy(hostDst, src, bytes, cudaMemcpyDeviceToHost));
  }

  void copy(Context &ctx, void *dst, const void *src, size_t bytes) override {
    if (!bytes)
      return;
    auto stream = static_cast<cudaStream_t>(ctx.stream);
    PPRT_CUDA_CHECK(
        cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream));
    PPRT_CUDA_CHECK(cudaStreamSynchronize(stream));
  }

  void synchronize(Context &ctx) override {
    PPRT_CUDA_CHECK(
        cudaStreamSynchronize(static_cast<cudaStream_t>(ctx.stream)));
    const char *op = nullptr;
    int64_t index, bound, ignoreIndex;
    if (cuda::takeIndexError(op, index, bound)) {
      std::fprintf(stderr, "error: %s index %lld out of range [%lld, %lld)\n",
                   op, static_cast<long long>(index),
                   static_cast<long long>(index < 0 ? -bound : 0),
                   static_cast<long long>(bound));
      std::exit(1);
    }
    if (cuda::takeLabelError(index, bound, ignoreIndex)) {
      std::fprintf(stderr,
                   "error: cross_entropy label %lld out of range [0, %lld) "
                   "(ignore_index %lld)\n",
                   static_cast<long long>(index), static_cast<long long>(bound),
                   static_cast<long long>(ignoreIndex));
      std::exit(1);
    }
  }

  Context makeContext(int rank, int worldSize) override {
    Context ctx;
    ctx.rank = rank;
    ctx.worldSize = worldSize;
    // The current device is per thread, and rank threads make their own.
    PPRT_CUDA_CHECK(cudaSetDevice(gpu));
    cudaStream_t stream;
    PPRT_CUDA_CHECK(cudaStreamCreate(&stream));
    ctx.stream = stream;
    ctx.blas = cuda::createBlasHandles(stream);
    return ctx;
  }

  void destroyContext(Context &ctx) override {
    cuda::destroyBlasHandles(static_cast<cuda::BlasHandles *>(ctx.blas));
    if (ctx.stream)
      PPRT_CUDA_CHECK(cudaStreamDestroy(static_cast<cudaStream_t>(ctx.stream)));
    ctx.blas = nullptr;
    ctx.stream = nullptr;
  }

  void *captureGraph(Context &ctx, const std::function<void()> &enqueue,
                     std::string &error) override {
    auto stream = static_cast<cudaStream_t>(ctx.stream);
    // Thread-local mode: only this thread's unsafe calls (a synchronous
    // copy, a synchronize) break the capture, not other ranks' threads.
    PPRT_CUDA_CHECK(
        cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    enqueue();
    cudaGraph_t graph = nullptr;
    cudaError_t status = cudaStreamEndCapture(stream, &graph);
    if (status != cudaSuccess) {
      (void)cudaGetLastError();
      error = std::string("CUDA graph capture failed: ") +
              cudaGetErrorString(status) +
              " (the step queued work a graph cannot hold)";
      return nullptr;
    }
    cudaGraphExec_t exec = nullptr;
    status = cudaGraphInstantiate(&exec, graph, 0);
    PPRT_CUDA_CHECK(cudaGraphDestroy(graph));
    if (status != cudaSuccess) {
      error = std::string("CUDA graph instantiation failed: ") +
              cudaGetErrorString(status);
      return nullptr;
    }
    return exec;
  }

  void launchGraph(Context &ctx, void *graph) override {
    PPRT_CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph),
                                    static_cast<cudaStream_t>(ctx.stream)));
  }

  void destroyGraph(void *graph) override {
    if (graph)
      PPRT_CUDA_CHECK(cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph)));
  }

private:
  int local = 0;
  int gpu = 0;
};

} // namespace

Device &cudaDevice() {
  static CudaDevice device;
  return device;
}

} // namespace pprt
