// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s < %t/cpu/src/program.cpp

// In f64 the adds still go into the GEMM, but a constant factor does not:
// the kernels take alpha as a float, which would round 0.1.

// CHECK-LABEL: void runModel(
// CHECK:       // plain: pp.add
// CHECK-NEXT:  pprt::cpu::matmulAdd(ctx, {{.*}}, 1.0f, (const double *)nullptr, (const double *)inputs[1], 32, 1, 8, 4, 4, 0, 0, false, false);
// CHECK:       // scaled: pp.matmul
// CHECK-NEXT:  pprt::cpu::matmul(ctx,
// CHECK:       // scaled_add: pp.add
// CHECK-NEXT:  fused0(

func.func @main(%x: tensor<2x4x4xf64> {pp.name = "x"}, %r: tensor<2x4x4xf64> {pp.name = "r"}) -> (tensor<2x4x4xf64> {pp.name = "y"}, tensor<2x4x4xf64> {pp.name = "z"}) {
  %tenth = pp.constant dense<0.1> : tensor<f64>
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf64>
  %0 = pp.matmul %x, %w : (tensor<2x4x4xf64>, tensor<4x4xf64>) -> tensor<2x4x4xf64> loc("plain_mm")
  %1 = pp.add %0, %r : (tensor<2x4x4xf64>, tensor<2x4x4xf64>) -> tensor<2x4x4xf64> loc("plain")
  %2 = pp.matmul %1, %w : (tensor<2x4x4xf64>, tensor<4x4xf64>) -> tensor<2x4x4xf64> loc("scaled")
  %3 = pp.mul %2, %tenth : (tensor<2x4x4xf64>, tensor<f64>) -> tensor<2x4x4xf64> loc("scaled_mul")
  %4 = pp.add %3, %r : (tensor<2x4x4xf64>, tensor<2x4x4xf64>) -> tensor<2x4x4xf64> loc("scaled_add")
  return %1, %4 : tensor<2x4x4xf64>, tensor<2x4x4xf64>
}
