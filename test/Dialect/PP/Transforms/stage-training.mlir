// pp-stage-training: a two-stage pipeline with two data-parallel replicas
// becomes F, B, W and update functions per stage, wired by attributes.
// RUN: pp-opt %s --pp-stage-training="optimizer=sgd momentum=0.9" | FileCheck %s
// RUN: pp-opt %s --pp-stage-training="grad-clip=1" | FileCheck %s --check-prefix=CLIP

// The loss scale, the step and the momentum buffers join the inputs.
// CHECK: pp.input_attrs = [{pp.name = "ids"}, {pp.name = "labels"}, {pp.loss_scale = "labels", pp.name = "loss_scale"}, {pp.name = "step", pp.step}, {pp.name = "emb.momentum_buffer"

// F sends its output and saves what B and W read into the stash.
// CHECK-LABEL: func.func @stage0
// CHECK-SAME: -> (tensor<2x4x8xf32> {pp.stage_output}, tensor<2x4xi64> {pp.saved = 0 : i64, pp.stash_offset = 0 : i64}, tensor<2x4x8xf32> {pp.saved = 1 : i64, pp.stash_offset = 64 : i64})
// CHECK-SAME: pp.stash_bytes = 832 : i64
// CHECK-NOT: pp.send
// B reads the output's cotangent from the next stage; stage 0 sends none back.
// CHECK-LABEL: func.func @stage0_b
// CHECK-SAME: (%{{.*}}: tensor<2x4x8xf32> {pp.cotangent = 0 : i64, pp.stage_input})
// CHECK-SAME: -> (tensor<2x4x8xf32> {pp.carried = 0 : i64, pp.stash_offset = 320 : i64}, tensor<2x4x8xf32> {pp.carried = 1 : i64, pp.stash_offset = 576 : i64})
// W adds each gradient into its accumulator output.
// CHECK-LABEL: func.func @stage0_w
// CHECK-SAME: %[[ACC:[a-z0-9]+]]: tensor<16x8xf32> {pp.accumulator = 1 : i64}
// CHECK-SAME: -> (tensor<16x8xf32> {pp.name = "emb", pp.output_index = 1 : i64, pp.weight_gradient = "emb"}
// CHECK: %[[G:.*]] = pp.scatter_add
// CHECK: pp.add %[[ACC]], %[[G]]
// The update steps the optimizer on the accumulated gradient (which the
// runtime has summed over "dp" by then).
// CHECK-LABEL: func.func @stage0_update
// CHECK-SAME: %[[GACC:[a-z0-9]+]]: tensor<16x8xf32> {pp.accumulator = 1 : i64}
// CHECK-SAME: {pp.input_index = 3 : i64, pp.name = "step", pp.step}
// CHECK-SAME: -> (tensor<16x8xf32> {pp.name = "emb.updated", pp.output_index = {{[0-9]+}} : i64, pp.weight_update = "emb"}
// CHECK-NOT: pp.all_reduce
// CHECK: pp.add %{{.*}}, %[[GACC]]

// The last stage receives its input as an argument and scales its loss:
// mean * count * loss_scale, added to the accumulated loss.
// CHECK-LABEL: func.func @stage1
// CHECK-SAME: %[[LABELS:[a-z0-9]+]]: tensor<2x4xi64>
// CHECK-SAME: %[[IN:[a-z0-9]+]]: tensor<2x4x8xf32> {pp.stage_input}
// CHECK-SAME: %[[SCALE:[a-z0-9]+]]: tensor<f32> {pp.input_index = 2 : i64, pp.loss_scale = "labels", pp.name = "loss_scale"}
// CHECK-SAME: %[[LACC:[a-z0-9]+]]: tensor<f32> {pp.accumulator = 0 : i64}
// CHECK-SAME: -> (tensor<f32> {pp.loss, pp.name = "loss", pp.output_index = 0 : i64}
// CHECK: %[[CE:.*]] = pp.cross_entropy
// CHECK: %[[IGNORED:.*]] = pp.equal %[[LABELS]]
// CHECK: %[[COUNTED:.*]] = pp.not %[[IGNORED]]
// CHECK: %[[COUNT:.*]] = pp.reduce sum
// CHECK: %[[SUM:.*]] = pp.mul %[[CE]], %[[COUNT]]
// CHECK: %[[SCALED:.*]] = pp.mul %[[SUM]], %[[SCALE]]
// CHECK: pp.add %[[LACC]], %[[SCALED]]
// B sends the input's cotangent back.
// CHECK-LABEL: func.func @stage1_b
// CHECK-SAME: -> (tensor<2x4x8xf32> {pp.arg_gradient = 1 : i64, pp.stage_output}
// CHECK-LABEL: func.func @stage1_update
// CHECK-NOT: pp.all_reduce

// With clipping, every update reads the global norm from one input.
// CLIP-LABEL: func.func @stage0_update
// CLIP-SAME: %[[NORM:[a-z0-9]+]]: tensor<f32> {pp.grad_norm, pp.input_index = [[$IDX:[0-9]+]] : i64, pp.name = "grad_norm"}
// CLIP: pp.add %[[NORM]]
// CLIP-LABEL: func.func @stage1_update
// CLIP-SAME: {pp.grad_norm, pp.input_index = [[$IDX]] : i64, pp.name = "grad_norm"}
module attributes {pp.inputs = [tensor<2x4xi64>, tensor<2x4xi64>], pp.input_attrs = [{pp.name = "ids"}, {pp.name = "labels"}]} {
pp.mesh @world ["dp" = 2, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "ids"}) attributes {pp.stage = #pp.stage<0>} {
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<16x8xf32>
  %w0 = pp.weight "w0" from "m.onnx" offset 512 : tensor<8x8xf32>
  %x = pp.gather %emb[%ids] dim 0 : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %h = pp.matmul %x, %w0 : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  pp.send %h to @world["pp"] peer 1 tag 0 : tensor<2x4x8xf32>
  return
}
func.func @stage1(%labels: tensor<2x4xi64> {pp.input_index = 1 : i64, pp.name = "labels"}) -> (tensor<f32> {pp.name = "loss", pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<1>} {
  %in = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x4x8xf32>
  %head = pp.weight "head" from "m.onnx" offset 768 : tensor<8x16xf32>
  %logits = pp.matmul %in, %head : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}
