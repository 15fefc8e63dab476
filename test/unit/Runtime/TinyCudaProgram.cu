//===- TinyCudaProgram.cu - a generated cuda program in miniature ---------===//
//
// Only built, never run (CI has no GPU): it checks that a .cu file compiled
// by nvcc links against pprt_main, pprt_cuda, pprt_mpi, pprt, cuBLAS, NCCL,
// MPI and cudart, that every typed cuda kernel is instantiated in the
// library, and that the Comm calls compile with nvcc.
//
//===----------------------------------------------------------------------===//

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "pprt/Comm.h"
#include "pprt/CudaCheck.h"
#include "pprt/Kernels.h"

namespace {

// Stands in for an elementwise kernel the compiler generates.
__global__ void twice(float *y, const float *x, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = 2.0f * x[i];
}

template <typename T> void useTyped(pprt::Context &ctx, char *arena) {
  T *a = reinterpret_cast<T *>(arena);
  T *b = a + 16;
  T *c = b + 16;
  pprt::cuda::matmul<T>(ctx, c, a, b, 1, 4, 4, 4, 0, 0, 16, false, true);
  pprt::cuda::softmax<T>(ctx, c, a, 4, 4, 1, false);
  pprt::cuda::layerNorm<T>(ctx, c, a, b, b, 4, 4, 1e-5f);
  pprt::cuda::rmsNorm<T>(ctx, c, a, b, 4, 4, 1e-5f);
  pprt::cuda::reduce<T>(ctx, c, a, 4, 4, 1, pprt::ReduceKind::Sum);
}

void run(pprt::Context &ctx, void *const *inputs, void *const *outputs,
         void *const *, char *arena) {
  auto stream = static_cast<cudaStream_t>(ctx.stream);
  twice<<<1, 256, 0, stream>>>(static_cast<float *>(outputs[0]),
                               static_cast<const float *>(inputs[0]), 16);
  PPRT_CUDA_CHECK(cudaGetLastError());
  const int64_t shape[1] = {16}, strides[1] = {1};
  pprt::cuda::copyStrided(ctx, arena, strides, inputs[0], strides, shape, 1,
                          sizeof(float));
  pprt::cuda::trilu(ctx, arena, arena, sizeof(float), 1, 4, 4, 0, false);
  const int64_t *indices = reinterpret_cast<const int64_t *>(arena + 1024);
  pprt::cuda::gather(ctx, arena + 2048, arena, indices, sizeof(float), 1, 4, 4,
                     2);
  useTyped<float>(ctx, arena + 4096);
  useTyped<__half>(ctx, arena + 8192);
  useTyped<__nv_bfloat16>(ctx, arena + 12288);
  // What generated multi-rank code calls (NCCL or LocalComm behind it).
  if (ctx.comm) {
    float *y = static_cast<float *>(outputs[0]);
    pprt::allReduce(ctx, y, 16, pprt::DType::F32, pprt::CollectiveOp::Sum, 1,
                    "tiny all_reduce");
    if (pprt::indexInGroup(ctx, 1) == 0)
      pprt::send(ctx, y, 64, 1, 1, 0, "tiny send");
    else
      pprt::recv(ctx, y, 64, 1, 0, 0, "tiny recv");
  }
}

const pprt::TensorSpec kInputs[] = {{"x", pprt::DType::F32, 1, {16}}};
const pprt::TensorSpec kOutputs[] = {{"y", pprt::DType::F32, 1, {16}}};

} // namespace

const pprt::Program &pprt::program() {
  static const Program p = {"tiny",   "cuda", ".",     1,     kInputs, 1,
                            kOutputs, 0,      nullptr, 16384, run};
  return p;
}
