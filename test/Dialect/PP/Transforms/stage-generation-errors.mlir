// RUN: pp-opt %s --pp-stage-generation=max-seq=4 -split-input-file -verify-diagnostics -o /dev/null
// RUN: not pp-opt %s --pp-stage-generation=max-seq=8 -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=LONG
// RUN: not pp-opt %s --pp-stage-generation="max-seq=4 prefill-chunk=5" -split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHUNK

// LONG: error: pp-stage-generation: max-seq 8 is longer than the 4 positions the model was exported for
// CHUNK: error: pp-stage-generation: prefill-chunk 5 is longer than max-seq 4

// expected-error @+1 {{pp-stage-generation: no stage functions (run pp-split-stages)}}
module {
func.func @main(%ids: tensor<2x4xi64>) -> tensor<2x4xi64> {
  return %ids : tensor<2x4xi64>
}
}

// -----

// A model whose first output does not hold the positions.
module {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 1]
// expected-error @+1 {{pp-stage-generation: the model's first output must hold the logits of each position}}
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "input_ids"}) -> (tensor<10x6xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  return %wte : tensor<10x6xf32>
}
}

// -----

// A first stage that sends a weight on instead of its activations.
module {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "input_ids"}) attributes {pp.stage = #pp.stage<0>} {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  // expected-error @+1 {{pp-stage-generation: a stage must send on a value that holds the positions, not attention scores or a constant}}
  pp.send %wte to @world["pp"] peer 1 tag 0 : tensor<10x6xf32>
  return
}
func.func @stage1() -> (tensor<10x6xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<1>} {
  %x = pp.recv from @world["pp"] peer 0 tag 0 : tensor<10x6xf32>
  return %x : tensor<10x6xf32>
}
}

// -----

// A later stage that receives nothing.
module {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "input_ids"}) -> (tensor<2x4x6xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  return %x : tensor<2x4x6xf32>
}
// expected-error @+1 {{pp-stage-generation: a later stage must receive one activation that holds the positions}}
func.func @stage1() attributes {pp.stage = #pp.stage<1>} {
  return
}
}

// -----

// Keys whose positions are merged with the batch all the way to the
// scores: no whole dim for a cache.
module {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "input_ids"}) -> (tensor<2x4x4xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %kf = pp.reshape %x : tensor<2x4x4xf32> -> tensor<1x8x4xf32>
  %kt = pp.transpose %kf perm [0, 2, 1] : tensor<1x8x4xf32> -> tensor<1x4x8xf32>
  // expected-error @+1 {{generation: no value on the way to this matmul's operand 1 holds the positions as a whole dim, so its cache has no place}}
  %s = pp.matmul %x, %kt : (tensor<2x4x4xf32>, tensor<1x4x8xf32>) -> tensor<2x4x8xf32>
  %mask = pp.constant dense<[[0.0, -1.0e9, -1.0e9, -1.0e9, -1.0e9, -1.0e9, -1.0e9, -1.0e9], [0.0, 0.0, -1.0e9, -1.0e9, -1.0e9, -1.0e9, -1.0e9, -1.0e9], [0.0, 0.0, 0.0, -1.0e9, -1.0e9, -1.0e9, -1.0e9, -1.0e9], [0.0, 0.0, 0.0, 0.0, -1.0e9, -1.0e9, -1.0e9, -1.0e9]]> : tensor<4x8xf32>
  %m = pp.add %s, %mask : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %p = pp.softmax %m dim 2 : tensor<2x4x8xf32>
  %o = pp.matmul %p, %kf : (tensor<2x4x8xf32>, tensor<1x8x4xf32>) -> tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}
}
