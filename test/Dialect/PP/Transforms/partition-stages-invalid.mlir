// RUN: pp-opt %s --split-input-file --verify-diagnostics --pp-partition-stages="num-stages=2"

// expected-error @+1 {{the model has no op that depends on both an input and a weight; there is nothing to pipeline}}
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = pp.add %x, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// expected-error @+1 {{pp-partition-stages needs func.func @main}}
module {
  func.func @not_main() {
    return
  }
}
