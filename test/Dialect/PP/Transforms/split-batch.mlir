// pp-split-batch: every value that holds the batch (B = 8) gets its batch
// dim divided by the factor; weights, constants and masks stay whole.
// RUN: pp-opt %s -split-input-file --pp-split-batch=factor=4 | FileCheck %s
// RUN: pp-opt %s -split-input-file --pp-split-batch=factor=2 | FileCheck %s --check-prefix=HALF
// RUN: pp-opt %s -split-input-file --pp-split-batch=factor=1 | FileCheck %s --check-prefix=ONE

// An attention block as the GPT-2 export writes it: embedding, norm, fused
// QKV projection sliced on the last dim, heads by reshape and transpose,
// causal mask, softmax, output projection.
// CHECK: module attributes {pp.batch = {factor = 4 : i64, size = 8 : i64}}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[IDS:[a-z0-9]+]]: tensor<2x16xi64> {pp.batch_dim = 0 : i64, pp.name = "input_ids"})
// CHECK-SAME: -> (tensor<2x16x64xf32> {pp.batch_dim = 0 : i64})
// CHECK: pp.weight "wte" {{.*}} : tensor<128x64xf32>
// CHECK: pp.gather %{{.*}}[%[[IDS]]] dim 0 : (tensor<128x64xf32>, tensor<2x16xi64>) -> tensor<2x16x64xf32>
// CHECK: pp.add %{{.*}}, %{{.*}} : (tensor<2x16x64xf32>, tensor<16x64xf32>) -> tensor<2x16x64xf32>
// CHECK: pp.layer_norm {{.*}} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
// CHECK: pp.matmul {{.*}} : (tensor<2x16x64xf32>, tensor<64x192xf32>) -> tensor<2x16x192xf32>
// CHECK: pp.slice %{{.*}} starts [0, 0, 0] steps [1, 1, 1] : tensor<2x16x192xf32> -> tensor<2x16x64xf32>
// CHECK: pp.slice %{{.*}} starts [0, 0, 64] steps [1, 1, 1] : tensor<2x16x192xf32> -> tensor<2x16x64xf32>
// CHECK: pp.reshape %{{.*}} : tensor<2x16x64xf32> -> tensor<2x16x4x16xf32>
// CHECK: pp.transpose %{{.*}} perm [0, 2, 1, 3] : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
// CHECK: pp.transpose %{{.*}} perm [0, 2, 3, 1] : tensor<2x16x4x16xf32> -> tensor<2x4x16x16xf32>
// CHECK: pp.matmul {{.*}} : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
// CHECK: pp.div {{.*}} : (tensor<2x4x16x16xf32>, tensor<f32>) -> tensor<2x4x16x16xf32>
// CHECK: pp.select {{.*}} : (tensor<1x1x16x16xi1>, tensor<f32>, tensor<2x4x16x16xf32>) -> tensor<2x4x16x16xf32>
// CHECK: pp.softmax %{{.*}} dim 3 : tensor<2x4x16x16xf32>
// CHECK: pp.transpose %{{.*}} perm [0, 2, 1, 3] : tensor<2x4x16x16xf32> -> tensor<2x16x4x16xf32>
// CHECK: pp.reshape %{{.*}} : tensor<2x16x4x16xf32> -> tensor<2x16x64xf32>
// CHECK: return %{{.*}} : tensor<2x16x64xf32>

// HALF: module attributes {pp.batch = {factor = 2 : i64, size = 8 : i64}}
// HALF: pp.softmax %{{.*}} dim 3 : tensor<4x4x16x16xf32>

