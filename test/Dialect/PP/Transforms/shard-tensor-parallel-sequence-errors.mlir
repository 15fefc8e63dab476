// RUN: pp-opt %s --pp-shard-tensor-parallel=sequence-parallel=true -verify-diagnostics

// Sequence parallelism splits the residual stream along the sequence:
// 5 positions do not divide by tp=2.
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @sequence(%x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
  %w1 = pp.weight "fc1" from "w.bin" offset 0 : tensor<8x16xf32>
  %w2 = pp.weight "fc2" from "w.bin" offset 512 : tensor<16x8xf32>
  %h = pp.matmul %x, %w1 : (tensor<2x5x8xf32>, tensor<8x16xf32>) -> tensor<2x5x16xf32>
  %y = pp.matmul %h, %w2 : (tensor<2x5x16xf32>, tensor<16x8xf32>) -> tensor<2x5x8xf32>
  // expected-error @+1 {{cannot shard over tp=2 with sequence-parallel: the sequence length 5 (dim 1) does not divide by 2}}
  %r = pp.add %x, %y : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %r : tensor<2x5x8xf32>
}
