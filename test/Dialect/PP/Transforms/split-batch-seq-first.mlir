// pp-split-batch on a sequence-first model ([T, B, E], torch's default
// batch_first=False): batch-dim=NAME:AXIS names the batch, so the split cuts
// dim 1 of every argument that has B there, and the sequence (24), which
// dim 0 would wrongly take, is left whole.
// RUN: pp-opt %s --pp-split-batch="factor=4 batch-dim=src:1" | FileCheck %s
// CHECK: pp.batch = {factor = 4 : i64, size = 8 : i64}
// CHECK: func.func @main(%[[SRC:.*]]: tensor<24x2x16xf32> {pp.batch_dim = 1 : i64, pp.name = "src"}, %{{.*}}: tensor<24x2xf32> {pp.batch_dim = 1 : i64, pp.name = "mask"})
// CHECK-SAME: -> (tensor<24x2x16xf32> {pp.batch_dim = 1 : i64})
// CHECK: pp.matmul %[[SRC]], %{{.*}} : (tensor<24x2x16xf32>, tensor<16x16xf32>) -> tensor<24x2x16xf32>
// CHECK: pp.softmax %{{.*}} dim 0 : tensor<24x2x16xf32>
// Without the flag (and without dim names) the batch would be dim 0, the
// sequence, which the softmax reads across; the first dim of the first
// argument that can be cut is taken instead: the same split.
// RUN: pp-opt %s --pp-split-batch=factor=4 | FileCheck %s --check-prefix=AUTO
// AUTO: func.func @main(%{{.*}}: tensor<24x2x16xf32> {pp.batch_dim = 1 : i64, pp.name = "src"}, %{{.*}}: tensor<24x2xf32> {pp.batch_dim = 1 : i64, pp.name = "mask"})
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch="factor=4 batch-dim=tgt:1" 2>&1 | FileCheck %s --check-prefix=UNNAMED
// UNNAMED: error: batch-dim 'tgt:1' must name an argument of @main and one of its dims, as NAME:AXIS
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch="factor=4 batch-dim=src:3" 2>&1 | FileCheck %s --check-prefix=AXIS
// AXIS: error: batch-dim 'src:3' must name an argument of @main and one of its dims, as NAME:AXIS
// The plan pipeline passes the option on: dp=4 cuts dim 1 the same way.
// RUN: pp-opt %s --pp-parallelize="dp=4 batch-dim=src:1" | FileCheck %s --check-prefix=PLAN
// PLAN: tensor<24x2x16xf32>
func.func @main(%x: tensor<24x8x16xf32> {pp.name = "src"}, %m: tensor<24x8xf32> {pp.name = "mask"}) -> tensor<24x8x16xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<16x16xf32>
  %y = pp.matmul %x, %w : (tensor<24x8x16xf32>, tensor<16x16xf32>) -> tensor<24x8x16xf32>
  %r = pp.reshape %m : tensor<24x8xf32> -> tensor<24x8x1xf32>
  %z = pp.add %y, %r : (tensor<24x8x16xf32>, tensor<24x8x1xf32>) -> tensor<24x8x16xf32>
  %s = pp.softmax %z dim 0 : tensor<24x8x16xf32>
  return %s : tensor<24x8x16xf32>
}