// With factor 1 nothing changes but the annotations.
// ONE: module attributes {pp.batch = {factor = 1 : i64, size = 8 : i64}}
// ONE-NEXT: func.func @main
// ONE-SAME: tensor<8x16xi64> {pp.batch_dim = 0 : i64, pp.name = "input_ids"}
// ONE-SAME: -> (tensor<8x16x64xf32> {pp.batch_dim = 0 : i64})
// ONE: pp.softmax %{{.*}} dim 3 : tensor<8x4x16x16xf32>
func.func @main(%ids: tensor<8x16xi64> {pp.name = "input_ids"}) -> tensor<8x16x64xf32> {
  %wte = pp.weight "wte" from "w.bin" offset 0 : tensor<128x64xf32>
  %wpe = pp.constant dense<0.5> : tensor<16x64xf32>
  %g = pp.constant dense<1.0> : tensor<64xf32>
  %b = pp.constant dense<0.0> : tensor<64xf32>
  %wqkv = pp.weight "wqkv" from "w.bin" offset 32768 : tensor<64x192xf32>
  %scale = pp.constant dense<4.0> : tensor<f32>
  %mask = pp.constant dense<true> : tensor<1x1x16x16xi1>
  %ninf = pp.constant dense<-1.0e+30> : tensor<f32>
  %e = pp.gather %wte[%ids] dim 0 : (tensor<128x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
  %x = pp.add %e, %wpe : (tensor<8x16x64xf32>, tensor<16x64xf32>) -> tensor<8x16x64xf32>
  %n = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  %qkv = pp.matmul %n, %wqkv : (tensor<8x16x64xf32>, tensor<64x192xf32>) -> tensor<8x16x192xf32>
  %q0 = pp.slice %qkv starts [0, 0, 0] steps [1, 1, 1] : tensor<8x16x192xf32> -> tensor<8x16x64xf32>
  %k0 = pp.slice %qkv starts [0, 0, 64] steps [1, 1, 1] : tensor<8x16x192xf32> -> tensor<8x16x64xf32>
  %q1 = pp.reshape %q0 : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  %k1 = pp.reshape %k0 : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  %q = pp.transpose %q1 perm [0, 2, 1, 3] : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
  %kt = pp.transpose %k1 perm [0, 2, 3, 1] : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
  %s = pp.matmul %q, %kt : (tensor<8x4x16x16xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  %s1 = pp.div %s, %scale : (tensor<8x4x16x16xf32>, tensor<f32>) -> tensor<8x4x16x16xf32>
  %s2 = pp.select %mask, %ninf, %s1 : (tensor<1x1x16x16xi1>, tensor<f32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  %p = pp.softmax %s2 dim 3 : tensor<8x4x16x16xf32>
  %o = pp.transpose %p perm [0, 2, 1, 3] : tensor<8x4x16x16xf32> -> tensor<8x16x4x16xf32>
  %y = pp.reshape %o : tensor<8x16x4x16xf32> -> tensor<8x16x64xf32>
  return %y : tensor<8x16x64xf32>
}

// -----

// Operands that span the batch without holding it: a splat constant and a
// broadcast from size 1 are rebuilt at the smaller size; a [1,1,1,16]-style
// mask that broadcasts is left alone. The BERT-style mask reshape keeps the
// batch at dim 0; the pooler gathers the first token along dim 1.
// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x16x64xf32> {pp.batch_dim = 0 : i64}
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<2x16xi64> {pp.batch_dim = 0 : i64}
// CHECK-SAME: -> (tensor<2x64xf32> {pp.batch_dim = 0 : i64}, tensor<2x1x1x16xf32> {pp.batch_dim = 0 : i64})
// The full-size copies have no reader left.
// CHECK-NOT: tensor<8x16x64xf32>
// CHECK: %[[BIAS:.*]] = pp.constant dense<1.000000e+00> : tensor<2x16x64xf32>
// CHECK-NEXT: pp.add %[[X]], %[[BIAS]] : (tensor<2x16x64xf32>, tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
// CHECK-NEXT: %[[POS:.*]] = pp.broadcast %{{.*}} : tensor<1x16x64xf32> -> tensor<2x16x64xf32>
// CHECK-NEXT: pp.add %{{.*}}, %[[POS]] : (tensor<2x16x64xf32>, tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
// CHECK: pp.reshape %[[M]] : tensor<2x16xi64> -> tensor<2x1x1x16xi64>
// CHECK: pp.cast %{{.*}} : tensor<2x1x1x16xi64> -> tensor<2x1x1x16xf32>
// CHECK: pp.sub %{{.*}}, %{{.*}} : (tensor<f32>, tensor<2x1x1x16xf32>) -> tensor<2x1x1x16xf32>
// CHECK: pp.gather %{{.*}}[%{{.*}}] dim 1 : (tensor<2x16x64xf32>, tensor<i64>) -> tensor<2x64xf32>
// CHECK: pp.tanh %{{.*}} : tensor<2x64xf32>
func.func @main(%x: tensor<8x16x64xf32>, %mask: tensor<8x16xi64>) -> (tensor<8x64xf32>, tensor<8x1x1x16xf32>) {
  %bias = pp.constant dense<1.0> : tensor<8x16x64xf32>
  %pos0 = pp.weight "pos" from "w.bin" offset 0 : tensor<1x16x64xf32>
  %pos = pp.broadcast %pos0 : tensor<1x16x64xf32> -> tensor<8x16x64xf32>
  %one = pp.constant dense<1.0> : tensor<f32>
  %first = pp.constant dense<0> : tensor<i64>
  %a = pp.add %x, %bias : (tensor<8x16x64xf32>, tensor<8x16x64xf32>) -> tensor<8x16x64xf32>
  %h = pp.add %a, %pos : (tensor<8x16x64xf32>, tensor<8x16x64xf32>) -> tensor<8x16x64xf32>
  %m1 = pp.reshape %mask : tensor<8x16xi64> -> tensor<8x1x1x16xi64>
  %m2 = pp.cast %m1 : tensor<8x1x1x16xi64> -> tensor<8x1x1x16xf32>
  %m3 = pp.sub %one, %m2 : (tensor<f32>, tensor<8x1x1x16xf32>) -> tensor<8x1x1x16xf32>
  %cls = pp.gather %h[%first] dim 1 : (tensor<8x16x64xf32>, tensor<i64>) -> tensor<8x64xf32>
  %pooled = pp.tanh %cls : tensor<8x64xf32>
  return %pooled, %m3 : tensor<8x64xf32>, tensor<8x1x1x16xf32>
}

// -----

// Reshapes move the batch: merged into the rows of a 2-D matmul (extent
// 8*16 = 128 -> 32), split back out, behind a leading 1, and into a
// 5-D GQA broadcast. Concat and slice along other dims keep it; a splat
// concat input shrinks with it.
// CHECK-LABEL: func.func @main
// CHECK: pp.reshape %{{.*}} : tensor<2x16x64xf32> -> tensor<32x64xf32>
// CHECK: pp.matmul {{.*}} : (tensor<32x64xf32>, tensor<64x64xf32>) -> tensor<32x64xf32>
// CHECK: pp.reshape %{{.*}} : tensor<32x64xf32> -> tensor<2x16x64xf32>
// CHECK: pp.reshape %{{.*}} : tensor<2x16x64xf32> -> tensor<1x2x16x2x32xf32>
// CHECK: pp.broadcast %{{.*}} : tensor<1x2x16x2x32xf32> -> tensor<1x2x16x2x32xf32>
// CHECK: pp.reshape %{{.*}} : tensor<2x16x64xf32> -> tensor<2x16x1x64xf32>
// CHECK: pp.broadcast %{{.*}} : tensor<2x16x1x64xf32> -> tensor<2x16x2x64xf32>
// CHECK: pp.slice %{{.*}} starts [0, 0, 8] steps [1, 1, 1] : tensor<2x16x64xf32> -> tensor<2x16x8xf32>
// CHECK: %[[Z:.*]] = pp.constant dense<0.000000e+00> : tensor<2x16x8xf32>
// CHECK: pp.concat %{{.*}}, %[[Z]] dim 2 : (tensor<2x16x8xf32>, tensor<2x16x8xf32>) -> tensor<2x16x16xf32>
// CHECK: pp.trilu %{{.*}} lower k 0 : tensor<2x16x16xf32>
// CHECK: return {{.*}} : tensor<1x2x16x2x32xf32>, tensor<2x16x2x64xf32>, tensor<2x16x16xf32>
func.func @main(%x: tensor<8x16x64xf32>) -> (tensor<1x8x16x2x32xf32>, tensor<8x16x2x64xf32>, tensor<8x16x16xf32>) {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<64x64xf32>
  %zero = pp.constant dense<0.0> : tensor<8x16x8xf32>
  %r = pp.reshape %x : tensor<8x16x64xf32> -> tensor<128x64xf32>
  %mm = pp.matmul %r, %w : (tensor<128x64xf32>, tensor<64x64xf32>) -> tensor<128x64xf32>
  %back = pp.reshape %mm : tensor<128x64xf32> -> tensor<8x16x64xf32>
  %lead = pp.reshape %back : tensor<8x16x64xf32> -> tensor<1x8x16x2x32xf32>
  %same = pp.broadcast %lead : tensor<1x8x16x2x32xf32> -> tensor<1x8x16x2x32xf32>
  %kv = pp.reshape %back : tensor<8x16x64xf32> -> tensor<8x16x1x64xf32>
  %rep = pp.broadcast %kv : tensor<8x16x1x64xf32> -> tensor<8x16x2x64xf32>
  %part = pp.slice %back starts [0, 0, 8] steps [1, 1, 1] : tensor<8x16x64xf32> -> tensor<8x16x8xf32>
  %cat = pp.concat %part, %zero dim 2 : (tensor<8x16x8xf32>, tensor<8x16x8xf32>) -> tensor<8x16x16xf32>
  %tri = pp.trilu %cat lower k 0 : tensor<8x16x16xf32>
  return %same, %rep, %tri : tensor<1x8x16x2x32xf32>, tensor<8x16x2x64xf32>, tensor<8x16x16xf32>
}

// -----

// The batch away from dim 0: a matmul with the batch in the rhs columns,
// a transpose, a reduction over another dim (without keepdims) and an
// RMS norm. Arguments whose dim 0 is not B are not split; results that do
// not hold the batch get no pp.batch_dim.
// CHECK-LABEL: func.func @main
// CHECK-SAME: %{{.*}}: tensor<2x64xf32> {pp.batch_dim = 0 : i64}
// CHECK-SAME: %{{.*}}: tensor<4x64xf32>)
// CHECK-SAME: -> (tensor<4x2xf32> {pp.batch_dim = 1 : i64}, tensor<2xf32> {pp.batch_dim = 0 : i64}, tensor<2x4xf32> {pp.batch_dim = 0 : i64}, tensor<4x64xf32>)
// CHECK: pp.transpose %{{.*}} perm [1, 0] : tensor<2x64xf32> -> tensor<64x2xf32>
// CHECK: pp.matmul {{.*}} : (tensor<4x64xf32>, tensor<64x2xf32>) -> tensor<4x2xf32>
// CHECK: pp.reduce sum %{{.*}} dims [0] : tensor<4x2xf32> -> tensor<2xf32>
// CHECK: pp.rms_norm {{.*}} : (tensor<2x64xf32>, tensor<64xf32>) -> tensor<2x64xf32>
// CHECK: pp.matmul {{.*}} : (tensor<2x64xf32>, tensor<64x4xf32>) -> tensor<2x4xf32>
// CHECK: pp.exp %{{.*}} : tensor<4x64xf32>
func.func @main(%xt: tensor<8x64xf32>, %other: tensor<4x64xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x64xf32>) {
  %g = pp.constant dense<1.0> : tensor<64xf32>
  %x = pp.transpose %xt perm [1, 0] : tensor<8x64xf32> -> tensor<64x8xf32>
  %y = pp.matmul %other, %x : (tensor<4x64xf32>, tensor<64x8xf32>) -> tensor<4x8xf32>
  %sum = pp.reduce sum %y dims [0] : tensor<4x8xf32> -> tensor<8xf32>
  %n = pp.rms_norm %xt, %g epsilon 1.0e-06 : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %ot = pp.transpose %other perm [1, 0] : tensor<4x64xf32> -> tensor<64x4xf32>
  %z = pp.matmul %n, %ot : (tensor<8x64xf32>, tensor<64x4xf32>) -> tensor<8x4xf32>
  %e = pp.exp %other : tensor<4x64xf32>
  return %y, %sum, %z, %e : tensor<4x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x64xf32>
}

// -----

// The batch merged into other dims, as nn.MultiheadAttention views a
// sequence-first (T, B, E) activation: (T*B, E) for a projection and
// (B*h, T, d) for the heads. The batch stays a factor of the merged dim
// (behind T in T*B, ahead of h in B*h) and only that factor is cut.
// CHECK-LABEL: func.func @main
// CHECK-SAME: -> (tensor<2x4x16x16xf32> {pp.batch_dim = 0 : i64})
// CHECK: pp.transpose %{{.*}} perm [1, 0, 2] : tensor<2x16x64xf32> -> tensor<16x2x64xf32>
// CHECK: pp.reshape %{{.*}} : tensor<16x2x64xf32> -> tensor<32x64xf32>
// CHECK: pp.matmul {{.*}} : (tensor<32x64xf32>, tensor<64x64xf32>) -> tensor<32x64xf32>
// CHECK: pp.reshape %{{.*}} : tensor<32x64xf32> -> tensor<16x2x64xf32>
// CHECK: pp.reshape %{{.*}} : tensor<16x2x64xf32> -> tensor<16x8x16xf32>
// CHECK: pp.transpose %{{.*}} perm [1, 0, 2] : tensor<16x8x16xf32> -> tensor<8x16x16xf32>
// CHECK: pp.softmax %{{.*}} dim 2 : tensor<8x16x16xf32>
// CHECK: pp.reshape %{{.*}} : tensor<8x16x16xf32> -> tensor<2x4x16x16xf32>
func.func @main(%x: tensor<8x16x64xf32>) -> tensor<8x4x16x16xf32> {
  %w = pp.weight "w" from "w.bin" offset 0 : tensor<64x64xf32>
  %t = pp.transpose %x perm [1, 0, 2] : tensor<8x16x64xf32> -> tensor<16x8x64xf32>
  %r = pp.reshape %t : tensor<16x8x64xf32> -> tensor<128x64xf32>
  %p = pp.matmul %r, %w : (tensor<128x64xf32>, tensor<64x64xf32>) -> tensor<128x64xf32>
  %u = pp.reshape %p : tensor<128x64xf32> -> tensor<16x8x64xf32>
  %h = pp.reshape %u : tensor<16x8x64xf32> -> tensor<16x32x16xf32>
  %ht = pp.transpose %h perm [1, 0, 2] : tensor<16x32x16xf32> -> tensor<32x16x16xf32>
  %s = pp.softmax %ht dim 2 : tensor<32x16x16xf32>
  %o = pp.reshape %s : tensor<32x16x16xf32> -> tensor<8x4x16x16xf32>
  return %o : tensor<8x4x16x16xf32>
}

// -----

// Position ids as torch writes them: arange(T) -> unsqueeze(0) ->
// expand(B, T) -> table lookup. The lookup does not hold the batch but is
// the same for every row, so its first rows stand in for any part.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x4x16xf32> {pp.batch_dim = 0 : i64})
// CHECK: %[[POS:.*]] = pp.gather %{{.*}}[%{{.*}}] dim 0 : (tensor<4x16xf32>, tensor<8x4xi64>) -> tensor<8x4x16xf32>
// CHECK: %[[FIRST:.*]] = pp.slice %[[POS]] starts [0, 0, 0] steps [1, 1, 1] : tensor<8x4x16xf32> -> tensor<2x4x16xf32>
// CHECK: pp.add %[[X]], %[[FIRST]] : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
// HALF: pp.slice %{{.*}} starts [0, 0, 0] steps [1, 1, 1] : tensor<8x4x16xf32> -> tensor<4x4x16xf32>
// ONE: pp.add %{{.*}}, %{{.*}} : (tensor<8x4x16xf32>, tensor<8x4x16xf32>) -> tensor<8x4x16xf32>
func.func @main(%x: tensor<8x4x16xf32>) -> tensor<8x4x16xf32> {
  %t = pp.weight "wpe" from "w.bin" offset 0 : tensor<4x16xf32>
  %ar = pp.constant dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>
  %ids = pp.broadcast %ar : tensor<1x4xi64> -> tensor<8x4xi64>
  %pos = pp.gather %t[%ids] dim 0 : (tensor<4x16xf32>, tensor<8x4xi64>) -> tensor<8x4x16xf32>
  %y = pp.add %x, %pos : (tensor<8x4x16xf32>, tensor<8x4x16xf32>) -> tensor<8x4x16xf32>
  return %y : tensor<8x4x16xf32>
}

// -----

// The same ids folded into one constant: equal rows, so it is sliced too.
// CHECK-LABEL: func.func @main
// CHECK: pp.slice %{{.*}} starts [0, 0] steps [1, 1] : tensor<8x2xi64> -> tensor<2x2xi64>
// CHECK: pp.add %{{.*}}, %{{.*}} : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
func.func @main(%x: tensor<8x2xi64>) -> tensor<8x2xi64> {
  %ids = pp.constant dense<[[0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1]]> : tensor<8x2xi64>
  %y = pp.add %x, %ids : (tensor<8x2xi64>, tensor<8x2xi64>) -> tensor<8x2xi64>
  return %y : tensor<8x2xi64>
}
