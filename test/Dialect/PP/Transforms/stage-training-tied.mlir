// pp-stage-training with a tied embedding read by the first and the last
// stage: both train it and both update it (the runtime sums their gradients
// first); the last stage's optimizer state carries its stage's name.
// RUN: pp-opt %s --pp-stage-training="optimizer=sgd momentum=0.9" | FileCheck %s

// CHECK-LABEL: func.func @stage0_update
// CHECK-SAME: {pp.input_index = 4 : i64, pp.name = "emb.momentum_buffer", pp.optimizer_state = "emb.momentum_buffer"}
// CHECK-SAME: {pp.name = "emb.updated", pp.output_index = {{[0-9]+}} : i64, pp.weight_update = "emb"}
// CHECK-LABEL: func.func @stage1_w
// CHECK-SAME: pp.weight_gradient = "emb"
// CHECK-LABEL: func.func @stage1_update
// CHECK-SAME: {pp.input_index = 5 : i64, pp.name = "emb.momentum_buffer@stage1", pp.optimizer_state = "emb.momentum_buffer@stage1"}
// CHECK-SAME: {pp.name = "emb.updated", pp.output_index = {{[0-9]+}} : i64, pp.weight_update = "emb"}
// CHECK-SAME: {pp.name = "emb.momentum_buffer@stage1.next", pp.optimizer_state = "emb.momentum_buffer@stage1", pp.output_index = {{[0-9]+}} : i64}
module attributes {pp.inputs = [tensor<2xi64>, tensor<2xi64>], pp.input_attrs = [{pp.name = "ids"}, {pp.name = "labels"}]} {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2xi64> {pp.input_index = 0 : i64, pp.name = "ids"}) attributes {pp.stage = #pp.stage<0>} {
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<4x3xf32>
  %x = pp.gather %emb[%ids] dim 0 : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  pp.send %x to @world["pp"] peer 1 tag 0 : tensor<2x3xf32>
  return
}
func.func @stage1(%labels: tensor<2xi64> {pp.input_index = 1 : i64, pp.name = "labels"}) -> tensor<f32> attributes {pp.stage = #pp.stage<1>} {
  %x = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x3xf32>
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<4x3xf32>
  %t = pp.transpose %emb perm [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %logits = pp.matmul %x, %t : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}
