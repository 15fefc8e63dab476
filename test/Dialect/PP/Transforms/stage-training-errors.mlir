// Every error pp-stage-training reports.
// RUN: pp-opt %s --split-input-file --pp-stage-training --verify-diagnostics
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-stage-training=recompute=some 2>&1 | FileCheck %s --check-prefix=RECOMPUTE
// RECOMPUTE: error: pp-stage-training: recompute must be none, full or selective, got 'some'

// expected-error @+1 {{pp-stage-training needs stage functions and pp.mesh @world}}
module {
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
}

// -----

// A tied weight that tensor parallelism split on one stage and not on the
// other.
module attributes {pp.inputs = [], pp.input_attrs = []} {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 2]
func.func @stage0() attributes {pp.stage = #pp.stage<0>} {
  %w = pp.weight "w" from "m.onnx" offset 0 {sharding = #pp.sharding<@world, [["tp"], []]>} : tensor<2x4xf32>
  return
}
func.func @stage1() attributes {pp.stage = #pp.stage<1>} {
  // expected-error @+1 {{'w' is read as 'tensor<4x4xf32>' whole here and as 'tensor<2x4xf32>' split elsewhere; training needs one layout of a tied weight}}
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
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

