//===- Movement.cu - cuda data movement kernels ---------------------------===//
//
// copyStrided, gather and trilu on elements of any size. Sizes 1/2/4/8 move
// whole elements; other sizes are handled as bytes (an extra innermost dim of
// elemSize bytes for copyStrided, a wider row for gather). scatterAdd,
// gather's adjoint, adds with atomics in the element type (float, __half,
// __nv_bfloat16), so repeated indices sum in an unspecified order.
//
//===----------------------------------------------------------------------===//

#include "KernelErrors.h"
#include "Launch.h"
#include "pprt/CudaCheck.h"
#include "pprt/Kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdio>
#include <cstdlib>

namespace pprt::cuda {

namespace {

constexpr int kMaxDims = kMaxRank + 1;

/// Passed by value: shapes and strides live in kernel parameter space.
struct StridedArgs {
  int64_t shape[kMaxDims];
  int64_t dstStrides[kMaxDims];
  int64_t srcStrides[kMaxDims];
  int rank;
  int64_t total;
};

template <typename E>
__global__ void copyStridedKernel(E *dst, const E *src, StridedArgs args) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
       i < args.total; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, d = 0, s = 0;
    for (int r = args.rank - 1; r >= 0; --r) {
      int64_t c = rest % args.shape[r];
      rest /= args.shape[r];
      d += c * args.dstStrides[r];
      s += c * args.srcStrides[r];
    }
    dst[d] = src[s];
  }
}

template <typename E>
void launchCopy(cudaStream_t stream, void *dst, const void *src,
                const StridedArgs &args) {
  copyStridedKernel<E><<<gridFor(args.total), kThreads, 0, stream>>>(
      static_cast<E *>(dst), static_cast<const E *>(src), args);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

/// Which op an index error came from (kIndexOps names them).
enum IndexOp : int { kGather, kScatterAdd };
const char *const kIndexOps[] = {"gather", "scatter_add"};

// First bad gather or scatter_add index since the host last looked.
__device__ unsigned int gIndexFailed;
__device__ int gIndexOp;
__device__ long long gIndexValue;
__device__ long long gIndexBound;

/// The index into an axis of `axisDim`, or -1 (recorded) when out of range.
__device__ int64_t checkedIndex(int64_t given, int64_t axisDim, IndexOp op) {
  int64_t index = given < 0 ? given + axisDim : given;
  if (index >= 0 && index < axisDim)
    return index;
  if (atomicCAS(&gIndexFailed, 0u, 1u) == 0u) {
    gIndexOp = op;
    gIndexValue = given;
    gIndexBound = axisDim;
  }
  return -1;
}

/// Element i of [outer, numIndices, inner] as (o, j, e).
struct IndexedPosition {
  int64_t o, j, e;
};
__device__ IndexedPosition positionOf(int64_t i, int64_t numIndices,
                                      int64_t inner) {
  int64_t t = i / inner;
  return {t / numIndices, t % numIndices, i % inner};
}

template <typename E>
__global__ void gatherKernel(E *dst, const E *data, const int64_t *indices,
                             int64_t outer, int64_t axisDim, int64_t inner,
                             int64_t numIndices) {
  int64_t total = outer * numIndices * inner;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    IndexedPosition p = positionOf(i, numIndices, inner);
    int64_t index = checkedIndex(indices[p.j], axisDim, kGather);
    if (index < 0)
      continue;
    dst[i] = data[(p.o * axisDim + index) * inner + p.e];
  }
}

template <typename E>
void launchGather(cudaStream_t stream, void *dst, const void *data,
                  const int64_t *indices, int64_t outer, int64_t axisDim,
                  int64_t inner, int64_t numIndices) {
  gatherKernel<E><<<gridFor(outer * numIndices * inner), kThreads, 0, stream>>>(
      static_cast<E *>(dst), static_cast<const E *>(data), indices, outer,
      axisDim, inner, numIndices);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

template <typename T>
__global__ void scatterAddKernel(T *dst, const T *updates,
                                 const int64_t *indices, int64_t outer,
                                 int64_t axisDim, int64_t inner,
                                 int64_t numIndices) {
  int64_t total = outer * numIndices * inner;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    IndexedPosition p = positionOf(i, numIndices, inner);
    int64_t index = checkedIndex(indices[p.j], axisDim, kScatterAdd);
    if (index < 0)
      continue;
    atomicAdd(dst + (p.o * axisDim + index) * inner + p.e, updates[i]);
  }
}

/// `unit` is the element for sizes 1/2/4/8 and a byte otherwise
/// (`unitsPerElem` = elemSize).
template <typename E>
__global__ void triluKernel(E *dst, const E *src, int64_t total, int64_t rows,
                            int64_t cols, int64_t k, bool upper,
                            int64_t unitsPerElem) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t elem = i / unitsPerElem;
    int64_t c = elem % cols;
    int64_t r = (elem / cols) % rows;
    bool keep = upper ? c - r >= k : c - r <= k;
    dst[i] = keep ? src[i] : E(0);
  }
}

template <typename E>
void launchTrilu(cudaStream_t stream, void *dst, const void *src, int64_t total,
                 int64_t rows, int64_t cols, int64_t k, bool upper,
                 int64_t unitsPerElem) {
  triluKernel<E><<<gridFor(total), kThreads, 0, stream>>>(
      static_cast<E *>(dst), static_cast<const E *>(src), total, rows, cols, k,
      upper, unitsPerElem);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

cudaStream_t streamOf(Context &ctx) {
  return static_cast<cudaStream_t>(ctx.stream);
}

} // namespace

