// RUN: pp-opt %s --split-input-file --pp-fuse-norms | FileCheck %s

// Llama's export: x * (1 / sqrt(mean(x^2) + eps)), then the scale.
// CHECK-LABEL: func.func @rms_norm_torch_form
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[Y:.*]] = pp.rms_norm %[[X]], %[[W]] epsilon 9.99999997E-7 : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @rms_norm_torch_form(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = pp.constant dense<2.0> : tensor<f32>
  %eps = pp.constant dense<1.0e-6> : tensor<f32>
  %one = pp.constant dense<1.0> : tensor<f32>
  %p = pp.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %m = pp.reduce mean %p dims [2] keepdims : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a = pp.add %m, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %s = pp.sqrt %a : tensor<2x4x1xf32>
  %r = pp.div %one, %s : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %n = pp.mul %x, %r : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y = pp.mul %n, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// x * x for the square, a division, the scale first, and a [1, 1, 8] scale.
// CHECK-LABEL: func.func @rms_norm_div_form
// CHECK: %[[W1:.*]] = pp.reshape %{{.*}} : tensor<1x1x8xf32> -> tensor<8xf32>
// CHECK: pp.rms_norm %{{.*}}, %[[W1]] epsilon 9.99999974E-6
// CHECK-NOT: pp.sqrt
func.func @rms_norm_div_form(%x: tensor<2x4x8xf32>, %w: tensor<1x1x8xf32>) -> tensor<2x4x8xf32> {
  %eps = pp.constant dense<1.0e-5> : tensor<f32>
  %p = pp.mul %x, %x : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %m = pp.reduce mean %p dims [2] keepdims : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a = pp.add %eps, %m : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %s = pp.sqrt %a : tensor<2x4x1xf32>
  %n = pp.div %x, %s : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y = pp.mul %w, %n : (tensor<1x1x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// A reduction over another dim is not a norm.
// CHECK-LABEL: func.func @not_over_last_dim
// CHECK-NOT: pp.rms_norm
// CHECK: pp.reduce mean
func.func @not_over_last_dim(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %eps = pp.constant dense<1.0e-5> : tensor<f32>
  %p = pp.mul %x, %x : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %m = pp.reduce mean %p dims [1] keepdims : tensor<2x4x8xf32> -> tensor<2x1x8xf32>
  %a = pp.add %m, %eps : (tensor<2x1x8xf32>, tensor<f32>) -> tensor<2x1x8xf32>
  %s = pp.sqrt %a : tensor<2x1x8xf32>
  %n = pp.div %x, %s : (tensor<2x4x8xf32>, tensor<2x1x8xf32>) -> tensor<2x4x8xf32>
  %y = pp.mul %n, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// The numerator must be the value that was squared.
// CHECK-LABEL: func.func @other_numerator
// CHECK-NOT: pp.rms_norm
func.func @other_numerator(%x: tensor<2x8xf32>, %z: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  %eps = pp.constant dense<1.0e-5> : tensor<f32>
  %p = pp.mul %x, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %m = pp.reduce mean %p dims [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %a = pp.add %m, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = pp.sqrt %a : tensor<2x1xf32>
  %n = pp.div %z, %s : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = pp.mul %n, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// A scale that varies over the rows is not a norm's scale.
// CHECK-LABEL: func.func @row_scale
// CHECK-NOT: pp.rms_norm
func.func @row_scale(%x: tensor<2x8xf32>, %w: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %eps = pp.constant dense<1.0e-5> : tensor<f32>
  %p = pp.mul %x, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %m = pp.reduce mean %p dims [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %a = pp.add %m, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = pp.sqrt %a : tensor<2x1xf32>
  %n = pp.div %x, %s : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = pp.mul %n, %w : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// LayerNorm as torch writes it before opset 17.
// CHECK-LABEL: func.func @layer_norm_decomposed
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[Y:.*]] = pp.layer_norm %[[X]], %[[W]], %[[B]] dim 2 epsilon 9.99999974E-6
// CHECK-NEXT: return %[[Y]]
func.func @layer_norm_decomposed(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = pp.constant dense<2.0> : tensor<f32>
  %eps = pp.constant dense<1.0e-5> : tensor<f32>
  %mean = pp.reduce mean %x dims [2] keepdims : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %d = pp.sub %x, %mean : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %p = pp.pow %d, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %var = pp.reduce mean %p dims [2] keepdims : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %a = pp.add %var, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %s = pp.sqrt %a : tensor<2x4x1xf32>
  %n = pp.div %d, %s : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %m = pp.mul %n, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %y = pp.add %m, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}
