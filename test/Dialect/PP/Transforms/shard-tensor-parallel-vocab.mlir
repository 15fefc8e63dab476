// RUN: pp-opt %s --split-input-file --pp-shard-tensor-parallel | FileCheck %s

// Vocab-parallel embedding and a tied LM head on tp=2. Each rank holds
// rows [8r, 8r + 8) of the [16, 8] table; it looks up the ids in its
// block (wrapping negative ids as pp.gather does), reads row 0 for the
// others and zeroes them, so the lookup is partial and the norm gets it
// all-reduced. The head reads the same shard transposed: column-parallel
// over the vocab, logits gathered where the function returns them.

// CHECK-LABEL: func.func @tied
// CHECK-SAME: (%[[IDS:.*]]: tensor<2x4xi64>) -> tensor<2x4x16xf32>
// CHECK: %[[WTE:.*]] = pp.weight "wte" from "w.bin" offset 0 {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<8x8xf32>
// CHECK-NOT: pp.weight
// CHECK: %[[RANK:.*]] = pp.group_index over @world["tp"] : tensor<i64>
// CHECK-NEXT: %[[ROWS:.*]] = pp.constant dense<8> : tensor<i64>
// CHECK-NEXT: %[[FIRST:.*]] = pp.mul %[[RANK]], %[[ROWS]] : (tensor<i64>, tensor<i64>) -> tensor<i64>
// CHECK-NEXT: %[[ZERO:.*]] = pp.constant dense<0> : tensor<i64>
// CHECK-NEXT: %[[NEG:.*]] = pp.less %[[IDS]], %[[ZERO]] : (tensor<2x4xi64>, tensor<i64>) -> tensor<2x4xi1>
// CHECK-NEXT: %[[V:.*]] = pp.constant dense<16> : tensor<i64>
// CHECK-NEXT: %[[WRAP:.*]] = pp.add %[[IDS]], %[[V]]
// CHECK-NEXT: %[[ABS:.*]] = pp.select %[[NEG]], %[[WRAP]], %[[IDS]]
// CHECK-NEXT: %[[LOCAL:.*]] = pp.sub %[[ABS]], %[[FIRST]] : (tensor<2x4xi64>, tensor<i64>) -> tensor<2x4xi64>
// CHECK-NEXT: %[[ROWS2:.*]] = pp.constant dense<8> : tensor<i64>
// CHECK-NEXT: %[[BELOW:.*]] = pp.less %[[LOCAL]], %[[ROWS2]]
// CHECK-NEXT: %[[M1:.*]] = pp.constant dense<-1> : tensor<i64>
// CHECK-NEXT: %[[ABOVE:.*]] = pp.greater %[[LOCAL]], %[[M1]]
// CHECK-NEXT: %[[IN:.*]] = pp.and %[[ABOVE]], %[[BELOW]] : (tensor<2x4xi1>, tensor<2x4xi1>) -> tensor<2x4xi1>
// CHECK-NEXT: %[[Z:.*]] = pp.constant dense<0> : tensor<i64>
// CHECK-NEXT: %[[SAFE:.*]] = pp.select %[[IN]], %[[LOCAL]], %[[Z]] : (tensor<2x4xi1>, tensor<2x4xi64>, tensor<i64>) -> tensor<2x4xi64>
// CHECK-NEXT: %[[E:.*]] = pp.gather %[[WTE]][%[[SAFE]]] dim 0 {pp.tp = "vocab"} : (tensor<8x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[MASK:.*]] = pp.reshape %[[IN]] : tensor<2x4xi1> -> tensor<2x4x1xi1>
// CHECK-NEXT: %[[ZF:.*]] = pp.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[PART:.*]] = pp.select %[[MASK]], %[[E]], %[[ZF]] : (tensor<2x4x1xi1>, tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[SUM:.*]] = pp.all_reduce sum %[[PART]] over @world["tp"] : tensor<2x4x8xf32>
// CHECK-NEXT: %[[N:.*]] = pp.rms_norm %[[SUM]]
// CHECK-NEXT: %[[WT:.*]] = pp.transpose %[[WTE]] perm [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
// CHECK-NEXT: %[[L:.*]] = pp.matmul %[[N]], %[[WT]] {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[G:.*]] = pp.all_gather %[[L]] over @world["tp"] dim 2 : tensor<2x4x8xf32> -> tensor<2x4x16xf32>
// CHECK-NEXT: return %[[G]]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @tied(%ids: tensor<2x4xi64>) -> tensor<2x4x16xf32> {
  %wte = pp.weight "wte" from "w.bin" offset 0 : tensor<16x8xf32>
  %g = pp.constant dense<1.0> : tensor<8xf32>
  %e = pp.gather %wte[%ids] dim 0 : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %n = pp.rms_norm %e, %g epsilon 1.0e-5 : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %wt = pp.transpose %wte perm [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %logits = pp.matmul %n, %wt : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  return %logits : tensor<2x4x16xf32>
}

