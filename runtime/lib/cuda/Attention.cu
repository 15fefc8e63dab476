//===- Attention.cu - cuda fused attention --------------------------------===//
//
// One warp per query row (of one batch entry and head), four warps a
// block. The warp takes the keys 32 at a time, one per lane: each lane
// computes its key's score against the query (held in shared memory), the
// warp folds the 32 scores into its running max and sum (online softmax),
// and then every lane accumulates the weighted values for its share of the
// output columns. The scores are never stored, and q, k, v and the output
// are read and written through their strides, as on the cpu
// (runtime/lib/cpu/Attention.cpp). Arithmetic is in float for every
// storage type.
//
//===----------------------------------------------------------------------===//

#include "FloatConvert.h"
#include "pprt/CudaCheck.h"
#include "pprt/Kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace pprt::cuda {

namespace {

constexpr int kWarps = 4;
constexpr unsigned kFullMask = 0xffffffffu;

__device__ __forceinline__ float warpMax(float x) {
  for (int o = 16; o > 0; o /= 2)
    x = fmaxf(x, __shfl_xor_sync(kFullMask, x, o));
  return x;
}

__device__ __forceinline__ float warpSum(float x) {
  for (int o = 16; o > 0; o /= 2)
    x += __shfl_xor_sync(kFullMask, x, o);
  return x;
}

template <typename T>
__global__ void attentionKernel(T *out, const T *q, const T *k, const T *v,
                                const T *addend, const bool *keep, float scale,
                                float fill, AttentionShape s) {
  // Per warp: the query, the output accumulator, the 32 weights.
  extern __shared__ float shared[];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  float *query = shared + warp * (s.depth + s.valueDepth + 32);
  float *acc = query + s.depth;
  float *weights = acc + s.valueDepth;
  const int64_t rows = s.batch * s.heads * s.queries;
  const int64_t row = int64_t(blockIdx.x) * kWarps + warp;
  if (row >= rows)
    return;
  const int64_t i = row % s.queries, bh = row / s.queries;
  const int64_t h = bh % s.heads, b = bh / s.heads, kvHead = h / s.kvGroup;
  const T *qs = q + b * s.q[0] + h * s.q[1] + i * s.q[2];
  const T *ks = k + b * s.k[0] + kvHead * s.k[1];
  const T *vs = v + b * s.v[0] + kvHead * s.v[1];
  for (int64_t c = lane; c < s.depth; c += 32)
    query[c] = toFloat(qs[c * s.q[3]]);
  for (int64_t c = lane; c < s.valueDepth; c += 32)
    acc[c] = 0.0f;
  __syncwarp();

  const int64_t keyEnd =
      s.causal ? min(s.keys, i + s.keys - s.queries + 1) : s.keys;
  float max = -INFINITY, sum = 0.0f;
  for (int64_t j0 = 0; j0 < keyEnd; j0 += 32) {
    const int64_t j = j0 + lane;
    float score = -INFINITY;
    if (j < keyEnd) {
      float dot = 0.0f;
      for (int64_t c = 0; c < s.depth; ++c)
        dot += query[c] * toFloat(ks[j * s.k[2] + c * s.k[3]]);
      float x = scale * dot;
      float add = addend ? toFloat(addend[b * s.addend[0] + h * s.addend[1] +
                                          i * s.addend[2] + j * s.addend[3]])
                         : 0.0f;
      bool kept =
          !keep ||
          keep[b * s.keep[0] + h * s.keep[1] + i * s.keep[2] + j * s.keep[3]] !=
              s.invertKeep;
      score = s.selectFirst ? (kept ? x : fill) + add : (kept ? x + add : fill);
    }
    const float newMax = fmaxf(max, warpMax(score));
    // Only -inf so far: no weight yet (as on the cpu).
    if (newMax == -INFINITY)
      continue;
    const float weight = j < keyEnd ? expf(score - newMax) : 0.0f;
    const float correction = max == -INFINITY ? 0.0f : expf(max - newMax);
    sum = sum * correction + warpSum(weight);
    max = newMax;
    weights[lane] = weight;
    __syncwarp();
    const int64_t n = min(int64_t(32), keyEnd - j0);
    for (int64_t c = lane; c < s.valueDepth; c += 32) {
      float a = acc[c] * correction;
      for (int64_t t = 0; t < n; ++t)
        a += weights[t] * toFloat(vs[(j0 + t) * s.v[2] + c * s.v[3]]);
      acc[c] = a;
    }
    __syncwarp();
  }
  T *os = out + b * s.out[0] + h * s.out[1] + i * s.out[2];
  for (int64_t c = lane; c < s.valueDepth; c += 32)
    os[c * s.out[3]] = fromFloat<T>(acc[c] / sum);
}

} // namespace

template <typename T>
void attention(Context &ctx, T *out, const T *q, const T *k, const T *v,
               const T *addend, const bool *keep, float scale, float fill,
               const AttentionShape &shape) {
  const int64_t rows = shape.batch * shape.heads * shape.queries;
  if (rows == 0)
    return;
  const size_t sharedBytes =
      kWarps * (shape.depth + shape.valueDepth + 32) * sizeof(float);
  attentionKernel<T><<<unsigned((rows + kWarps - 1) / kWarps), kWarps * 32,
                       sharedBytes, static_cast<cudaStream_t>(ctx.stream)>>>(
      out, q, k, v, addend, keep, scale, fill, shape);
  PPRT_CUDA_CHECK(cudaGetLastError());
}

#define PPRT_INSTANTIATE(T)                                                    \
  template void attention<T>(Context &, T *, const T *, const T *, const T *,  \
                             const T *, const bool *, float, float,            \
                             const AttentionShape &);
PPRT_INSTANTIATE(float)
PPRT_INSTANTIATE(__half)
PPRT_INSTANTIATE(__nv_bfloat16)
#undef PPRT_INSTANTIATE

} // namespace pprt::cuda
