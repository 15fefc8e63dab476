// pp-convert-float-type on a pipeline's training step (pp-stage-training's
// F, B, W and update functions) makes it mixed precision: F, B and W compute
// in bf16 from f32 master weights, their accumulators add in f32, the update
// functions stay f32, and the stash holds bf16 values, laid out anew.
// RUN: pp-opt %s --pp-stage-training="optimizer=adamw" --pp-convert-float-type="to=bf16" | FileCheck %s

// A float data input is read in bf16, so the program's input is bf16 too;
// the loss scale, the step and the optimizer state stay f32.
// CHECK: pp.inputs = [tensor<2x4xi64>, tensor<2x4xi64>, tensor<2x4x1xbf16>, tensor<f32>, tensor<f32>, tensor<16x8xf32>

// F: master weights cast down where the model reads them; the boundary and
// the stash in bf16 (stash entries 64-byte aligned: 64 + 64 bytes).
// CHECK-LABEL: func.func @stage0(
// CHECK-SAME: -> (tensor<2x4x8xbf16> {pp.stage_output}, tensor<2x4xi64> {pp.saved = 0 : i64, pp.stash_offset = 0 : i64}, tensor<2x4x8xbf16> {pp.saved = 1 : i64, pp.stash_offset = 64 : i64})
// CHECK-SAME: pp.stash_bytes = 448
// CHECK: %[[EMB:.*]] = pp.weight "emb" {{.*}} : tensor<16x8xf32>
// CHECK-NEXT: pp.cast %[[EMB]] : tensor<16x8xf32> -> tensor<16x8xbf16>

// B receives and sends bf16 cotangents.
// CHECK-LABEL: func.func @stage0_b(
// CHECK-SAME: %arg0: tensor<2x4x8xbf16> {pp.cotangent = 0 : i64, pp.stage_input}

// W: the bf16 gradient is cast up and added to the f32 accumulator.
// CHECK-LABEL: func.func @stage0_w(
// CHECK-SAME: %[[ACC:arg4]]: tensor<16x8xf32> {pp.accumulator = 1 : i64}
// CHECK-SAME: -> (tensor<16x8xf32> {{{.*}}pp.weight_gradient = "emb"}, tensor<8x8xf32> {{{.*}}pp.weight_gradient = "w0"})
// CHECK: %[[G:.*]] = pp.scatter_add {{.*}} -> tensor<16x8xbf16>
// CHECK-NEXT: %[[WIDE:.*]] = pp.cast %[[G]] : tensor<16x8xbf16> -> tensor<16x8xf32>
// CHECK: pp.add %[[ACC]], %[[WIDE]] : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x8xf32>

// The update is f32 throughout.
// CHECK-LABEL: func.func @stage0_update(
// CHECK-NOT: bf16
// CHECK: return

// The last stage: the loss is scaled and accumulated in f32; the saved
// copy of the loss scale is bf16, as B reads it.
// CHECK-LABEL: func.func @stage1(
// CHECK-SAME: %[[SCALE:arg[0-9]+]]: tensor<f32> {pp.input_index = 3 : i64, pp.loss_scale = "labels"
// CHECK-SAME: %[[LOSSACC:arg[0-9]+]]: tensor<f32> {pp.accumulator = 0 : i64}
// CHECK-SAME: -> (tensor<f32> {pp.loss
// CHECK: %[[DOWN:.*]] = pp.cast %[[SCALE]] : tensor<f32> -> tensor<bf16>
// CHECK: %[[MEAN:.*]] = pp.mul {{.*}} -> tensor<bf16>
// CHECK-NEXT: %[[MEANUP:.*]] = pp.cast %[[MEAN]] : tensor<bf16> -> tensor<f32>
// CHECK-NEXT: %[[SCALED:.*]] = pp.mul %[[MEANUP]], %[[SCALE]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT: pp.add %[[LOSSACC]], %[[SCALED]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: return {{.*}}%[[DOWN]]
// CHECK-LABEL: func.func @stage1_b(
// CHECK-LABEL: func.func @stage1_update(
// CHECK-NOT: bf16
// CHECK: return

module attributes {pp.inputs = [tensor<2x4xi64>, tensor<2x4xi64>, tensor<2x4x1xf32>], pp.input_attrs = [{pp.name = "ids"}, {pp.name = "labels"}, {pp.name = "mask"}]} {
pp.mesh @world ["dp" = 2, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "ids"}) attributes {pp.stage = #pp.stage<0>} {
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<16x8xf32>
  %w0 = pp.weight "w0" from "m.onnx" offset 512 : tensor<8x8xf32>
  %x = pp.gather %emb[%ids] dim 0 : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %h = pp.matmul %x, %w0 : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  pp.send %h to @world["pp"] peer 1 tag 0 : tensor<2x4x8xf32>
  return
}
func.func @stage1(%labels: tensor<2x4xi64> {pp.input_index = 1 : i64, pp.name = "labels"}, %mask: tensor<2x4x1xf32> {pp.input_index = 2 : i64, pp.name = "mask"}) -> (tensor<f32> {pp.name = "loss", pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<1>} {
  %in = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x4x8xf32>
  %head = pp.weight "head" from "m.onnx" offset 768 : tensor<8x16xf32>
  %logits = pp.matmul %in, %head : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %masked = pp.mul %logits, %mask : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
  %loss = pp.cross_entropy %masked, %labels ignore_index -100 : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}
