// Every error of pp-add-loss.
// RUN: pp-opt %s -split-input-file -verify-diagnostics --pp-add-loss

// expected-error @+1 {{pp-add-loss: no function @main with a body}}
module {
  func.func @other(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
    return %x : tensor<4x8xf32>
  }
}

// -----

// expected-error @+1 {{'func.func' op has 2 float results; name the logits with pp-add-loss logits=}}
func.func @main(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  return %x, %x : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// expected-error @+1 {{'func.func' op has 0 float results; name the logits with pp-add-loss logits=}}
func.func @main(%x: tensor<4xi64>) -> tensor<4xi64> {
  return %x : tensor<4xi64>
}

// -----

// expected-error @+1 {{'func.func' op result #0 of type 'tensor<f32>' cannot be logits: need floats [..., V]}}
func.func @main(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}
