// RUN: pp-opt %s --split-input-file --pp-shard-tensor-parallel=annotate-only | FileCheck %s

// The decisions of pp-shard-tensor-parallel, before any rewrite: each op
// that is not fully replicated carries the shardings it needs of its
// operands and those of its results; types stay global and no collective
// is inserted yet.

// A Megatron MLP on tp=2: the up projection is column-parallel (its weight
// split on the columns, the result on its last dim), the activation keeps
// the split, the down projection is row-parallel (its weight split on the
// rows, the result partial), and the residual add needs the partial value
// replicated.
// CHECK-LABEL: func.func @mlp
// CHECK: pp.matmul %{{.*}}, %{{.*}} {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], [], []]>, #pp.sharding<@world, {{\[\[}}], ["tp"]]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"]]>], pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
// CHECK: pp.sigmoid %{{.*}} {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"]]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"]]>]} : tensor<2x4x16xf32>
// CHECK: pp.matmul %{{.*}}, %{{.*}} {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"]]>, #pp.sharding<@world, {{\[\[}}"tp"], []]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], [], []], partial sum ["tp"]>], pp.tp = "row"} : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
// The add needs both operands replicated, which is the default: no
// annotation.
// CHECK: pp.add %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NOT: pp.all_reduce
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

// Heads: the split columns (dim 2) become the head dim of the reshape
// (the major factor of 8 = 2 heads x 4), move with the transpose, stay
// split through the batched matmul (a parallel factor both operands
// have) and through the softmax, which reads across dim 3 only.
// CHECK-LABEL: func.func @heads
// CHECK: pp.reshape %{{.*}} {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"]]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"], []]>]}
// CHECK: pp.transpose %{{.*}} perm [0, 2, 1, 3] {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], [], ["tp"], []]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], ["tp"], [], []]>]}
// CHECK: pp.matmul %{{.*}}, %{{.*}} {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], ["tp"], [], []]>, #pp.sharding<@world, {{\[\[}}], ["tp"], [], []]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], ["tp"], [], []]>]}
// CHECK: pp.softmax %{{.*}} dim 3 {pp.operand_shardings = [#pp.sharding<@world, {{\[\[}}], ["tp"], [], []]>], pp.result_shardings = [#pp.sharding<@world, {{\[\[}}], ["tp"], [], []]>]}
// A softmax over the split dim needs its input whole.
// CHECK: pp.softmax %{{.*}} dim 1 : tensor<2x2x4x4xf32>
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @heads(%x: tensor<2x4x8xf32>) -> (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) {
  %wq = pp.weight "wq" from "w.bin" offset 0 : tensor<8x8xf32>
  %q = pp.matmul %x, %wq : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %qh = pp.reshape %q : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %qt = pp.transpose %qh perm [0, 2, 1, 3] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %s = pp.matmul %qt, %qt : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %p = pp.softmax %s dim 3 : tensor<2x2x4x4xf32>
  %o = pp.softmax %s dim 1 : tensor<2x2x4x4xf32>
  return %p, %o : tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>
}
