// pp-autodiff differentiates single-block functions of ops without
// regions; anything else is refused, naming it.
// RUN: pp-opt %s -split-input-file -verify-diagnostics --allow-unregistered-dialect --pp-autodiff

// expected-error @+1 {{'func.func' op has more than one block; pp-autodiff needs one}}
func.func @f(%x: tensor<f32>) -> tensor<f32> {
  "test.br"()[^bb1] : () -> ()
^bb1:
  return %x : tensor<f32>
}

// -----

func.func @f(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'test.region' op has regions; pp-autodiff differentiates flat graphs only}}
  "test.region"() ({
  ^bb0:
    "test.yield"() : () -> ()
  }) : () -> ()
  return %x : tensor<f32>
}