// -----

// An untied head [8, 32] is column-parallel over the vocab; a position
// table gathered by positions (not token ids) stays replicated, and a
// partial embedding plus a replicated one is all-reduced before the add.

// CHECK-LABEL: func.func @untied
// CHECK-DAG: %[[WTE:.*]] = pp.weight "wte" from "w.bin" offset 0 {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<16x8xf32>
// CHECK-DAG: %[[HEAD:.*]] = pp.weight "lm_head" from "w.bin" offset 1024 {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x16xf32>
// CHECK-DAG: %[[WPE:.*]] = pp.weight "wpe" from "w.bin" offset 2048 : tensor<4x8xf32>
// CHECK: %[[E:.*]] = pp.gather %[[WTE]][%{{.*}}] dim 0 {pp.tp = "vocab"} : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
// CHECK: %[[PART:.*]] = pp.select %{{.*}}, %[[E]], %{{.*}} : (tensor<2x4x1xi1>, tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[SUM:.*]] = pp.all_reduce sum %[[PART]] over @world["tp"] : tensor<2x4x8xf32>
// CHECK-NEXT: %[[P:.*]] = pp.gather %[[WPE]][%{{.*}}] dim 0 : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[H:.*]] = pp.add %[[SUM]], %[[P]]
// CHECK-NEXT: %[[L:.*]] = pp.matmul %[[H]], %[[HEAD]] {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NEXT: %[[G:.*]] = pp.all_gather %[[L]] over @world["tp"] dim 2 : tensor<2x4x16xf32> -> tensor<2x4x32xf32>
// CHECK-NEXT: return %[[G]]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @untied(%ids: tensor<2x4xi64>) -> tensor<2x4x32xf32> {
  %wte = pp.weight "wte" from "w.bin" offset 0 : tensor<32x8xf32>
  %head = pp.weight "lm_head" from "w.bin" offset 1024 : tensor<8x32xf32>
  %wpe = pp.weight "wpe" from "w.bin" offset 2048 : tensor<4x8xf32>
  %pos = pp.constant dense<[0, 1, 2, 3]> : tensor<4xi64>
  %e = pp.gather %wte[%ids] dim 0 : (tensor<32x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %p = pp.gather %wpe[%pos] dim 0 : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<4x8xf32>
  %h = pp.add %e, %p : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %logits = pp.matmul %h, %head : (tensor<2x4x8xf32>, tensor<8x32xf32>) -> tensor<2x4x32xf32>
  return %logits : tensor<2x4x32xf32>
}

// -----

// A vocab of 15 does not divide by 2: the table and the head stay
// replicated (correct, only larger), with no collective at all.

// CHECK-LABEL: func.func @odd_vocab
// CHECK: pp.weight "wte" from "w.bin" offset 0 : tensor<15x8xf32>
// CHECK: pp.weight "lm_head" from "w.bin" offset 480 : tensor<8x15xf32>
// CHECK: pp.gather %{{.*}}[%{{.*}}] dim 0 : (tensor<15x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
// CHECK-NEXT: pp.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<8x15xf32>) -> tensor<2x4x15xf32>
// CHECK-NOT: pp.all_
// CHECK: return
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @odd_vocab(%ids: tensor<2x4xi64>) -> tensor<2x4x15xf32> {
  %wte = pp.weight "wte" from "w.bin" offset 0 : tensor<15x8xf32>
  %head = pp.weight "lm_head" from "w.bin" offset 480 : tensor<8x15xf32>
  %e = pp.gather %wte[%ids] dim 0 : (tensor<15x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %logits = pp.matmul %e, %head : (tensor<2x4x8xf32>, tensor<8x15xf32>) -> tensor<2x4x15xf32>
  return %logits : tensor<2x4x15xf32>
}
