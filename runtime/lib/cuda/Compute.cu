//===- Compute.cu - cuda matmul, softmax, norms, reductions, loss ---------===//
//
// Typed kernels for float, __half and __nv_bfloat16; arithmetic is in float
// whatever the storage type. matmul is cuBLAS; matmulAdd is cuBLASLt
// (LtMatmul.cpp) where it takes the shape. Row kernels (inner == 1, the
// common case: softmax over the last dim, norms) use one block per row with
// warp-shuffle reductions; reductions over a middle dim (inner > 1) use one
// thread per output column, which is simple and coalesced across i.
// crossEntropy is a row kernel writing each row's loss, then one block that
// averages them, so the mean is deterministic.
//
//===----------------------------------------------------------------------===//

#include "BlasHandles.h"
#include "FloatConvert.h"
#include "KernelErrors.h"
#include "Launch.h"
#include "LtMatmul.h"
#include "pprt/CudaCheck.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "pprt/Kernels.h"

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace pprt::cuda {

namespace {

struct SumOp {
  static constexpr float kIdentity = 0.0f;
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct ProdOp {
  static constexpr float kIdentity = 1.0f;
  __device__ float operator()(float a, float b) const { return a * b; }
};
struct MaxOp {
  static constexpr float kIdentity = -INFINITY;
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};
struct MinOp {
  static constexpr float kIdentity = INFINITY;
  __device__ float operator()(float a, float b) const { return fminf(a, b); }
};

/// Reduces `v` over the block; every thread gets the result. `scratch` holds
/// one float per warp. Callable repeatedly with the same scratch.
template <typename Op>
__device__ float blockReduce(float v, Op op, float *scratch) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int numWarps = (blockDim.x + 31) >> 5;
  if (lane == 0)
    scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < numWarps ? scratch[lane] : Op::kIdentity;
    for (int offset = 16; offset > 0; offset >>= 1)
      v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
    if (lane == 0)
      scratch[0] = v;
  }
  __syncthreads();
  float result = scratch[0];
  // Nobody may overwrite scratch before everyone has read the result.
  __syncthreads();
  return result;
}

//===--- softmax ----------------------------------------------------------===//

/// The max of a row of `n` and the sum of exp(x - max) over it, reduced over
/// the block; every thread gets both.
template <typename T>
__device__ void rowMaxAndExpSum(const T *xr, int64_t n, float *scratch,
                                float &maxv, float &sum) {
  maxv = -INFINITY;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
    maxv = fmaxf(maxv, toFloat(xr[j]));
  maxv = blockReduce(maxv, MaxOp(), scratch);
  sum = 0;
  for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
    sum += __expf(toFloat(xr[j]) - maxv);
  sum = blockReduce(sum, SumOp(), scratch);
}

template <typename T>
__global__ void softmaxRowKernel(T *y, const T *x, int64_t rows, int64_t n,
                                 bool log) {
  __shared__ float scratch[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T *xr = x + row * n;
    T *yr = y + row * n;
    float maxv, sum;
    rowMaxAndExpSum(xr, n, scratch, maxv, sum);
    if (log) {
      // (x - max) - log(sum) keeps log(sum) exact next to a large max.
      float logSum = logf(sum);
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
        yr[j] = fromFloat<T>((toFloat(xr[j]) - maxv) - logSum);
    } else {
      float inv = 1.0f / sum;
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
        yr[j] = fromFloat<T>(__expf(toFloat(xr[j]) - maxv) * inv);
    }
  }
}

template <typename T>
__global__ void softmaxColumnKernel(T *y, const T *x, int64_t outer, int64_t n,
                                    int64_t inner, bool log) {
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
       c < outer * inner; c += int64_t(gridDim.x) * blockDim.x) {
    int64_t o = c / inner, i = c % inner;
    const T *xs = x + o * n * inner + i;
    T *ys = y + o * n * inner + i;
    float maxv = -INFINITY;
    for (int64_t j = 0; j < n; ++j)
      maxv = fmaxf(maxv, toFloat(xs[j * inner]));
    float sum = 0;
    for (int64_t j = 0; j < n; ++j)
      sum += __expf(toFloat(xs[j * inner]) - maxv);
    float logSum = logf(sum), inv = 1.0f / sum;
    for (int64_t j = 0; j < n; ++j) {
      float v = toFloat(xs[j * inner]) - maxv;
      ys[j * inner] = fromFloat<T>(log ? v - logSum : __expf(v) * inv);
    }
  }
}

