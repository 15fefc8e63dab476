// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// A matmul read only by adds of a per-column bias and of a value laid out
// like its result does those adds itself (matmulAdd: oneDNN's bias and
// post-op, or a GEMM accumulating into them), where the adds would have
// run: no loop over the result. A matmul read twice, or added to something
// else, stays a matmul and a loop.

// CHECK-LABEL: void runModel(
// CHECK:       // proj_residual: pp.add
// CPU-NEXT:    pprt::cpu::matmulAdd(ctx, (float *)outputs[0], (const float *)inputs[0], (const float *)weights[0], 1.0f, (const float *)weights[1], (const float *)inputs[1], 32, 1, 8, 4, 4, 0, 0, false, false);
// CUDA-NEXT:   pprt::cuda::matmulAdd(ctx, (float *)outputs[0], (const float *)inputs[0], (const float *)weights[0], 1.0f, (const float *)weights[1], (const float *)inputs[1], 32, 1, 8, 4, 4, 0, 0, false, false);
// CHECK-NEXT:  // gate: pp.matmul
// CHECK-NEXT:  pprt::{{cpu|cuda}}::matmul(ctx, (float *)(arena + 0), (const float *)outputs[0], (const float *)weights[0], 1, 8, 4, 4, 0, 0, 32, false, false);
// CHECK-NEXT:  // gate_mul: pp.mul
// CHECK-NEXT:  fused0
// CHECK:       // bias_only: pp.add
// CHECK-NEXT:  pprt::{{cpu|cuda}}::matmulAdd(ctx, (float *)outputs[2], (const float *)outputs[1], (const float *)weights[0], 1.0f, (const float *)weights[1], (const float *)nullptr, 32, 1, 8, 4, 4, 0, 0, false, false);
// CHECK-NEXT:  // up: pp.matmul
// CHECK-NEXT:  pprt::{{cpu|cuda}}::matmul(ctx,
// CHECK-NEXT:  // up_square: pp.add
// CHECK-NEXT:  fused1
// CHECK:       // masked: pp.add
// CHECK-NEXT:  pprt::{{cpu|cuda}}::matmulAdd(ctx, {{.*}}, (const float *)inputs[0], (const float *)inputs[1], 0.125f, (const float *)nullptr, (const float *)weights[2], 0, 2, 4, 4, 4, 16, 16, false, false);
// CHECK-NOT:   matmulAdd

func.func @main(%x: tensor<2x4x4xf32> {pp.name = "x"}, %r: tensor<2x4x4xf32> {pp.name = "r"}) -> (tensor<2x4x4xf32> {pp.name = "y"}, tensor<2x4x4xf32> {pp.name = "g"}, tensor<2x4x4xf32> {pp.name = "h"}, tensor<2x4x4xf32> {pp.name = "u"}, tensor<2x4x4xf32> {pp.name = "s"}) {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
  %b = pp.weight "b" from "m.onnx" offset 64 : tensor<4xf32>
  %0 = pp.matmul %x, %w : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32> loc("proj")
  %1 = pp.add %0, %b : (tensor<2x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4xf32> loc("proj_bias")
  %2 = pp.add %1, %r : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32> loc("proj_residual")
  // Read twice: its own loop.
  %3 = pp.matmul %2, %w : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32> loc("gate")
  %4 = pp.add %3, %b : (tensor<2x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4xf32> loc("gate_bias")
  %5 = pp.sigmoid %3 : tensor<2x4x4xf32> loc("gate_sigmoid")
  %6 = pp.mul %4, %5 : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32> loc("gate_mul")
  %7 = pp.matmul %6, %w : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32> loc("down")
  %8 = pp.add %7, %b : (tensor<2x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4xf32> loc("bias_only")
  // Added to a product: a loop.
  %9 = pp.matmul %8, %w : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32> loc("up")
  %10 = pp.mul %8, %8 : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32> loc("square")
  %11 = pp.add %9, %10 : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32> loc("up_square")
  // Scaled scores plus a mask shared by the batch: alpha, addend stride 0.
  %mask = pp.weight "mask" from "m.onnx" offset 128 : tensor<4x4xf32>
  %scale = pp.constant dense<0.125> : tensor<f32>
  %12 = pp.matmul %x, %r : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32> loc("scores")
  %s = pp.mul %12, %scale : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32> loc("scaled")
  %13 = pp.add %s, %mask : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32> loc("masked")
  return %2, %6, %8, %11, %13 : tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>
}
