// RUN: pp-opt %s --pp-partition-stages="num-stages=2" | FileCheck %s

// Without layer numbers in the names, the segments between cut points are
// the units. Any position where one value crosses is a cut: after the
// matmul only %h0 crosses (%x is a graph input every stage can read).
// CHECK-LABEL: func.func @main
// CHECK-SAME: pp.layer_source = "cuts"
// CHECK-SAME: pp.stage_layers = array<i64: 2, 1>
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %w0 = pp.weight "w0" from "w.bin" offset 0 : tensor<8x8xf32>
  %w1 = pp.weight "w1" from "w.bin" offset 256 : tensor<8x8xf32>
  %h0 = pp.matmul %x, %w0 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  %x1 = pp.add %x, %h0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %h1 = pp.matmul %x1, %w1 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  %x2 = pp.add %x1, %h1 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %x2 : tensor<2x8xf32>
}
