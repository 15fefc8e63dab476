// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// A chain of elementwise ops is one loop: leaves of the result's shape are
// read at i, broadcast leaves at the coordinates they span, splat
// constants are literals; the ops read by nothing else fuse into it.

// CHECK:       // Fused: add0 (pp.add) mul0 (pp.mul) where0 (pp.select)
// CPU-NEXT:    void fused0(const bool *__restrict__ p0, const float *__restrict__ p1, const float *__restrict__ p2, float *__restrict__ out) {
// CPU-NEXT:      for (int64_t i = 0; i < 8; ++i) {
// CUDA-NEXT:   __global__ void fused0(const bool *__restrict__ p0, const float *__restrict__ p1, const float *__restrict__ p2, float *__restrict__ out) {
// CUDA-NEXT:     for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < 8; i += (int64_t)blockDim.x * gridDim.x) {
// CHECK-NEXT:      int64_t rest = i;
// CHECK-NEXT:      int64_t c1 = rest % 4; rest /= 4;
// CHECK-NEXT:      int64_t c0 = rest % 2; rest /= 2;
// CHECK-NEXT:      (void)rest;
// CHECK-NEXT:      bool leaf0 = (bool)p0[c0 * 1];
// CHECK-NEXT:      float leaf1 = (float)p1[i];
// CHECK-NEXT:      float leaf2 = (float)p2[c1 * 1];
// CHECK-NEXT:      float result;
// CHECK-NEXT:      float t0 = leaf1 + leaf2;
// CHECK-NEXT:      float t1 = t0 * 2.0f;
// CHECK-NEXT:      float t2 = (leaf0 ? t1 : leaf1);
// CHECK-NEXT:      result = t2;
// CHECK-NEXT:      out[i] = (float)result;
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-LABEL: void runModel(
// CHECK:       // where0: pp.select
// CPU-NEXT:    fused0((const bool *)inputs[2], (const float *)inputs[0], (const float *)inputs[1], (float *)(arena + 0));
// CUDA-NEXT:   fused0<<<1, 256, 0, (cudaStream_t)ctx.stream>>>((const bool *)inputs[2], (const float *)inputs[0], (const float *)inputs[1], (float *)(arena + 0));
// CUDA-NEXT:   PPRT_CUDA_CHECK(cudaGetLastError());

func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}, %b: tensor<4xf32> {pp.name = "b"}, %m: tensor<2x1xi1> {pp.name = "m"}) -> (tensor<2x4xf32> {pp.name = "y"}) {
  %c = pp.constant dense<2.0> : tensor<f32>
  %0 = pp.add %x, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc("add0")
  %1 = pp.mul %0, %c : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32> loc("mul0")
  %2 = pp.select %m, %1, %x : (tensor<2x1xi1>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("where0")
  return %2 : tensor<2x4xf32>
}
