// A loss over a column-parallel LM head's logits is vocab-parallel: each
// tp rank keeps its block of classes (no all_gather), and
// pp-legalize-for-kernels expands the loss into the max and the sum of
// exponentials reduced over tp (the log-normalizer), the target logit picked
// on the rank that holds the label's class (its block starts at
// group_index * 8) and reduced over tp, and their mean over the positions
// whose label counts.
// RUN: pp-opt %s --pp-shard-tensor-parallel | FileCheck %s
// RUN: pp-opt %s --pp-shard-tensor-parallel --pp-legalize-for-kernels | FileCheck %s --check-prefix=EXPAND

// CHECK-LABEL: func.func @head
// CHECK: %[[LOGITS:.*]] = pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NOT: pp.all_gather
// CHECK: pp.cross_entropy %[[LOGITS]], %{{.*}} ignore_index -100 {axes = ["tp"], mesh = @world, pp.tp = "vocab"} : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<f32>

// EXPAND-LABEL: func.func @head
// EXPAND-NOT: pp.cross_entropy
// EXPAND: %[[MAX:.*]] = pp.reduce max %[[Z:.*]] dims [2] keepdims
// EXPAND: %[[GMAX:.*]] = pp.all_reduce max %[[MAX]] over @world["tp"] : tensor<2x4x1xf32>
// EXPAND: %[[SUM:.*]] = pp.reduce sum %{{.*}} dims [2] keepdims
// EXPAND: %[[GSUM:.*]] = pp.all_reduce sum %[[SUM]] over @world["tp"] : tensor<2x4x1xf32>
// EXPAND: %[[LOG:.*]] = pp.log %[[GSUM]]
// EXPAND: %[[LSE:.*]] = pp.add %[[LOG]], %[[GMAX]]
// EXPAND: %[[RANK:.*]] = pp.group_index over @world["tp"] : tensor<i64>
// EXPAND: %[[BLOCK:.*]] = pp.constant dense<8> : tensor<i64>
// EXPAND: %[[START:.*]] = pp.mul %[[RANK]], %[[BLOCK]]
// EXPAND: %[[PICKED:.*]] = pp.reduce sum %{{.*}} dims [2] keepdims
// EXPAND: %[[TARGET:.*]] = pp.all_reduce sum %[[PICKED]] over @world["tp"] : tensor<2x4x1xf32>
// EXPAND: pp.sub %[[LSE]], %[[TARGET]]
// EXPAND: return
module {
pp.mesh @world ["tp" = 2]
func.func @head(%h: tensor<2x4x8xf32>, %labels: tensor<2x4xi64>) -> tensor<f32> {
  %w = pp.weight "head" from "m.onnx" offset 0 : tensor<8x16xf32>
  %logits = pp.matmul %h, %w : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4x16xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
}
