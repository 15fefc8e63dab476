// Which weights pp-autodiff trains: by default the float ones used as a
// matmul operand (here through a transpose), a gather table, a norm scale
// or a matmul's bias; not "rope.cos" (only multiplied) nor the integer
// "positions". Globs override the rule, frozen ones first.
// RUN: pp-opt %s --pp-autodiff | FileCheck %s
// RUN: pp-opt %s --pp-autodiff="trainable=rope.* frozen=wte,proj.*" | FileCheck %s --check-prefix=GLOBS

// CHECK-LABEL: func.func @model_w
// CHECK-SAME: -> (tensor<10x4xf32> {pp.weight_gradient = "wte"}, tensor<3x4xf32> {pp.weight_gradient = "wpe"}, tensor<4xf32> {pp.weight_gradient = "ln.g"}, tensor<8x4xf32> {pp.weight_gradient = "proj.w"}, tensor<8xf32> {pp.weight_gradient = "proj.b"})
// GLOBS-LABEL: func.func @model_w
// GLOBS-SAME: -> (tensor<3x4xf32> {pp.weight_gradient = "wpe"}, tensor<3x4xf32> {pp.weight_gradient = "rope.cos"}, tensor<4xf32> {pp.weight_gradient = "ln.g"})
func.func @model(%ids: tensor<2x3xi64>) -> tensor<f32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %wpe = pp.weight "wpe" from "m.onnx" offset 0 : tensor<3x4xf32>
  %rope = pp.weight "rope.cos" from "m.onnx" offset 0 : tensor<3x4xf32>
  %g = pp.weight "ln.g" from "m.onnx" offset 0 : tensor<4xf32>
  %w = pp.weight "proj.w" from "m.onnx" offset 0 : tensor<8x4xf32>
  %b = pp.weight "proj.b" from "m.onnx" offset 0 : tensor<8xf32>
  %pos = pp.weight "positions" from "m.onnx" offset 0 : tensor<3xi64>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %p = pp.gather %wpe[%pos] dim 0 : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  %xp = pp.add %x, %p : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  %xr = pp.mul %xp, %rope : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  %n = pp.rms_norm %xr, %g epsilon 1.0e-06 : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %wt = pp.transpose %w perm [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %y = pp.matmul %n, %wt : (tensor<2x3x4xf32>, tensor<4x8xf32>) -> tensor<2x3x8xf32>
  %yb = pp.add %y, %b : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %l = pp.reduce mean %yb dims [0, 1, 2] : tensor<2x3x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