//===--- normalization ----------------------------------------------------===//

template <typename T>
__global__ void layerNormKernel(T *y, const T *x, const T *scale, const T *bias,
                                int64_t rows, int64_t cols, float epsilon) {
  __shared__ float scratch[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T *xr = x + row * cols;
    T *yr = y + row * cols;
    float sum = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
      sum += toFloat(xr[j]);
    float mean = blockReduce(sum, SumOp(), scratch) / float(cols);
    float sq = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      float d = toFloat(xr[j]) - mean;
      sq += d * d;
    }
    float var = blockReduce(sq, SumOp(), scratch) / float(cols);
    float inv = rsqrtf(var + epsilon);
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      float v = (toFloat(xr[j]) - mean) * inv * toFloat(scale[j]);
      if (bias)
        v += toFloat(bias[j]);
      yr[j] = fromFloat<T>(v);
    }
  }
}

template <typename T>
__global__ void rmsNormKernel(T *y, const T *x, const T *scale, int64_t rows,
                              int64_t cols, float epsilon) {
  __shared__ float scratch[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T *xr = x + row * cols;
    T *yr = y + row * cols;
    float sq = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      float v = toFloat(xr[j]);
      sq += v * v;
    }
    float inv =
        rsqrtf(blockReduce(sq, SumOp(), scratch) / float(cols) + epsilon);
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
      yr[j] = fromFloat<T>(toFloat(xr[j]) * inv * toFloat(scale[j]));
  }
}

//===--- reduce -----------------------------------------------------------===//

template <typename T, typename Op>
__global__ void reduceRowKernel(T *y, const T *x, int64_t rows, int64_t n,
                                Op op, bool mean) {
  __shared__ float scratch[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T *xr = x + row * n;
    float acc = Op::kIdentity;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
      acc = op(acc, toFloat(xr[j]));
    acc = blockReduce(acc, op, scratch);
    if (threadIdx.x == 0)
      y[row] = fromFloat<T>(mean && n > 0 ? acc / float(n) : acc);
  }
}

template <typename T, typename Op>
__global__ void reduceColumnKernel(T *y, const T *x, int64_t outer, int64_t n,
                                   int64_t inner, Op op, bool mean) {
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
       c < outer * inner; c += int64_t(gridDim.x) * blockDim.x) {
    int64_t o = c / inner, i = c % inner;
    const T *xs = x + o * n * inner + i;
    float acc = Op::kIdentity;
    for (int64_t j = 0; j < n; ++j)
      acc = op(acc, toFloat(xs[j * inner]));
    y[c] = fromFloat<T>(mean && n > 0 ? acc / float(n) : acc);
  }
}

