// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefix=CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefix=CUDA < %t/cuda/src/program.cu

// How fused loops walk memory and which math they call.
// - Operands of the result's shape: one flat loop, split over the OpenMP
//   team above kParallelMinElements and vectorised (cpu).
// - A bias broadcast over [2, 3, 4]: dims 0 and 1 merge (rows of 4), each
//   row's offset computed once, the row vectorised; cuda keeps one thread
//   per element with coordinates over the merged dims.
// - Float exp, tanh and erf are VecMath.h's on cpu, libm's on cuda; x^3 is
//   a product on both.

// CPU:       // Fused: gelu_cube (pp.pow) gelu_tanh (pp.tanh) gelu_erf (pp.erf) gelu_sum (pp.add) gelu_exp (pp.exp) gelu_sum2 (pp.add)
// CPU-NEXT:  void fused0(const float *__restrict__ p0, float *__restrict__ out) {
// CPU-NEXT:  #pragma omp parallel for simd schedule(static) if (24 >= pprt::kParallelMinElements)
// CPU-NEXT:    for (int64_t i = 0; i < 24; ++i) {
// CPU-NEXT:      float leaf0 = (float)p0[i];
// CPU-NEXT:      float result;
// CPU-NEXT:      float t0 = (leaf0 * leaf0 * leaf0);
// CPU-NEXT:      float t1 = pprt::vtanhf(t0);
// CPU-NEXT:      float t2 = pprt::verff(leaf0);
// CPU-NEXT:      float t3 = t1 + t2;
// CPU-NEXT:      float t4 = pprt::vexpf(leaf0);
// CPU-NEXT:      float t5 = t3 + t4;
// CPU-NEXT:      result = t5;
// CPU-NEXT:      out[i] = (float)result;
// CPU-NEXT:    }
// CPU-NEXT:  }

// CPU:       // Fused: bias_add (pp.add)
// CPU-NEXT:  void fused1(const float *__restrict__ p0, const float *__restrict__ p1, float *__restrict__ out) {
// CPU-NEXT:  #pragma omp parallel for schedule(static) if (24 >= pprt::kParallelMinElements)
// CPU-NEXT:    for (int64_t r = 0; r < 6; ++r) {
// CPU-NEXT:      int64_t rest = r;
// CPU-NEXT:      rest /= 6;
// CPU-NEXT:      (void)rest;
// CPU-NEXT:      const int64_t base1 = 0;
// CPU-NEXT:  #pragma omp simd
// CPU-NEXT:      for (int64_t j = 0; j < 4; ++j) {
// CPU-NEXT:        const int64_t i = r * 4 + j;
// CPU-NEXT:        float leaf0 = (float)p0[i];
// CPU-NEXT:        float leaf1 = (float)p1[base1 + j];
// CPU-NEXT:        float result;
// CPU-NEXT:        float t0 = leaf0 + leaf1;
// CPU-NEXT:        result = t0;
// CPU-NEXT:        out[i] = (float)result;
// CPU-NEXT:      }
// CPU-NEXT:    }
// CPU-NEXT:  }

// CUDA:      float t0 = (leaf0 * leaf0 * leaf0);
// CUDA-NEXT: float t1 = tanhf(t0);
// CUDA-NEXT: float t2 = erff(leaf0);
// CUDA:      float t4 = expf(leaf0);
// CUDA:      // Fused: bias_add (pp.add)
// CUDA:        int64_t rest = i;
// CUDA-NEXT:   int64_t c1 = rest % 4; rest /= 4;
// CUDA-NEXT:   rest /= 6;
// CUDA-NEXT:   (void)rest;
// CUDA-NEXT:   float leaf0 = (float)p0[i];
// CUDA-NEXT:   float leaf1 = (float)p1[c1];

func.func @main(%x: tensor<2x3x4xf32> {pp.name = "x"}, %b: tensor<4xf32> {pp.name = "b"}) -> (tensor<2x3x4xf32> {pp.name = "y"}, tensor<2x3x4xf32> {pp.name = "z"}) {
  %three = pp.constant dense<3.0> : tensor<f32>
  %0 = pp.pow %x, %three : (tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32> loc("gelu_cube")
  %1 = pp.tanh %0 : tensor<2x3x4xf32> loc("gelu_tanh")
  %2 = pp.erf %x : tensor<2x3x4xf32> loc("gelu_erf")
  %3 = pp.add %1, %2 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32> loc("gelu_sum")
  %4 = pp.exp %x : tensor<2x3x4xf32> loc("gelu_exp")
  %5 = pp.add %3, %4 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32> loc("gelu_sum2")
  %6 = pp.add %x, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32> loc("bias_add")
  return %5, %6 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}
