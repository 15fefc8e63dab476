// RUN: rm -rf %t && not pp-opt %s --target=cpu --emit=source -o %t 2>&1 | FileCheck %s

// A cache write must go to an argument (the runtime keeps it between
// steps), not to a value the step computes.

// CHECK: error: node 'write': the cache must be an argument of the function, which the runtime keeps between steps
module attributes {pp.inputs = [tensor<2x1x8xf32>], pp.input_attrs = [{pp.name = "x"}]} {
  pp.mesh @world ["pp" = 1]
  func.func @stage0(%x: tensor<2x1x8xf32> {pp.input_index = 0 : i64}) -> (tensor<2x16x8xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
    %zeros = pp.constant dense<0.0> : tensor<2x16x8xf32>
    %cache = pp.add %zeros, %zeros : (tensor<2x16x8xf32>, tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
    %c = pp.cache_write %cache, %x dim 1 : (tensor<2x16x8xf32>, tensor<2x1x8xf32>) -> tensor<2x16x8xf32> loc("write")
    return %c : tensor<2x16x8xf32>
  }
}
