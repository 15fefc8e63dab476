// pp-stage-generation under tensor parallelism: a column-parallel head's
// logits stay split over the vocabulary. The all-gather the partitioner
// put before the return goes; the steps return each rank's block and say
// so with pp.sharding, and the runtime picks tokens by a maximum over the
// blocks.
// RUN: pp-opt %s --pp-stage-generation | FileCheck %s

// CHECK-LABEL: func.func @stage0(
// CHECK-SAME: -> (tensor<2x4x5xf32> {pp.generation = "prefill_logits", pp.name = "logits", pp.output_index = 0 : i64, pp.sharding = #pp.sharding<@world, {{\[\[}}], [], ["tp"]]>})
// CHECK-NOT: pp.all_gather
// CHECK-LABEL: func.func @stage0_decode(
// CHECK-SAME: -> (tensor<2x1x5xf32> {pp.generation = "decode_logits", pp.name = "logits.decode", pp.output_index = 1 : i64, pp.sharding = #pp.sharding<@world, {{\[\[}}], [], ["tp"]]>})
// CHECK-NOT: pp.all_gather

module attributes {pp.inputs = [tensor<2x4xi64>], pp.input_attrs = [{pp.name = "input_ids"}]} {
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "input_ids"}) -> (tensor<2x4x10xf32> {pp.name = "logits", pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %head = pp.weight "head" from "m.onnx" offset 240 {sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<6x5xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x6xf32> -> tensor<2x6x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x6xf32>, tensor<2x6x4xf32>) -> tensor<2x4x4xf32>
  %mask = pp.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %m = pp.add %s, %mask : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32>
  %p = pp.softmax %m dim 2 : tensor<2x4x4xf32>
  %o = pp.matmul %p, %x : (tensor<2x4x4xf32>, tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %l = pp.matmul %o, %head : (tensor<2x4x6xf32>, tensor<6x5xf32>) -> tensor<2x4x5xf32>
  %g = pp.all_gather %l over @world["tp"] dim 2 : tensor<2x4x5xf32> -> tensor<2x4x10xf32>
  return %g : tensor<2x4x10xf32>
}
}
