// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// A constant is a file-scope array, read in place on cpu and copied into
// the arena on cuda (from a device copy made on the first run, so that a
// CUDA graph can capture the copy); a splat read only by elementwise loops
// is a literal.

// CHECK:       // table
// CHECK-NEXT:  alignas(64) const float kConst0[3] = {0.5f, -1.0f, 3.0f};
// CHECK:       // offsets
// CHECK-NEXT:  alignas(64) const int64_t kConst1[3] = {(int64_t)7LL, (int64_t)-2LL, (int64_t)9LL};
// CHECK:       float t1 = t0 + 0.25f;
// CHECK-LABEL: void runModel(
// CPU:         fused2((const float *)inputs[0], (const float *)(void *)kConst0, (float *)outputs[0]);
// CPU:         fused3((const int64_t *)inputs[1], (const int64_t *)(void *)kConst1, (int64_t *)outputs[1]);
// CUDA:        // table: constant into the arena
// CUDA-NEXT:   pprt::cuda::uploadConstant(ctx, (arena + 0), kConst0, sizeof(kConst0));
// CUDA:        fused2<<<1, 256, 0, (cudaStream_t)ctx.stream>>>((const float *)inputs[0], (const float *)(arena + 0), (float *)outputs[0]);

func.func @main(%x: tensor<2x3xf32> {pp.name = "x"}, %i: tensor<3xi64> {pp.name = "i"}) -> (tensor<2x3xf32> {pp.name = "y"}, tensor<3xi64> {pp.name = "j"}) {
  %c = pp.constant dense<[0.5, -1.0, 3.0]> : tensor<3xf32> loc("table")
  %k = pp.constant dense<[7, -2, 9]> : tensor<3xi64> loc("offsets")
  %s = pp.constant dense<0.25> : tensor<f32> loc("scale")
  %0 = pp.mul %x, %c : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("mul")
  %1 = pp.add %0, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32> loc("add")
  %2 = pp.transpose %k perm [0] : tensor<3xi64> -> tensor<3xi64> loc("copy")
  %3 = pp.add %i, %2 : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64> loc("shift")
  return %1, %3 : tensor<2x3xf32>, tensor<3xi64>
}
