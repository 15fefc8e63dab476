// pp-autodiff under tensor parallelism: collectives transpose into
// collectives, and a replicated value read by sharded ops gets its
// cotangent's parts summed over the group once (Megatron's conjugate
// all-reduce), as a reduce-scatter where the value is an all-gather's
// (sequence parallelism). test/e2e/train-parallel-cpu.test checks the
// numbers against one device and torch.
// RUN: pp-opt %s -split-input-file '--pp-autodiff=cotangents=true trainable=g,w,w1,w2' | FileCheck %s

// A Megatron MLP: column-parallel w1, row-parallel w2 and its all-reduce.
// The all-reduce's cotangent passes through; x, replicated, reads only
// this rank's columns of w1, so its cotangent is all-reduced.
// CHECK-LABEL: func.func @mlp_b
// CHECK-SAME: %[[DY:[a-z0-9]+]]: tensor<2x4xf32> {pp.cotangent = 0 : i64}
// CHECK: %[[W2:.*]] = pp.weight "w2"
// CHECK: %[[W2T:.*]] = pp.transpose %[[W2]]
// CHECK: pp.matmul %[[DY]], %[[W2T]]
// CHECK: %[[DXPART:.*]] = pp.matmul %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[DX:.*]] = pp.all_reduce sum %[[DXPART]] over @world["tp"] : tensor<2x4xf32>
// CHECK: return %[[DX]]
// CHECK-LABEL: func.func @mlp_w
// CHECK-NOT: pp.all_reduce
// CHECK: return
module {
pp.mesh @world ["tp" = 2]
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w1 = pp.weight "w1" from "m.onnx" offset 0 {sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<4x4xf32>
  %w2 = pp.weight "w2" from "m.onnx" offset 128 {sharding = #pp.sharding<@world, [["tp"], []]>} : tensor<4x4xf32>
  %h = pp.matmul %x, %w1 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %a = pp.relu %h : tensor<2x4xf32>
  %p = pp.matmul %a, %w2 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %y = pp.all_reduce sum %p over @world["tp"] : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
}

// -----

// Sequence parallelism: rows split by all_slice, scaled by a replicated
// g, gathered for a column-parallel matmul. The gathered value's parts
// are reduce-scattered (no all-reduce), all_slice's cotangent is
// gathered, and g, read by row-split ops, gets its gradient all-reduced.
// CHECK-LABEL: func.func @sp_b
// CHECK: %[[PART:.*]] = pp.matmul
// CHECK: %[[RS:.*]] = pp.reduce_scatter sum %[[PART]] over @world["tp"] dim 0 : tensor<4x4xf32> -> tensor<2x4xf32>
// CHECK: %[[DXS:.*]] = pp.mul %[[RS]]
// CHECK: %[[DX:.*]] = pp.all_gather %[[DXS]] over @world["tp"] dim 0 : tensor<2x4xf32> -> tensor<4x4xf32>
// CHECK: return %[[DX]]
// CHECK-LABEL: func.func @sp_w
// CHECK: %[[G:.*]] = pp.reduce sum %{{.*}} dims [0] : tensor<2x4xf32> -> tensor<4xf32>
// CHECK: %[[DG:.*]] = pp.all_reduce sum %[[G]] over @world["tp"] : tensor<4xf32>
// CHECK: return %[[DG]]
module {
pp.mesh @world ["tp" = 2]
func.func @sp(%x: tensor<4x4xf32>) -> tensor<4x2xf32> {
  %g = pp.weight "g" from "m.onnx" offset 0 : tensor<4xf32>
  %w = pp.weight "w" from "m.onnx" offset 64 {sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<4x2xf32>
  %xs = pp.all_slice %x over @world["tp"] dim 0 : tensor<4x4xf32> -> tensor<2x4xf32>
  %n = pp.mul %xs, %g : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %ng = pp.all_gather %n over @world["tp"] dim 0 : tensor<2x4xf32> -> tensor<4x4xf32>
  %h = pp.matmul %ng, %w : (tensor<4x4xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %h : tensor<4x2xf32>
}
}

// -----

// The other collectives' transposes: an all-to-all moves the split back;
// an average divides by the group; a reduce-scatter's cotangent is
// gathered.
// CHECK-LABEL: func.func @moves_b
// CHECK-DAG: pp.all_to_all %{{.*}} over @world["tp"] split 0 concat 1 : tensor<8x2xf32> -> tensor<4x4xf32>
// CHECK-DAG: pp.constant dense<5.000000e-01>
// CHECK-DAG: pp.all_gather %{{.*}} over @world["tp"] dim 0 : tensor<2x4xf32> -> tensor<4x4xf32>
module {
pp.mesh @world ["tp" = 2]
func.func @moves(%x: tensor<4x4xf32>) -> (tensor<8x2xf32>, tensor<4x4xf32>, tensor<2x4xf32>) {
  %a = pp.all_to_all %x over @world["tp"] split 1 concat 0 : tensor<4x4xf32> -> tensor<8x2xf32>
  %m = pp.all_reduce avg %x over @world["tp"] : tensor<4x4xf32>
  %r = pp.reduce_scatter sum %x over @world["tp"] dim 0 : tensor<4x4xf32> -> tensor<2x4xf32>
  return %a, %m, %r : tensor<8x2xf32>, tensor<4x4xf32>, tensor<2x4xf32>
}
}

// -----

// A vocab-parallel loss: the logits' cotangent stays this rank's block,
// softmax over the whole vocabulary (max and sum of exponentials reduced
// over tp) minus this rank's part of the one-hot label; h, replicated and
// read by the column-parallel head, gets its cotangent all-reduced.
// CHECK-LABEL: func.func @vloss_b
// CHECK: %[[RANK:.*]] = pp.group_index over @world["tp"] : tensor<i64>
// CHECK: %[[GMAX:.*]] = pp.all_reduce max %{{.*}} over @world["tp"] : tensor<2x4x1xf32>
// CHECK: %[[GSUM:.*]] = pp.all_reduce sum %{{.*}} over @world["tp"] : tensor<2x4x1xf32>
// CHECK: %[[PROBS:.*]] = pp.div %{{.*}}, %[[GSUM]] : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[DH:.*]] = pp.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[SUMMED:.*]] = pp.all_reduce sum %[[DH]] over @world["tp"] : tensor<2x4x8xf32>
// CHECK: return %[[SUMMED]]
module {
pp.mesh @world ["tp" = 2]
func.func @vloss(%h: tensor<2x4x8xf32>, %labels: tensor<2x4xi64>) -> tensor<f32> {
  %w = pp.weight "head" from "m.onnx" offset 0 {sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<8x8xf32>
  %logits = pp.matmul %h, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 {axes = ["tp"], mesh = @world} : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}
