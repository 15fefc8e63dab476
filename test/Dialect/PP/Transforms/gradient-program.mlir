// pp-gradient-program joins pp-autodiff's forward, B and W of @main into
// one @main returning the loss and every weight gradient, named: the
// one-device training program. The tied weight (read twice) has one
// gradient; no call or other function is left.
// RUN: pp-opt %s --split-input-file --pp-add-loss --pp-autodiff --pp-gradient-program | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x4xf32> {pp.name = "x"}, %{{.*}}: tensor<2xi64> {pp.name = "labels"})
// CHECK-SAME: -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}, tensor<4xf32> {pp.name = "b", pp.weight_gradient = "b"})
// CHECK: %[[LOSS:.*]] = pp.cross_entropy
// CHECK: return %[[LOSS]], %{{.*}}, %{{.*}} : tensor<f32>, tensor<4x4xf32>, tensor<4xf32>
// CHECK-NOT: func.func
func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}) -> (tensor<2x4xf32> {pp.name = "logits"}) {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
  %b = pp.weight "b" from "m.onnx" offset 64 : tensor<4xf32>
  %h = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %y = pp.matmul %h, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %z = pp.add %y, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %z : tensor<2x4xf32>
}
