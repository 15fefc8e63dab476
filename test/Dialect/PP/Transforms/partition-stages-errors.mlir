// Every error of pp-partition-stages: a bad split is reported, never
// silently changed. The model below has four layers.
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=0" 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: num-stages, virtual-stages, dp and tp must be at least 1
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=2 stage-layers=1,1,2" 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: stage-layers has 3 entries for 2 stages
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=2 virtual-stages=2 stage-layers=1,1,2" 2>&1 | FileCheck %s --check-prefix=VCOUNT
// VCOUNT: error: stage-layers has 3 entries for 4 stages
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=2 stage-layers=4,0" 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: stage-layers gives stage 1 0 layers; every stage needs at least one
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=2 stage-layers=2,3" 2>&1 | FileCheck %s --check-prefix=SUM
// SUM: error: stage-layers adds up to 5 layers but the model has 4
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=8" 2>&1 | FileCheck %s --check-prefix=FEW
// FEW: error: cannot split 4 layers into 8 pipeline stages
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=1 virtual-stages=2" 2>&1 | FileCheck %s --check-prefix=VIRTUAL
// VIRTUAL: error: virtual-stages needs at least 2 pipeline ranks
// RUN: not pp-opt %s --pp-partition-stages="num-stages=2 placement=w" 2>&1 | FileCheck %s --check-prefix=PLACEMENT
// PLACEMENT: error: placement must be loop or v, got 'w'
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %w0 = pp.weight "w0" from "w.bin" offset 0 : tensor<8x8xf32> loc("/layers.0/w")
  %w1 = pp.weight "w1" from "w.bin" offset 256 : tensor<8x8xf32> loc("/layers.1/w")
  %w2 = pp.weight "w2" from "w.bin" offset 512 : tensor<8x8xf32> loc("/layers.2/w")
  %w3 = pp.weight "w3" from "w.bin" offset 768 : tensor<8x8xf32> loc("/layers.3/w")
  %h0 = pp.matmul %x, %w0 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32> loc("/layers.0/mm")
  %h1 = pp.matmul %h0, %w1 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32> loc("/layers.1/mm")
  %h2 = pp.matmul %h1, %w2 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32> loc("/layers.2/mm")
  %h3 = pp.matmul %h2, %w3 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32> loc("/layers.3/mm")
  return %h3 : tensor<2x8xf32>
}
