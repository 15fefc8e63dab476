// Every error of pp-gradient-program.
// RUN: pp-opt %s --split-input-file -verify-diagnostics --pp-gradient-program

// expected-error @+1 {{pp-gradient-program needs @main, @main_b and @main_w; run pp-autodiff first}}
module {
  func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}

// -----

// A stage with result cotangents is scheduled, not joined.
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// expected-error @below {{'func.func' op takes result cotangents (a pipeline stage); pp-gradient-program needs a scalar loss}}
func.func @main_b(%d: tensor<2xf32> {pp.cotangent = 0 : i64}) -> tensor<2xf32> {
  return %d : tensor<2xf32>
}
func.func @main_w() {
  return
}

// -----

// expected-error @+1 {{'func.func' op returns 2 results before its saved values; pp-gradient-program needs one, the loss}}
func.func @main(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  return %x, %x : tensor<f32>, tensor<f32>
}
func.func @main_b() {
  return
}
func.func @main_w() {
  return
}

// -----

// expected-error @+1 {{pp-gradient-program: an argument of @main_b or @main_w is neither a saved nor a carried value}}
module {
  func.func @main(%x: tensor<f32>) -> tensor<f32> {
    return %x : tensor<f32>
  }
  func.func @main_b(%s: tensor<f32>) {
    return
  }
  func.func @main_w() {
    return
  }
}