template <typename T, typename Op>
void launchReduce(cudaStream_t stream, T *y, const T *x, int64_t outer,
                  int64_t n, int64_t inner, Op op, bool mean) {
  if (inner == 1)
    reduceRowKernel<T, Op>
        <<<rowGrid(outer), kThreads, 0, stream>>>(y, x, outer, n, op, mean);
  else
    reduceColumnKernel<T, Op><<<gridFor(outer * inner), kThreads, 0, stream>>>(
        y, x, outer, n, inner, op, mean);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

//===--- cross-entropy ----------------------------------------------------===//

// First bad label since the host last looked.
__device__ unsigned int gLabelFailed;
__device__ long long gLabelValue;
__device__ long long gLabelVocab;
__device__ long long gLabelIgnore;

/// rowLoss[r] = logsumexp(x_r) - x_r[label], 0 for ignored (and bad) rows.
/// The label is the same for the whole block, so skipping a row is uniform.
template <typename T>
__global__ void crossEntropyRowKernel(float *rowLoss, const T *logits,
                                      const int64_t *labels, int64_t rows,
                                      int64_t vocab, int64_t ignoreIndex) {
  __shared__ float scratch[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    int64_t label = labels[row];
    if (label == ignoreIndex || label < 0 || label >= vocab) {
      if (threadIdx.x == 0) {
        rowLoss[row] = 0;
        if (label != ignoreIndex && atomicCAS(&gLabelFailed, 0u, 1u) == 0u) {
          gLabelValue = label;
          gLabelVocab = vocab;
          gLabelIgnore = ignoreIndex;
        }
      }
      continue;
    }
    const T *xr = logits + row * vocab;
    float maxv, sum;
    rowMaxAndExpSum(xr, vocab, scratch, maxv, sum);
    // log(sum) - (x[label] - max): both terms stay small next to a large max.
    if (threadIdx.x == 0)
      rowLoss[row] = logf(sum) - (toFloat(xr[label]) - maxv);
  }
}

/// One block: the mean of rowLoss over the rows whose label is not ignored.
/// The count is a float sum of ones, exact up to 2^24 rows.
template <typename T>
__global__ void crossEntropyMeanKernel(T *loss, const float *rowLoss,
                                       const int64_t *labels, int64_t rows,
                                       int64_t ignoreIndex) {
  __shared__ float scratch[32];
  float sum = 0, count = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x)
    if (labels[r] != ignoreIndex) {
      sum += rowLoss[r];
      count += 1;
    }
  sum = blockReduce(sum, SumOp(), scratch);
  count = blockReduce(count, SumOp(), scratch);
  if (threadIdx.x == 0)
    *loss = fromFloat<T>(count > 0 ? sum / count : 0.0f);
}

//===--- helpers ----------------------------------------------------------===//

template <typename T> cudaDataType_t cudaTypeOf();
template <> cudaDataType_t cudaTypeOf<float>() { return CUDA_R_32F; }
template <> cudaDataType_t cudaTypeOf<__half>() { return CUDA_R_16F; }
template <> cudaDataType_t cudaTypeOf<__nv_bfloat16>() { return CUDA_R_16BF; }

cudaStream_t streamOf(Context &ctx) {
  return static_cast<cudaStream_t>(ctx.stream);
}

void checkIntDims(const char *kernel, int64_t a, int64_t b, int64_t c,
                  int64_t d) {
  if (a > INT_MAX || b > INT_MAX || c > INT_MAX || d > INT_MAX) {
    std::fprintf(stderr, "error: %s: dims %lld %lld %lld %lld exceed int\n",
                 kernel, static_cast<long long>(a), static_cast<long long>(b),
                 static_cast<long long>(c), static_cast<long long>(d));
    std::exit(1);
  }
}

} // namespace

bool takeLabelError(int64_t &label, int64_t &vocab, int64_t &ignoreIndex) {
  unsigned int failed = 0;
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&failed, gLabelFailed, sizeof(failed)));
  if (!failed)
    return false;
  long long l = 0, v = 0, ig = 0;
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&l, gLabelValue, sizeof(l)));
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&v, gLabelVocab, sizeof(v)));
  PPRT_CUDA_CHECK(cudaMemcpyFromSymbol(&ig, gLabelIgnore, sizeof(ig)));
  unsigned int zero = 0;
  PPRT_CUDA_CHECK(cudaMemcpyToSymbol(gLabelFailed, &zero, sizeof(zero)));
  label = l;
  vocab = v;
  ignoreIndex = ig;
  return true;
}

