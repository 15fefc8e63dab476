// pp-add-loss picks the logits among several float results by pp.name or
// by index; the other results go.
// RUN: pp-opt %s --pp-add-loss=logits=lm_logits | FileCheck %s
// RUN: pp-opt %s --pp-add-loss=logits=0 | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<4x10xf32>, %[[L:[a-z0-9]+]]: tensor<4xi64> {pp.name = "labels"}) -> (tensor<f32> {pp.name = "loss"})
// CHECK: pp.cross_entropy %{{.*}}, %[[L]] ignore_index -100 : (tensor<4x10xf32>, tensor<4xi64>)
func.func @main(%x: tensor<4x10xf32>) -> (tensor<4x10xf32> {pp.name = "lm_logits"}, tensor<4xf32> {pp.name = "aux"}) {
  %s = pp.reduce sum %x dims [1] : tensor<4x10xf32> -> tensor<4xf32>
  return %x, %s : tensor<4x10xf32>, tensor<4xf32>
}
