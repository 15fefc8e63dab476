// Bad options of pp-split-batch are reported on @main.
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch=factor=0 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: factor must be at least 1 and batch-size at least 0
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch=batch-size=-2 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch="factor=2 batch-size=6" 2>&1 | FileCheck %s --check-prefix=NOARG
// NOARG: error: no argument of @main has the batch size 6 at dim 0
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch=factor=3 2>&1 | FileCheck %s --check-prefix=DIVIDE
// DIVIDE: error: cannot split the batch: batch size 8 is not divisible by factor 3
// An explicit batch-size picks which arguments are split.
// RUN: pp-opt %s --pp-split-batch="factor=2 batch-size=4" | FileCheck %s --check-prefix=FOUR
// FOUR: pp.batch = {factor = 2 : i64, size = 4 : i64}
// FOUR: func.func @main(%{{.*}}: tensor<8x4xf32>, %{{.*}}: tensor<2x8xf32> {pp.batch_dim = 0 : i64}) -> (tensor<8x4xf32>, tensor<2x8xf32> {pp.batch_dim = 0 : i64})
// FOUR: pp.exp %{{.*}} : tensor<8x4xf32>
// FOUR: pp.exp %{{.*}} : tensor<2x8xf32>
func.func @main(%x: tensor<8x4xf32>, %y: tensor<4x8xf32>) -> (tensor<8x4xf32>, tensor<4x8xf32>) {
  %a = pp.exp %x : tensor<8x4xf32>
  %b = pp.exp %y : tensor<4x8xf32>
  return %a, %b : tensor<8x4xf32>, tensor<4x8xf32>
}