/// C = alpha op(A) op(B) + beta C through cuBLAS. cuBLAS is column-major:
/// row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, so B
/// goes first and m, n swap.
template <typename T>
void gemm(Context &ctx, T *c, const T *a, const T *b, int64_t batch, int64_t m,
          int64_t n, int64_t k, int64_t strideA, int64_t strideB,
          int64_t strideC, bool transA, bool transB, float alpha, float beta) {
  checkIntDims("matmul", batch, m, n, k);
  int lda = static_cast<int>(transA ? m : k);
  int ldb = static_cast<int>(transB ? k : n);
  cudaDataType_t type = cudaTypeOf<T>();
  PPRT_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      blasOf(ctx).blas, transB ? CUBLAS_OP_T : CUBLAS_OP_N,
      transA ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(n),
      static_cast<int>(m), static_cast<int>(k), &alpha, b, type, ldb, strideB,
      a, type, lda, strideA, &beta, c, type, static_cast<int>(n), strideC,
      static_cast<int>(batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

template <typename T>
void matmul(Context &ctx, T *c, const T *a, const T *b, int64_t batch,
            int64_t m, int64_t n, int64_t k, int64_t strideA, int64_t strideB,
            int64_t strideC, bool transA, bool transB) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  if (k <= 0) {
    for (int64_t i = 0; i < batch; ++i)
      PPRT_CUDA_CHECK(
          cudaMemsetAsync(c + i * strideC, 0, sizeof(T) * m * n, stream));
    return;
  }
  gemm(ctx, c, a, b, batch, m, n, k, strideA, strideB, strideC, transA, transB,
       1.0f, 0.0f);
}

/// c = bias (per row) + addend (one m x n matrix per batch entry,
/// addendStride apart), either optional: what matmulAdd's GEMM then
/// accumulates into (beta 1). Summed in float.
template <typename T>
__global__ void prefillKernel(T *c, const T *bias, const T *addend,
                              int64_t addendStride, int64_t total,
                              int64_t matrix, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total;
       i += (int64_t)blockDim.x * gridDim.x) {
    float v = bias ? toFloat(bias[i % n]) : 0.0f;
    if (addend)
      v += toFloat(addend[(i / matrix) * addendStride + i % matrix]);
    c[i] = fromFloat<T>(v);
  }
}

template <typename T>
void matmulAdd(Context &ctx, T *c, const T *a, const T *b, float alpha,
               const T *bias, const T *addend, int64_t addendStride,
               int64_t batch, int64_t m, int64_t n, int64_t k, int64_t strideA,
               int64_t strideB, bool transA, bool transB) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  // One cuBLASLt call (bias epilogue, addend as C) when it can; the addend
  // broadcast over the batch (addendStride 0) is not a C layout it takes.
  if (k > 0 && (!addend || addendStride == m * n) &&
      ltMatmulAdd(ctx, {cudaTypeOf<T>(), c, a, b, alpha, bias, addend, batch,
                        m, n, k, strideA, strideB, transA, transB}))
    return;
  cudaStream_t stream = streamOf(ctx);
  int64_t total = batch * m * n;
  prefillKernel<T><<<gridFor(total), kThreads, 0, stream>>>(
      c, bias, addend, addendStride, total, m * n, n);
  PPRT_CUDA_CHECK(cudaGetLastError());
  if (k > 0)
    gemm(ctx, c, a, b, batch, m, n, k, strideA, strideB, m * n, transA, transB,
         alpha, 1.0f);
}

