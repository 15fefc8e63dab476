// pp-autodiff with a malformed glob.
// RUN: pp-opt %s -verify-diagnostics --pp-autodiff="frozen=wte[" 

// expected-error-re @+1 {{pp-autodiff: invalid glob pattern{{.*}}}}
module {
  func.func @f(%x: tensor<f32>) -> tensor<f32> {
    return %x : tensor<f32>
  }
}
