// RUN: pp-opt %s --split-input-file --pp-shard-tensor-parallel | FileCheck %s

// A Megatron MLP block on tp=2: the up projection is column-parallel (each
// rank reads half of W1's columns), the down projection row-parallel (half
// of W2's rows), and its partial sums meet the residual through one
// all-reduce.

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-DAG: %[[W1:.*]] = pp.weight "w1" from "w.bin" offset 0 {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x8xf32>
// CHECK-DAG: %[[W2:.*]] = pp.weight "w2" from "w.bin" offset 512 {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<8x8xf32>
// CHECK: %[[H:.*]] = pp.matmul %[[X]], %[[W1]] {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK: %[[A:.*]] = pp.sigmoid %[[H]] : tensor<2x4x8xf32>
// CHECK: %[[P:.*]] = pp.matmul %[[A]], %[[W2]] {pp.tp = "row"} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[R:.*]] = pp.all_reduce sum %[[P]] over @world["tp"] : tensor<2x4x8xf32>
// CHECK-NEXT: %[[Y:.*]] = pp.add %[[X]], %[[R]]
// CHECK-NEXT: return %[[Y]]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @mlp(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %w1 = pp.weight "w1" from "w.bin" offset 0 : tensor<8x16xf32>
  %w2 = pp.weight "w2" from "w.bin" offset 512 : tensor<16x8xf32>
  %h = pp.matmul %x, %w1 : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %a = pp.sigmoid %h : tensor<2x4x16xf32>
  %p = pp.matmul %a, %w2 : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  %y = pp.add %x, %p : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// Attention heads stay split through reshape, transpose, the batched
// matmul and the softmax; a replicated bias is sliced to the local
// columns; the function result is gathered back.

// CHECK-LABEL: func.func @heads
// CHECK: %[[B:.*]] = pp.all_slice %{{.*}} over @world["tp"] dim 0 : tensor<8xf32> -> tensor<4xf32>
// CHECK: %[[Q:.*]] = pp.matmul %{{.*}}, %{{.*}} {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x4xf32>) -> tensor<2x4x4xf32>
// CHECK: pp.add %[[Q]], %[[B]]
// CHECK: pp.reshape %{{.*}} : tensor<2x4x4xf32> -> tensor<2x4x1x4xf32>
// CHECK: pp.transpose %{{.*}} perm [0, 2, 1, 3] : tensor<2x4x1x4xf32> -> tensor<2x1x4x4xf32>
// CHECK: pp.matmul %{{.*}}, %{{.*}} : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<2x1x4x4xf32>
// CHECK: %[[P:.*]] = pp.softmax %{{.*}} dim 3 : tensor<2x1x4x4xf32>
// CHECK: %[[G:.*]] = pp.all_gather %[[P]] over @world["tp"] dim 1 : tensor<2x1x4x4xf32> -> tensor<2x2x4x4xf32>
// CHECK: return %[[G]]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @heads(%x: tensor<2x4x8xf32>) -> tensor<2x2x4x4xf32> {
  %wq = pp.weight "wq" from "w.bin" offset 0 : tensor<8x8xf32>
  %bq = pp.constant dense<1.0> : tensor<8xf32>
  %q = pp.matmul %x, %wq : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %qb = pp.add %q, %bq : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %qh = pp.reshape %qb : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %qt = pp.transpose %qh perm [0, 2, 1, 3] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %s = pp.matmul %qt, %qt : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %p = pp.softmax %s dim 3 : tensor<2x2x4x4xf32>
  return %p : tensor<2x2x4x4xf32>
}
