// pp-gradient-program orders the backward so that what it reads dies early,
// and with recompute=full keeps only what crosses layers: each layer's own
// activations are recomputed (copies marked pp.recomputed) right before
// the first backward op that reads them. Layers come from the ONNX node
// names (`layers.N`).
// RUN: pp-opt %s --pp-add-loss --pp-autodiff --pp-gradient-program | FileCheck %s --check-prefix=SAVED
// RUN: pp-opt %s --pp-add-loss --pp-autodiff --pp-gradient-program="recompute=full" | FileCheck %s

// Without recompute the forward's tanh is read by the backward.
// SAVED-LABEL: func.func @main
// SAVED: %[[T0:.*]] = pp.tanh
// SAVED-NOT: pp.recomputed
// SAVED: pp.cross_entropy
// SAVED: pp.mul %[[T0]], %[[T0]]

// With it, each layer's matmul and tanh are computed again after the loss
// from the layer's input (%[[X1]], saved: it crosses layers), layer 1's
// before layer 0's (backward order), and the backward reads the copies.
// CHECK-LABEL: func.func @main
// CHECK: %[[X1:.*]] = pp.add
// CHECK: pp.cross_entropy
// CHECK: %[[M1:.*]] = pp.matmul %[[X1]], %{{.*}} {pp.recomputed}
// CHECK-NEXT: %[[R1:.*]] = pp.tanh %[[M1]] {pp.recomputed}
// CHECK-NEXT: pp.mul %[[R1]], %[[R1]]
// CHECK: %[[M0:.*]] = pp.matmul %arg0, %{{.*}} {pp.recomputed}
// CHECK-NEXT: %[[R0:.*]] = pp.tanh %[[M0]] {pp.recomputed}
// CHECK-NEXT: pp.mul %[[R0]], %[[R0]]
func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}) -> (tensor<2x4xf32> {pp.name = "logits"}) {
  %w0 = pp.weight "w0" from "m.onnx" offset 0 : tensor<4x4xf32>
  %w1 = pp.weight "w1" from "m.onnx" offset 64 : tensor<4x4xf32>
  %h0 = pp.matmul %x, %w0 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc("/model/layers.0/MatMul")
  %t0 = pp.tanh %h0 : tensor<2x4xf32> loc("/model/layers.0/Tanh")
  %x1 = pp.add %t0, %x : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("/model/layers.0/Add")
  %h1 = pp.matmul %x1, %w1 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc("/model/layers.1/MatMul")
  %t1 = pp.tanh %h1 : tensor<2x4xf32> loc("/model/layers.1/Tanh")
  %x2 = pp.add %t1, %x1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("/model/layers.1/Add")
  return %x2 : tensor<2x4xf32>
}
