// pp-stage-training with zero=1 (ZeRO-1): each of the 2 data-parallel
// ranks updates one part of every weight, [1, ceil(n / 2)] of its n
// elements. The weight [15, 3] (45 elements) is flattened, padded with one
// zero to 46 and all-sliced over "dp" into [1, 23]; the gradient (the front
// of its buffer, where the runtime reduce-scatters it), the AdamW state and
// the new weight are parts too, and the state and new weight say how they
// split (over "dp" on dim 1) so that a checkpoint can gather them.
// RUN: pp-opt %s --pp-stage-training="optimizer=adamw zero=1" | FileCheck %s

// CHECK-LABEL: func.func @stage0_update
// CHECK-SAME: %[[G:[a-z0-9]+]]: tensor<1x23xf32> {pp.accumulator = 1 : i64}
// CHECK-SAME: tensor<1x23xf32> {{{.*}}pp.optimizer_state = "emb.exp_avg", pp.sharding = #pp.sharding<@world, {{\[\[}}], ["dp"]]>}
// CHECK-SAME: -> (tensor<1x23xf32> {{{.*}}pp.sharding = #pp.sharding<@world, {{\[\[}}], ["dp"]]>, pp.weight_update = "emb"}
// CHECK: %[[W:.*]] = pp.weight "emb" from "m.onnx" offset 0 : tensor<15x3xf32>
// CHECK: %[[FLAT:.*]] = pp.reshape %[[W]] : tensor<15x3xf32> -> tensor<1x45xf32>
// CHECK: %[[PAD:.*]] = pp.constant dense<0.000000e+00> : tensor<1x1xf32>
// CHECK: %[[ALL:.*]] = pp.concat %[[FLAT]], %[[PAD]] dim 1 : (tensor<1x45xf32>, tensor<1x1xf32>) -> tensor<1x46xf32>
// CHECK: %[[PART:.*]] = pp.all_slice %[[ALL]] over @world["dp"] dim 1 : tensor<1x46xf32> -> tensor<1x23xf32>
// CHECK: pp.mul %[[PART]], %{{.*}} : (tensor<1x23xf32>, tensor<f32>) -> tensor<1x23xf32>
// CHECK: pp.mul %[[G]], %{{.*}} : (tensor<1x23xf32>, tensor<f32>) -> tensor<1x23xf32>
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x23xf32>, tensor<1x23xf32>, tensor<1x23xf32>
module attributes {pp.inputs = [tensor<2x4xi64>, tensor<2x4xi64>], pp.input_attrs = [{pp.name = "ids"}, {pp.name = "labels"}]} {
pp.mesh @world ["dp" = 2, "pp" = 1, "tp" = 1]
func.func @stage0(%ids: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "ids"}, %labels: tensor<2x4xi64> {pp.input_index = 1 : i64, pp.name = "labels"}) -> (tensor<f32> {pp.name = "loss", pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<15x3xf32>
  %x = pp.gather %emb[%ids] dim 0 : (tensor<15x3xf32>, tensor<2x4xi64>) -> tensor<2x4x3xf32>
  %l = pp.cross_entropy %x, %labels ignore_index -100 : (tensor<2x4x3xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
}
