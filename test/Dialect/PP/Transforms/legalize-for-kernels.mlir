// RUN: pp-opt %s --split-input-file --pp-legalize-for-kernels | FileCheck %s

// A batch of 2 against a batch of 4x2: the lhs gets an explicit broadcast;
// the rhs already has one matrix per batch entry.
// CHECK-LABEL: func.func @matmul_partial_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3x5xf32>, %[[B:.*]]: tensor<4x2x5x7xf32>)
// CHECK: %[[BA:.*]] = pp.broadcast %[[A]] : tensor<2x3x5xf32> -> tensor<4x2x3x5xf32>
// CHECK-NEXT: pp.matmul %[[BA]], %[[B]] : (tensor<4x2x3x5xf32>, tensor<4x2x5x7xf32>) -> tensor<4x2x3x7xf32>
func.func @matmul_partial_broadcast(%a: tensor<2x3x5xf32>, %b: tensor<4x2x5x7xf32>) -> tensor<4x2x3x7xf32> {
  %c = pp.matmul %a, %b : (tensor<2x3x5xf32>, tensor<4x2x5x7xf32>) -> tensor<4x2x3x7xf32>
  return %c : tensor<4x2x3x7xf32>
}

// -----

// One weight matrix for a batch, and a matrix per batch entry: kernel form.
// CHECK-LABEL: func.func @matmul_kernel_form
// CHECK-NOT: pp.broadcast
// CHECK: pp.matmul
// CHECK-NOT: pp.broadcast
// CHECK: pp.matmul
func.func @matmul_kernel_form(%x: tensor<2x3x5xf32>, %w: tensor<5x7xf32>, %y: tensor<2x5x7xf32>) -> (tensor<2x3x7xf32>, tensor<2x3x7xf32>) {
  %0 = pp.matmul %x, %w : (tensor<2x3x5xf32>, tensor<5x7xf32>) -> tensor<2x3x7xf32>
  %1 = pp.matmul %x, %y : (tensor<2x3x5xf32>, tensor<2x5x7xf32>) -> tensor<2x3x7xf32>
  return %0, %1 : tensor<2x3x7xf32>, tensor<2x3x7xf32>
}

// -----

// Dims 0 and 2 are not adjacent: they move to the back, reduce as one run,
// and the keepdims shape comes back by a reshape.
// CHECK-LABEL: func.func @reduce_non_adjacent
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.*]] = pp.transpose %[[X]] perm [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK-NEXT: %[[R:.*]] = pp.reduce max %[[T]] dims [1, 2] : tensor<3x2x4xf32> -> tensor<3xf32>
// CHECK-NEXT: %[[S:.*]] = pp.reshape %[[R]] : tensor<3xf32> -> tensor<1x3x1xf32>
// CHECK-NEXT: return %[[S]]
func.func @reduce_non_adjacent(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = pp.reduce max %x dims [0, 2] keepdims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_adjacent
// CHECK-NEXT: pp.reduce sum %{{.*}} dims [1, 2] : tensor<2x3x4xf32> -> tensor<2xf32>
// CHECK-NEXT: return
func.func @reduce_adjacent(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  %0 = pp.reduce sum %x dims [1, 2] : tensor<2x3x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// An inner-dim all_gather runs on the leading dim between two transposes.
pp.mesh @world ["tp" = 2]
// CHECK-LABEL: func.func @all_gather_inner_dim
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[T:.*]] = pp.transpose %[[X]] perm [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
// CHECK-NEXT: %[[G:.*]] = pp.all_gather %[[T]] over @world["tp"] dim 0 : tensor<8x4xf32> -> tensor<16x4xf32>
// CHECK-NEXT: %[[B:.*]] = pp.transpose %[[G]] perm [1, 0] : tensor<16x4xf32> -> tensor<4x16xf32>
// CHECK-NEXT: return %[[B]]
func.func @all_gather_inner_dim(%x: tensor<4x8xf32>) -> tensor<4x16xf32> {
  %0 = pp.all_gather %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Leading dims of size 1 keep the chunks contiguous: no transpose.
pp.mesh @world ["tp" = 2]
// CHECK-LABEL: func.func @all_gather_after_unit_dims
// CHECK-NOT: pp.transpose
// CHECK: pp.all_gather %{{.*}} dim 1
func.func @all_gather_after_unit_dims(%x: tensor<1x8xf32>) -> tensor<1x16xf32> {
  %0 = pp.all_gather %x over @world["tp"] dim 1 : tensor<1x8xf32> -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

pp.mesh @world ["tp" = 2]
// CHECK-LABEL: func.func @reduce_scatter_inner_dim
// CHECK-SAME: (%[[X:.*]]: tensor<4x16x8xf32>)
// CHECK: %[[T:.*]] = pp.transpose %[[X]] perm [1, 0, 2] : tensor<4x16x8xf32> -> tensor<16x4x8xf32>
// CHECK-NEXT: %[[R:.*]] = pp.reduce_scatter sum %[[T]] over @world["tp"] dim 0 : tensor<16x4x8xf32> -> tensor<8x4x8xf32>
// CHECK-NEXT: %[[B:.*]] = pp.transpose %[[R]] perm [1, 0, 2] : tensor<8x4x8xf32> -> tensor<4x8x8xf32>
// CHECK-NEXT: return %[[B]]
func.func @reduce_scatter_inner_dim(%x: tensor<4x16x8xf32>) -> tensor<4x8x8xf32> {
  %0 = pp.reduce_scatter sum %x over @world["tp"] dim 1 : tensor<4x16x8xf32> -> tensor<4x8x8xf32>
  return %0 : tensor<4x8x8xf32>
}

// -----

// all_to_all(split 1, concat 0) is an all_gather along 0 (itself leading)
// and this rank's slice along 1.
pp.mesh @world ["tp" = 2]
// CHECK-LABEL: func.func @all_to_all
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[G:.*]] = pp.all_gather %[[X]] over @world["tp"] dim 0 : tensor<4x8xf32> -> tensor<8x8xf32>
// CHECK-NEXT: %[[S:.*]] = pp.all_slice %[[G]] over @world["tp"] dim 1 : tensor<8x8xf32> -> tensor<8x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @all_to_all(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %0 = pp.all_to_all %x over @world["tp"] split 1 concat 0 : tensor<4x8xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// all_to_all(split 0, concat 1): the all_gather it becomes is on an inner
// dim, so it gets the transposes too.
pp.mesh @world ["tp" = 2]
// CHECK-LABEL: func.func @all_to_all_inner_concat
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>)
// CHECK: %[[T:.*]] = pp.transpose %[[X]] perm [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
// CHECK-NEXT: %[[G:.*]] = pp.all_gather %[[T]] over @world["tp"] dim 0 : tensor<4x8xf32> -> tensor<8x8xf32>
// CHECK-NEXT: %[[B:.*]] = pp.transpose %[[G]] perm [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
// CHECK-NEXT: %[[S:.*]] = pp.all_slice %[[B]] over @world["tp"] dim 0 : tensor<8x8xf32> -> tensor<4x8xf32>
// CHECK-NEXT: return %[[S]]
func.func @all_to_all_inner_concat(%x: tensor<8x4xf32>) -> tensor<4x8xf32> {
  %0 = pp.all_to_all %x over @world["tp"] split 0 concat 1 : tensor<8x4xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
