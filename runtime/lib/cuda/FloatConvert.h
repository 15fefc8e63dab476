//===- FloatConvert.h - cuda kernels' element types to float ----*- C++ -*-===//
//
// The kernels store float, __half or __nv_bfloat16 and compute in float.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CUDA_FLOATCONVERT_H
#define PPRT_LIB_CUDA_FLOATCONVERT_H

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace pprt::cuda {

__device__ __forceinline__ float toFloat(float v) { return v; }
__device__ __forceinline__ float toFloat(__half v) { return __half2float(v); }
__device__ __forceinline__ float toFloat(__nv_bfloat16 v) {
  return __bfloat162float(v);
}

template <typename T> __device__ __forceinline__ T fromFloat(float v);
template <> __device__ __forceinline__ float fromFloat<float>(float v) {
  return v;
}
template <> __device__ __forceinline__ __half fromFloat<__half>(float v) {
  return __float2half_rn(v);
}
template <>
__device__ __forceinline__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

} // namespace pprt::cuda

#endif // PPRT_LIB_CUDA_FLOATCONVERT_H
