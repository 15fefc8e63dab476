// In a training step (pp-apply-optimizer's @main) pp-convert-float-type
// keeps the optimizer in f32: the weight it updates stays an f32 master
// copy, cast to bf16 where the model reads it; the step, the state and the
// update stay f32; the gradient (bf16) is cast up where the optimizer and
// the return read it; the loss leaves in f32. A constant that both parts
// use (CSE merged it) gets an f32 copy for the optimizer. A frozen weight
// converts as in inference.
// RUN: pp-opt %s --pp-apply-optimizer="optimizer=adamw" --cse --pp-convert-float-type=to=bf16 | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[X:.*]]: tensor<2x4xbf16> {pp.name = "x"}
// CHECK-SAME: %[[STEP:.*]]: tensor<f32> {pp.name = "step", pp.step}
// CHECK-SAME: %[[M:.*]]: tensor<4x4xf32> {pp.name = "w.exp_avg", pp.optimizer_state = "w.exp_avg"}
// CHECK-SAME: -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}, tensor<4x4xf32> {pp.name = "w.updated", pp.weight_update = "w"}, tensor<4x4xf32> {pp.name = "w.exp_avg.next", pp.optimizer_state = "w.exp_avg"}
// CHECK: %[[W:.*]] = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
// CHECK-NEXT: %[[W16:.*]] = pp.cast %[[W]] : tensor<4x4xf32> -> tensor<4x4xbf16>
// CHECK: %[[F:.*]] = pp.weight "frozen" from "m.onnx" offset 64 {file_element_type = f32} : tensor<4x4xbf16>
// CHECK: pp.matmul %[[X]], %[[W16]] : (tensor<2x4xbf16>, tensor<4x4xbf16>) -> tensor<2x4xbf16>
// CHECK: pp.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: pp.constant dense<1.000000e+00> : tensor<bf16>
// CHECK: %[[G:.*]] = pp.matmul {{.*}} -> tensor<4x4xbf16>
// CHECK-NEXT: %[[G32:.*]] = pp.cast %[[G]] : tensor<4x4xbf16> -> tensor<4x4xf32>
// CHECK: %[[L:.*]] = pp.reduce sum {{.*}} -> tensor<bf16>
// CHECK-NEXT: %[[L32:.*]] = pp.cast %[[L]] : tensor<bf16> -> tensor<f32>
// CHECK: %[[UPD:.*]] = pp.sub {{.*}} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK: return %[[L32]], %[[G32]], %[[UPD]], {{.*}} : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}) -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}) {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
  %f = pp.weight "frozen" from "m.onnx" offset 64 : tensor<4x4xf32>
  %h = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %k = pp.matmul %h, %f : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %one = pp.constant dense<1.0> : tensor<f32>
  %k1 = pp.add %k, %one : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %xt = pp.transpose %x perm [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  %g = pp.matmul %xt, %k1 : (tensor<4x2xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %l = pp.reduce sum %k1 dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %l, %g : tensor<f32>, tensor<4x4xf32>
}