template <typename T>
void softmax(Context &ctx, T *y, const T *x, int64_t outer, int64_t n,
             int64_t inner, bool log) {
  if (outer <= 0 || n <= 0 || inner <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  if (inner == 1)
    softmaxRowKernel<T>
        <<<rowGrid(outer), kThreads, 0, stream>>>(y, x, outer, n, log);
  else
    softmaxColumnKernel<T><<<gridFor(outer * inner), kThreads, 0, stream>>>(
        y, x, outer, n, inner, log);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

template <typename T>
void layerNorm(Context &ctx, T *y, const T *x, const T *scale, const T *bias,
               int64_t rows, int64_t cols, float epsilon) {
  if (rows <= 0 || cols <= 0)
    return;
  layerNormKernel<T><<<rowGrid(rows), kThreads, 0, streamOf(ctx)>>>(
      y, x, scale, bias, rows, cols, epsilon);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

template <typename T>
void rmsNorm(Context &ctx, T *y, const T *x, const T *scale, int64_t rows,
             int64_t cols, float epsilon) {
  if (rows <= 0 || cols <= 0)
    return;
  rmsNormKernel<T><<<rowGrid(rows), kThreads, 0, streamOf(ctx)>>>(
      y, x, scale, rows, cols, epsilon);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

template <typename T>
void reduce(Context &ctx, T *y, const T *x, int64_t outer, int64_t n,
            int64_t inner, ReduceKind kind) {
  if (outer <= 0 || inner <= 0)
    return;
  cudaStream_t stream = streamOf(ctx);
  switch (kind) {
  case ReduceKind::Sum:
    return launchReduce(stream, y, x, outer, n, inner, SumOp(), false);
  case ReduceKind::Mean:
    return launchReduce(stream, y, x, outer, n, inner, SumOp(), true);
  case ReduceKind::Max:
    return launchReduce(stream, y, x, outer, n, inner, MaxOp(), false);
  case ReduceKind::Min:
    return launchReduce(stream, y, x, outer, n, inner, MinOp(), false);
  case ReduceKind::Prod:
    return launchReduce(stream, y, x, outer, n, inner, ProdOp(), false);
  }
}

template <typename T>
void crossEntropy(Context &ctx, T *loss, const T *logits, const int64_t *labels,
                  float *rowLoss, int64_t rows, int64_t vocab,
                  int64_t ignoreIndex) {
  cudaStream_t stream = streamOf(ctx);
  // Rows run even when vocab is 0: every label that is not ignored is then
  // out of range, and the row kernel is what reports it.
  if (rows > 0) {
    crossEntropyRowKernel<T><<<rowGrid(rows), kThreads, 0, stream>>>(
        rowLoss, logits, labels, rows, vocab, ignoreIndex);
    PPRT_CUDA_CHECK(cudaGetLastError());
  }
  crossEntropyMeanKernel<T><<<1, kThreads, 0, stream>>>(
      loss, rowLoss, labels, rows > 0 ? rows : 0, ignoreIndex);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

#define PPRT_INSTANTIATE(T)                                                    \
  template void matmul<T>(Context &, T *, const T *, const T *, int64_t,       \
                          int64_t, int64_t, int64_t, int64_t, int64_t,         \
                          int64_t, bool, bool);                                \
  template void matmulAdd<T>(Context &, T *, const T *, const T *, float,      \
                             const T *, const T *, int64_t, int64_t, int64_t,  \
                             int64_t, int64_t, int64_t, int64_t, bool, bool);  \
  template void softmax<T>(Context &, T *, const T *, int64_t, int64_t,        \
                           int64_t, bool);                                     \
  template void layerNorm<T>(Context &, T *, const T *, const T *, const T *,  \
                             int64_t, int64_t, float);                         \
  template void rmsNorm<T>(Context &, T *, const T *, const T *, int64_t,      \
                           int64_t, float);                                    \
  template void reduce<T>(Context &, T *, const T *, int64_t, int64_t,         \
                          int64_t, ReduceKind);                                \
  template void crossEntropy<T>(Context &, T *, const T *, const int64_t *,    \
                                float *, int64_t, int64_t, int64_t);
PPRT_INSTANTIATE(float)
PPRT_INSTANTIATE(__half)
PPRT_INSTANTIATE(__nv_bfloat16)
#undef PPRT_INSTANTIATE

} // namespace pprt::cuda
