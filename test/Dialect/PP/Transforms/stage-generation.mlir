// pp-stage-generation: a two-stage causal LM (4 positions, hidden 6) becomes
// prefill and decode steps per stage over a cache of 4 positions.
// RUN: pp-opt %s --pp-stage-generation=prefill-chunk=2 | FileCheck %s

// The caches (the second stage's attention's keys and values) and the
// decode step's ids join the inputs.
// CHECK: pp.generation_step = {max_seq = 4 : i64, prefill_chunk = 2 : i64, seq_dim = 1 : i64}
// CHECK-SAME: pp.input_attrs = [{pp.generation = "prefill_ids", pp.name = "input_ids"}, {pp.generation = "kv_cache", pp.name = "kv:scores.key"}, {pp.generation = "kv_cache", pp.name = "kv:scores.value"}, {pp.generation = "decode_ids", pp.name = "input_ids.decode"}]
// CHECK-SAME: pp.inputs = [tensor<2x2xi64>, tensor<2x6x4xf32>, tensor<2x4x6xf32>, tensor<2x1xi64>]

// The first stage: two positions, the position table's rows at the step's
// position, sent on.
// CHECK-LABEL: func.func @stage0(
// CHECK-SAME: tensor<2x2xi64> {pp.generation = "prefill_ids", pp.input_index = 0 : i64, pp.name = "input_ids"}
// CHECK: %[[ROWS:.*]] = pp.step_slice %{{.*}} dim 0 : tensor<4x6xf32> -> tensor<2x6xf32>
// CHECK: pp.add %{{.*}}, %[[ROWS]] : (tensor<2x2x6xf32>, tensor<2x6xf32>) -> tensor<2x2x6xf32>
// CHECK: pp.send %{{.*}} : tensor<2x2x6xf32>
// CHECK-LABEL: func.func @stage0_decode(
// CHECK-SAME: tensor<2x1xi64> {pp.generation = "decode_ids", pp.input_index = 3 : i64, pp.name = "input_ids.decode"}
// CHECK: pp.step_slice %{{.*}} dim 0 : tensor<4x6xf32> -> tensor<1x6xf32>
// CHECK: pp.send %{{.*}} : tensor<2x1x6xf32>

// The second stage: the keys (as the scores read them, transposed) and the
// values written into their caches at the step's position, the scores over
// all 4 cached keys, the mask's rows at the position.
// CHECK-LABEL: func.func @stage1(
// CHECK-SAME: %[[KC:[a-z0-9]+]]: tensor<2x6x4xf32> {pp.generation = "kv_cache", pp.input_index = 1 : i64, pp.name = "kv:scores.key"}
// CHECK-SAME: %[[VC:[a-z0-9]+]]: tensor<2x4x6xf32> {pp.generation = "kv_cache", pp.input_index = 2 : i64, pp.name = "kv:scores.value"}
// CHECK-SAME: -> (tensor<2x2x6xf32> {pp.generation = "prefill_logits", pp.name = "logits", pp.output_index = 0 : i64})
// CHECK: %[[IN:.*]] = pp.recv {{.*}} : tensor<2x2x6xf32>
// CHECK: %[[KT:.*]] = pp.transpose %{{.*}} perm [0, 2, 1] : tensor<2x2x6xf32> -> tensor<2x6x2xf32>
// CHECK: %[[K:.*]] = pp.cache_write %[[KC]], %[[KT]] dim 2 : (tensor<2x6x4xf32>, tensor<2x6x2xf32>) -> tensor<2x6x4xf32>
// CHECK: pp.matmul %[[IN]], %[[K]] : (tensor<2x2x6xf32>, tensor<2x6x4xf32>) -> tensor<2x2x4xf32>
// CHECK: %[[MASK:.*]] = pp.step_slice %{{.*}} dim 0 : tensor<4x4xf32> -> tensor<2x4xf32>
// CHECK: pp.add %{{.*}}, %[[MASK]] : (tensor<2x2x4xf32>, tensor<2x4xf32>) -> tensor<2x2x4xf32>
// CHECK: pp.cache_write %[[VC]], %{{.*}} dim 1 : (tensor<2x4x6xf32>, tensor<2x2x6xf32>) -> tensor<2x4x6xf32>
// CHECK-LABEL: func.func @stage1_decode(
// CHECK-SAME: -> (tensor<2x1x6xf32> {pp.generation = "decode_logits", pp.name = "logits.decode", pp.output_index = 1 : i64})
// CHECK: pp.recv {{.*}} : tensor<2x1x6xf32>
// CHECK: pp.cache_write {{.*}} dim 2 : (tensor<2x6x4xf32>, tensor<2x6x1xf32>) -> tensor<2x6x4xf32>
// CHECK: pp.step_slice %{{.*}} dim 0 : tensor<4x4xf32> -> tensor<1x4xf32>
// CHECK: pp.cache_write {{.*}} dim 1 : (tensor<2x4x6xf32>, tensor<2x1x6xf32>) -> tensor<2x4x6xf32>

module attributes {pp.inputs = [tensor<2x4xi64>], pp.input_attrs = [{pp.name = "input_ids"}]} {
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "input_ids"}) attributes {pp.stage = #pp.stage<0>} {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %wpe = pp.weight "wpe" from "m.onnx" offset 240 : tensor<4x6xf32>
  %x0 = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  %x = pp.add %x0, %wpe : (tensor<2x4x6xf32>, tensor<4x6xf32>) -> tensor<2x4x6xf32>
  pp.send %x to @world["pp"] peer 1 tag 0 : tensor<2x4x6xf32>
  return
}
func.func @stage1() -> (tensor<2x4x6xf32> {pp.name = "logits", pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<1>} {
  %x = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x4x6xf32>
  %wk = pp.weight "wk" from "m.onnx" offset 336 : tensor<6x6xf32>
  %k = pp.matmul %x, %wk : (tensor<2x4x6xf32>, tensor<6x6xf32>) -> tensor<2x4x6xf32>
  %kt = pp.transpose %k perm [0, 2, 1] : tensor<2x4x6xf32> -> tensor<2x6x4xf32>
  %s = pp.matmul %x, %kt : (tensor<2x4x6xf32>, tensor<2x6x4xf32>) -> tensor<2x4x4xf32> loc("scores")
  %mask = pp.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %m = pp.add %s, %mask : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32>
  %p = pp.softmax %m dim 2 : tensor<2x4x4xf32>
  %v = pp.matmul %x, %wk : (tensor<2x4x6xf32>, tensor<6x6xf32>) -> tensor<2x4x6xf32>
  %o = pp.matmul %p, %v : (tensor<2x4x4xf32>, tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  return %o : tensor<2x4x6xf32>
}
}