bool takeIndexError(const char *&op, int64_t &index, int64_t &bound) {
  unsigned int failed = 0;
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&failed, gIndexFailed, sizeof(failed)));
  if (!failed)
    return false;
  int which = 0;
  long long i = 0, b = 0;
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&which, gIndexOp, sizeof(which)));
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&i, gIndexValue, sizeof(i)));
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&b, gIndexBound, sizeof(b)));
  unsigned int zero = 0;
  PPRT_CUDA_CHECK(cudaMemcpyToSymbol(gIndexFailed, &zero, sizeof(zero)));
  op = kIndexOps[which];
  index = i;
  bound = b;
  return true;
}

void copyStrided(Context &ctx, void *dst, const int64_t *dstStrides,
                 const void *src, const int64_t *srcStrides,
                 const int64_t *shape, int rank, size_t elemSize) {
  if (rank < 0 || rank > kMaxRank) {
    std::fprintf(stderr, "error: copyStrided: rank %d out of range\n", rank);
    std::exit(1);
  }
  StridedArgs args = {};
  args.rank = rank;
  args.total = 1;
  for (int d = 0; d < rank; ++d) {
    args.shape[d] = shape[d];
    args.dstStrides[d] = dstStrides[d];
    args.srcStrides[d] = srcStrides[d];
    args.total *= shape[d];
  }
  if (args.total <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  switch (elemSize) {
  case 1:
    return launchCopy<uint8_t>(stream, dst, src, args);
  case 2:
    return launchCopy<uint16_t>(stream, dst, src, args);
  case 4:
    return launchCopy<uint32_t>(stream, dst, src, args);
  case 8:
    return launchCopy<uint64_t>(stream, dst, src, args);
  }
  // Any other size: strides in bytes plus a contiguous dim of elemSize bytes.
  int64_t es = static_cast<int64_t>(elemSize);
  for (int d = 0; d < rank; ++d) {
    args.dstStrides[d] *= es;
    args.srcStrides[d] *= es;
  }
  args.shape[rank] = es;
  args.dstStrides[rank] = 1;
  args.srcStrides[rank] = 1;
  args.rank = rank + 1;
  args.total *= es;
  launchCopy<uint8_t>(stream, dst, src, args);
}

void gather(Context &ctx, void *dst, const void *data, const int64_t *indices,
            size_t elemSize, int64_t outer, int64_t axisDim, int64_t inner,
            int64_t numIndices) {
  if (outer * numIndices * inner <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  switch (elemSize) {
  case 1:
    return launchGather<uint8_t>(stream, dst, data, indices, outer, axisDim,
                                 inner, numIndices);
  case 2:
    return launchGather<uint16_t>(stream, dst, data, indices, outer, axisDim,
                                  inner, numIndices);
  case 4:
    return launchGather<uint32_t>(stream, dst, data, indices, outer, axisDim,
                                  inner, numIndices);
  case 8:
    return launchGather<uint64_t>(stream, dst, data, indices, outer, axisDim,
                                  inner, numIndices);
  }
  // A row of `inner` elements is `inner * elemSize` bytes.
  launchGather<uint8_t>(stream, dst, data, indices, outer, axisDim,
                        inner * static_cast<int64_t>(elemSize), numIndices);
}

template <typename T>
void scatterAdd(Context &ctx, T *dst, const T *updates, const int64_t *indices,
                int64_t outer, int64_t axisDim, int64_t inner,
                int64_t numIndices) {
  int64_t count = outer * axisDim * inner;
  if (count <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  // All-zero bits are 0 in every float type.
  PPRT_CUDA_CHECK(cudaMemsetAsync(dst, 0, sizeof(T) * count, stream));
  int64_t total = outer * numIndices * inner;
  if (total <= 0)
    return;
  scatterAddKernel<T><<<gridFor(total), kThreads, 0, stream>>>(
      dst, updates, indices, outer, axisDim, inner, numIndices);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

#define PPRT_INSTANTIATE(T)                                                    \
  template void scatterAdd<T>(Context &, T *, const T *, const int64_t *,      \
                              int64_t, int64_t, int64_t, int64_t);
PPRT_INSTANTIATE(float)
PPRT_INSTANTIATE(__half)
PPRT_INSTANTIATE(__nv_bfloat16)
#undef PPRT_INSTANTIATE

void trilu(Context &ctx, void *dst, const void *src, size_t elemSize,
           int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper) {
  int64_t count = batch * rows * cols;
  if (count <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  switch (elemSize) {
  case 1:
    return launchTrilu<uint8_t>(stream, dst, src, count, rows, cols, k, upper,
                                1);
  case 2:
    return launchTrilu<uint16_t>(stream, dst, src, count, rows, cols, k, upper,
                                 1);
  case 4:
    return launchTrilu<uint32_t>(stream, dst, src, count, rows, cols, k, upper,
                                 1);
  case 8:
    return launchTrilu<uint64_t>(stream, dst, src, count, rows, cols, k, upper,
                                 1);
  }
  int64_t es = static_cast<int64_t>(elemSize);
  launchTrilu<uint8_t>(stream, dst, src, count * es, rows, cols, k, upper, es);
}

} // namespace pprt::cuda
