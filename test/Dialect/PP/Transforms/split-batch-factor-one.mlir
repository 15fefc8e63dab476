// With factor 1 nothing is cut, so an op that reads across the batch is
// not an error: the batch just ends there. Types stay; annotations are
// written.
// RUN: pp-opt %s --pp-split-batch=factor=1 | FileCheck %s
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch="factor=2 batch-size=8" 2>&1 | FileCheck %s --check-prefix=TWO

// CHECK: module attributes {pp.batch = {factor = 1 : i64, size = 8 : i64}}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<8x16xf32> {pp.batch_dim = 0 : i64})
// CHECK-SAME: -> (tensor<16xf32>, tensor<8x16xf32> {pp.batch_dim = 0 : i64})
// CHECK: pp.reduce sum %{{.*}} dims [0] : tensor<8x16xf32> -> tensor<16xf32>
// TWO: error: cannot split the batch: reduce over dim 0, which holds the batch
func.func @main(%x: tensor<8x16xf32>) -> (tensor<16xf32>, tensor<8x16xf32>) {
  %s = pp.reduce sum %x dims [0] : tensor<8x16xf32> -> tensor<16xf32>
  %y = pp.exp %x : tensor<8x16xf32>
  return %s, %y : tensor<16xf32>, tensor<8x16xf32>
}
