// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// pp.matmul is one matmul call: (out, a, b, batch, rows, cols, inner,
// strideA, strideB, strideC, transA, transB). One weight matrix for a batch
// of activations is one taller GEMM (batch 1, 2*3 rows); a matrix per batch
// entry is a strided batch.

// CHECK-LABEL: void runModel(
// CHECK:       // gemm: pp.matmul
// CPU-NEXT:    pprt::cpu::matmul(ctx, (float *)outputs[0], (const float *)inputs[0], (const float *)weights[0], 1, 6, 5, 4, 0, 0, 30, false, false);
// CUDA-NEXT:   pprt::cuda::matmul(ctx, (float *)outputs[0], (const float *)inputs[0], (const float *)weights[0], 1, 6, 5, 4, 0, 0, 30, false, false);
// CHECK-NEXT:  // batched: pp.matmul
// CPU-NEXT:    pprt::cpu::matmul(ctx, (float *)outputs[1], (const float *)inputs[0], (const float *)inputs[1], 2, 3, 5, 4, 12, 20, 15, false, false);
// CUDA-NEXT:   pprt::cuda::matmul(ctx, (float *)outputs[1], (const float *)inputs[0], (const float *)inputs[1], 2, 3, 5, 4, 12, 20, 15, false, false);

func.func @main(%x: tensor<2x3x4xf32> {pp.name = "x"}, %y: tensor<2x4x5xf32> {pp.name = "y"}) -> (tensor<2x3x5xf32> {pp.name = "xw"}, tensor<2x3x5xf32> {pp.name = "xy"}) {
  %w = pp.weight "w" from "model.onnx" offset 0 : tensor<4x5xf32> loc("w")
  %0 = pp.matmul %x, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32> loc("gemm")
  %1 = pp.matmul %x, %y : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32> loc("batched")
  return %0, %1 : tensor<2x3x5xf32>, tensor<2x3x5xf32>
}
