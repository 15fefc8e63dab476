// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, BroadcastOp::fold): the index map for
// every result element is built before checking kMaxFoldElements and before
// checking that the input is a constant, so canonicalising a broadcast of a
// plain argument to a large shape allocates one int64 per result element
// and aborts here ("SmallVector unable to grow"; 2^40 elements). Check the
// limit and the constant first.

// CHECK-LABEL: func.func @broadcast_argument_to_huge_shape
// CHECK-SAME: (%[[X:.*]]: tensor<1xf32>)
// CHECK-NEXT: %[[B:.*]] = pp.broadcast %[[X]] : tensor<1xf32> -> tensor<1048576x1048576xf32>
// CHECK-NEXT: return %[[B]]
func.func @broadcast_argument_to_huge_shape(%x: tensor<1xf32>) -> tensor<1048576x1048576xf32> {
  %0 = pp.broadcast %x : tensor<1xf32> -> tensor<1048576x1048576xf32>
  return %0 : tensor<1048576x1048576xf32>
}
