// Every error of pp-autodiff.
// RUN: pp-opt %s -split-input-file -verify-diagnostics --pp-autodiff

// expected-error @+1 {{'func.func' op result #0 of type 'tensor<4xf32>' is not a scalar loss; differentiate a pipeline stage with cotangents=true}}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op returns 2 float scalars; pp-autodiff needs exactly one loss}}
func.func @f(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  return %x, %x : tensor<f32>, tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op returns 0 float scalars; pp-autodiff needs exactly one loss}}
func.func @f(%x: tensor<4xi64>) -> tensor<4xi64> {
  return %x : tensor<4xi64>
}

// -----

// An op of another dialect has no gradient rule: one on the path to the
// loss is refused, naming it.
func.func @f(%x: tensor<4xf32>) -> tensor<f32> {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
  %x2 = pp.reshape %x : tensor<4xf32> -> tensor<1x4xf32>
  %y = pp.matmul %x2, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  // expected-error @+1 {{'builtin.unrealized_conversion_cast' op has no gradient rule, and it lies on a path from a float argument or trainable weight to a differentiated result}}
  %r = builtin.unrealized_conversion_cast %y : tensor<1x4xf32> to tensor<1x4xf32>
  %l = pp.reduce sum %r dims [0, 1] : tensor<1x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op cannot be differentiated: @f_b exists already}}
func.func @f(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
func.func @f_b(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
