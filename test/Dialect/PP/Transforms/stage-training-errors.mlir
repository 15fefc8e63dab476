// Every error pp-stage-training reports.
// RUN: pp-opt %s --split-input-file --pp-stage-training --verify-diagnostics

// expected-error @+1 {{pp-stage-training needs stage functions and pp.mesh @world}}
module {
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
}

// -----

// expected-error @+1 {{training with tensor parallelism (tp > 1) is not built yet}}
module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @stage0(%x: tensor<2xf32>) attributes {pp.stage = #pp.stage<0>} {
  return
}
}

// -----

// expected-error @+1 {{no stage returns a pp.cross_entropy loss}}
module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 1]
func.func @stage0() attributes {pp.stage = #pp.stage<0>} {
  return
}
}

// -----

module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 1]
// expected-error @+1 {{reads graph input 0, but the module's pp.inputs lists 0 (run pp-split-stages)}}
func.func @stage0(%l: tensor<2xi64> {pp.input_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
  return
}
}

// -----

module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 3, "tp" = 1]
// expected-error @+1 {{receives 2 and sends 0 values; a training stage moves one activation each way}}
func.func @stage1() attributes {pp.stage = #pp.stage<1>} {
  %a = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2xf32>
  %b = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2xf32>
  return
}
}

// -----

module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 1]
func.func @stage0() -> tensor<f32> attributes {pp.stage = #pp.stage<0>} {
  %logits = pp.weight "w" from "m.onnx" offset 0 : tensor<2x4xf32>
  %labels = pp.constant dense<[1, 2]> : tensor<2xi64>
  // expected-error @+1 {{needs its labels as a named input of the stage}}
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}

// -----

module attributes {pp.inputs = [tensor<2xi64>], pp.input_attrs = [{pp.name = "labels"}]} {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 1]
// expected-error @+1 {{returns a second loss}}
func.func @stage0(%labels: tensor<2xi64> {pp.input_index = 0 : i64, pp.name = "labels"}) -> (tensor<f32>, tensor<f32>) attributes {pp.stage = #pp.stage<0>} {
  %logits = pp.weight "w" from "m.onnx" offset 0 : tensor<2x4xf32>
  %a = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  %b = pp.cross_entropy %logits, %labels ignore_index 0 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %a, %b : tensor<f32>, tensor<f32>
}
}

// -----

// A tied embedding read by the first and the last stage.
module attributes {pp.inputs = [tensor<2xi64>, tensor<2xi64>], pp.input_attrs = [{pp.name = "ids"}, {pp.name = "labels"}]} {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2xi64> {pp.input_index = 0 : i64, pp.name = "ids"}) attributes {pp.stage = #pp.stage<0>} {
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<4x3xf32>
  %x = pp.gather %emb[%ids] dim 0 : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  pp.send %x to @world["pp"] peer 1 tag 0 : tensor<2x3xf32>
  return
}
// expected-error @+1 {{@stage1 trains weight 'emb', which @stage0 trains too (a tied embedding); summing a tied weight's gradient across stages is not built yet}}
func.func @stage1(%labels: tensor<2xi64> {pp.input_index = 1 : i64, pp.name = "labels"}) -> tensor<f32> attributes {pp.stage = #pp.stage<1>} {
  %x = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x3xf32>
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<4x3xf32>
  %t = pp.transpose %emb perm [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %logits = pp.matmul %x, %t : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}
