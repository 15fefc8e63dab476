// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// pp.scatter_add is one scatterAdd call: (out, updates, indices, outer,
// result dim size, inner, index count), the shape of gather's call with the
// result in the place of gather's table.

// CHECK-LABEL: void runModel(
// CHECK:       // embedding_grad: pp.scatter_add
// CPU-NEXT:    pprt::cpu::scatterAdd(ctx, (float *)outputs[0], (const float *)inputs[0], (const int64_t *)inputs[1], 1, 10, 4, 6);
// CUDA-NEXT:   pprt::cuda::scatterAdd(ctx, (float *)outputs[0], (const float *)inputs[0], (const int64_t *)inputs[1], 1, 10, 4, 6);
// CHECK-NEXT:  // middle_dim: pp.scatter_add
// CPU-NEXT:    pprt::cpu::scatterAdd(ctx, (float *)outputs[1], (const float *)inputs[2], (const int64_t *)inputs[3], 2, 5, 3, 4);
// CUDA-NEXT:   pprt::cuda::scatterAdd(ctx, (float *)outputs[1], (const float *)inputs[2], (const int64_t *)inputs[3], 2, 5, 3, 4);

func.func @main(%dy: tensor<2x3x4xf32> {pp.name = "dy"}, %ids: tensor<2x3xi64> {pp.name = "ids"}, %u: tensor<2x4x3xf32> {pp.name = "u"}, %idx: tensor<4xi64> {pp.name = "idx"}) -> (tensor<10x4xf32> {pp.name = "dwte"}, tensor<2x5x3xf32> {pp.name = "dx"}) {
  %0 = pp.scatter_add %dy[%ids] dim 0 : (tensor<2x3x4xf32>, tensor<2x3xi64>) -> tensor<10x4xf32> loc("embedding_grad")
  %1 = pp.scatter_add %u[%idx] dim 1 : (tensor<2x4x3xf32>, tensor<4xi64>) -> tensor<2x5x3xf32> loc("middle_dim")
  return %0, %1 : tensor<10x4xf32>, tensor<2x5x3xf32>
}
