// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// A chain of elementwise ops is one loop: leaves of the result's layout are
// read at i, broadcast leaves at the coordinates they span, splat
// constants are literals; the ops read by nothing else fuse into it. On cpu
// a loop with broadcast leaves walks rows (here 2 of 4), each row's offsets
// computed once (elementwise-cpu-loops.mlir has more).

// CHECK:       // Fused: add0 (pp.add) mul0 (pp.mul) where0 (pp.select)
// CPU-NEXT:    void fused0(const bool *__restrict__ p0, const float *__restrict__ p1, const float *__restrict__ p2, float *__restrict__ out) {
// CPU-NEXT:    #pragma omp parallel for schedule(static) if (8 >= pprt::kParallelMinElements)
// CPU-NEXT:      for (int64_t r = 0; r < 2; ++r) {
// CPU-NEXT:        int64_t rest = r;
// CPU-NEXT:        int64_t c0 = rest % 2; rest /= 2;
// CPU-NEXT:        (void)rest;
// CPU-NEXT:        const int64_t base0 = c0 * 1;
// CPU-NEXT:        const int64_t base2 = 0;
// CPU-NEXT:    #pragma omp simd
// CPU-NEXT:        for (int64_t j = 0; j < 4; ++j) {
// CPU-NEXT:          const int64_t i = r * 4 + j;
// CPU-NEXT:          bool leaf0 = (bool)p0[base0];
// CPU-NEXT:          float leaf1 = (float)p1[i];
// CPU-NEXT:          float leaf2 = (float)p2[base2 + j];
// CPU-NEXT:          float result;
// CPU-NEXT:          float t0 = leaf1 + leaf2;
// CPU-NEXT:          float t1 = t0 * 2.0f;
// CPU-NEXT:          float t2 = (leaf0 ? t1 : leaf1);
// CPU-NEXT:          result = t2;
// CPU-NEXT:          out[i] = (float)result;
// CPU-NEXT:        }
// CPU-NEXT:      }
// CPU-NEXT:    }
// CUDA-NEXT:   __global__ void fused0(const bool *__restrict__ p0, const float *__restrict__ p1, const float *__restrict__ p2, float *__restrict__ out) {
// CUDA-NEXT:     for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < 8; i += (int64_t)blockDim.x * gridDim.x) {
// CUDA-NEXT:      int64_t rest = i;
// CUDA-NEXT:      int64_t c1 = rest % 4; rest /= 4;
// CUDA-NEXT:      int64_t c0 = rest % 2; rest /= 2;
// CUDA-NEXT:      (void)rest;
// CUDA-NEXT:      bool leaf0 = (bool)p0[c0];
// CUDA-NEXT:      float leaf1 = (float)p1[i];
// CUDA-NEXT:      float leaf2 = (float)p2[c1];
// CUDA-NEXT:      float result;
// CUDA-NEXT:      float t0 = leaf1 + leaf2;
// CUDA-NEXT:      float t1 = t0 * 2.0f;
// CUDA-NEXT:      float t2 = (leaf0 ? t1 : leaf1);
// CUDA-NEXT:      result = t2;
// CUDA-NEXT:      out[i] = (float)result;
// CUDA-NEXT:    }
// CUDA-NEXT:  }
// CHECK-LABEL: void runModel(
// CHECK:       // where0: pp.select
// CPU-NEXT:    fused0((const bool *)inputs[2], (const float *)inputs[0], (const float *)inputs[1], (float *)outputs[0]);
// CUDA-NEXT:   fused0<<<1, 256, 0, (cudaStream_t)ctx.stream>>>((const bool *)inputs[2], (const float *)inputs[0], (const float *)inputs[1], (float *)outputs[0]);
// CUDA-NEXT:   PPRT_CUDA_CHECK(cudaGetLastError());

func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}, %b: tensor<4xf32> {pp.name = "b"}, %m: tensor<2x1xi1> {pp.name = "m"}) -> (tensor<2x4xf32> {pp.name = "y"}) {
  %c = pp.constant dense<2.0> : tensor<f32>
  %0 = pp.add %x, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc("add0")
  %1 = pp.mul %0, %c : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32> loc("mul0")
  %2 = pp.select %m, %1, %x : (tensor<2x1xi1>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("where0")
  return %2 : tensor<2x4xf32>
}
