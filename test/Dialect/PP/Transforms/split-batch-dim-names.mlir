// pp-split-batch takes the batch from the export's name for it: the
// importer keeps a graph input's symbolic dim names (torch's dynamic_axes)
// as pp.dim_names, and a dim named like a batch ("batch", "batch_size",
// "bs", "B") sets batch-dim without the flag. Here the sequence-first
// input is [seq, batch], so dim 1 is cut and the sequence (24) stays whole.
// RUN: pp-opt %s --pp-split-batch=factor=4 | FileCheck %s
// CHECK: pp.batch = {factor = 4 : i64, size = 8 : i64}
// CHECK: func.func @main(%{{.*}}: tensor<24x2x16xf32> {pp.batch_dim = 1 : i64, pp.dim_names = ["seq", "batch"], pp.name = "src"})
// CHECK: pp.softmax %{{.*}} dim 0 : tensor<24x2x16xf32>
// The flag still wins over the names.
// RUN: %expect-exit 1 pp-opt %s --pp-split-batch="factor=4 batch-dim=src:0" 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: error: cannot split the batch: softmax over dim 0, which holds the batch
// FLAG-NOT: --batch-dim
func.func @main(%x: tensor<24x8x16xf32> {pp.name = "src", pp.dim_names = ["seq", "batch"]}) -> tensor<24x8x16xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<16x16xf32>
  %y = pp.matmul %x, %w : (tensor<24x8x16xf32>, tensor<16x16xf32>) -> tensor<24x8x16xf32>
  %s = pp.softmax %y dim 0 : tensor<24x8x16xf32>
  return %s : tensor<24x8x16xf32>
}
