// pp-gradient-program with recompute=selective (Korthikanti et al. 2022):
// only attention's core, the values whose last two dims are both the
// sequence (the scores and the softmax), is computed again before the
// backward reads it; the projections and everything else stay saved.
// RUN: pp-opt %s --pp-add-loss --pp-autodiff --pp-gradient-program="recompute=selective" | FileCheck %s
// RUN: pp-opt %s --pp-add-loss --pp-autodiff --pp-gradient-program="recompute=full" | FileCheck %s --check-prefix=FULL

// The forward's projections and scores; after the loss, the scores and the
// softmax again from the saved q and k, and nothing else.
// CHECK-LABEL: func.func @main
// CHECK: %[[Q:.*]] = pp.matmul %arg0, %{{.*}} : {{.*}} -> tensor<1x3x4xf32>
// CHECK: %[[KT:.*]] = pp.transpose
// CHECK: pp.softmax
// CHECK: pp.cross_entropy
// CHECK-NOT: pp.matmul %arg0{{.*}}pp.recomputed
// CHECK: %[[S:.*]] = pp.matmul %[[Q]], %[[KT]] {pp.recomputed}
// CHECK-NEXT: pp.softmax %[[S]] dim 2 {pp.recomputed}
// CHECK-NOT: pp.recomputed
// CHECK: return

// Full recompute redoes the projections too.
// FULL: pp.cross_entropy
// FULL: pp.matmul %arg0, %{{.*}} {pp.recomputed}
func.func @main(%x: tensor<1x3x4xf32> {pp.name = "x"}) -> (tensor<1x3x4xf32> {pp.name = "logits"}) {
  %wq = pp.weight "wq" from "m.onnx" offset 0 : tensor<4x4xf32>
  %wk = pp.weight "wk" from "m.onnx" offset 64 : tensor<4x4xf32>
  %q = pp.matmul %x, %wq : (tensor<1x3x4xf32>, tensor<4x4xf32>) -> tensor<1x3x4xf32> loc("/model/layers.0/q/MatMul")
  %k = pp.matmul %x, %wk : (tensor<1x3x4xf32>, tensor<4x4xf32>) -> tensor<1x3x4xf32> loc("/model/layers.0/k/MatMul")
  %kt = pp.transpose %k perm [0, 2, 1] : tensor<1x3x4xf32> -> tensor<1x4x3xf32> loc("/model/layers.0/Transpose")
  %s = pp.matmul %q, %kt : (tensor<1x3x4xf32>, tensor<1x4x3xf32>) -> tensor<1x3x3xf32> loc("/model/layers.0/MatMul")
  %p = pp.softmax %s dim 2 : tensor<1x3x3xf32> loc("/model/layers.0/Softmax")
  %o = pp.matmul %p, %x : (tensor<1x3x3xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32> loc("/model/layers.0/MatMul_1")
  %y = pp.add %o, %x : (tensor<1x3x4xf32>, tensor<1x3x4xf32>) -> tensor<1x3x4xf32> loc("/model/layers.0/Add")
  return %y : tensor<1x3x4xf32>
}
