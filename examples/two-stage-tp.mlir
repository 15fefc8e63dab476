// A hand-written two-stage, two-way tensor-parallel MLP block: what the
// partitioner produces for one transformer MLP on a 2 x 2 mesh. `make demo`
// parses, verifies and prints it until the ONNX flow lands.

pp.mesh @world ["pp" = 2, "tp" = 2]

// Stage 0 ends with a row-parallel matmul whose partial sums are combined
// over "tp", then hands the residual stream to stage 1.
func.func @stage0(%partial: tensor<4x16x64xf32>) attributes {pp.stage = #pp.stage<0>} {
  %h = pp.all_reduce sum %partial over @world["tp"] : tensor<4x16x64xf32>
  pp.send %h to @world["pp"] peer 1 tag 0 : tensor<4x16x64xf32>
  return
}

// Stage 1 takes the residual stream, and with sequence parallelism scatters
// the next reduction over the sequence dim and gathers it back.
func.func @stage1(%partial: tensor<4x16x64xf32>) -> tensor<4x16x64xf32>
    attributes {pp.stage = #pp.stage<1>} {
  %h = pp.recv from @world["pp"] peer 0 tag 0 : tensor<4x16x64xf32>
  %s = pp.reduce_scatter sum %partial over @world["tp"] dim 1
      : tensor<4x16x64xf32> -> tensor<4x8x64xf32>
  %g = pp.all_gather %s over @world["tp"] dim 1
      : tensor<4x8x64xf32> -> tensor<4x16x64xf32>
  return %g : tensor<4x16x64xf32>
}
