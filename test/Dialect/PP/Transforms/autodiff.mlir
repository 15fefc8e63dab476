// pp-autodiff: each function becomes a forward that also returns what the
// backward reads, @f_b (cotangents of the float arguments and of every
// activation) and @f_w (one gradient per trainable weight). The numbers
// are checked by finite differences in test/unit/Dialect/PP; this checks
// the structure and the contract attributes.
// RUN: pp-opt %s -split-input-file --pp-autodiff | FileCheck %s

// A linear layer and the loss. B needs the labels and the logits; W the
// input and the logits' cotangent, which B carries over.
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x4xf32>, %[[L:[a-z0-9]+]]: tensor<2xi64>)
// CHECK-SAME: -> (tensor<f32>, tensor<2x4xf32> {pp.saved = 0 : i64}, tensor<2xi64> {pp.saved = 1 : i64}, tensor<2x3xf32> {pp.saved = 2 : i64})
// CHECK: %[[Z:.*]] = pp.add
// CHECK: %[[LOSS:.*]] = pp.cross_entropy %[[Z]], %[[L]]
// CHECK: return %[[LOSS]], %[[X]], %[[L]], %[[Z]]
// CHECK-LABEL: func.func @linear_b
// CHECK-SAME: (%[[BL:[a-z0-9]+]]: tensor<2xi64> {pp.saved = 1 : i64}, %[[BZ:[a-z0-9]+]]: tensor<2x3xf32> {pp.saved = 2 : i64})
// CHECK-SAME: -> (tensor<2x4xf32> {pp.arg_gradient = 0 : i64}, tensor<2x3xf32> {pp.carried = 0 : i64})
// CHECK: %[[P:.*]] = pp.softmax %[[BZ]] dim 1
// CHECK: %[[DZ:.*]] = pp.mul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<f32>)
// CHECK: %[[W:.*]] = pp.weight "w"
// CHECK: %[[WT:.*]] = pp.transpose %[[W]] perm [1, 0]
// CHECK: %[[DX:.*]] = pp.matmul %[[DZ]], %[[WT]] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: return %[[DX]], %[[DZ]]
// CHECK-LABEL: func.func @linear_w
// CHECK-SAME: (%[[WX:[a-z0-9]+]]: tensor<2x4xf32> {pp.saved = 0 : i64}, %[[WDZ:[a-z0-9]+]]: tensor<2x3xf32> {pp.carried = 0 : i64})
// CHECK-SAME: -> (tensor<4x3xf32> {pp.weight_gradient = "w"}, tensor<3xf32> {pp.weight_gradient = "b"})
// CHECK-DAG: %[[DB:.*]] = pp.reduce sum %[[WDZ]] dims [0] : tensor<2x3xf32> -> tensor<3xf32>
// CHECK-DAG: %[[XT:.*]] = pp.transpose %[[WX]] perm [1, 0]
// CHECK: %[[DW:.*]] = pp.matmul %[[XT]], %[[WDZ]] : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK: return %[[DW]], %[[DB]]
func.func @linear(%x: tensor<2x4xf32>, %labels: tensor<2xi64>) -> tensor<f32> {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x3xf32>
  %b = pp.weight "b" from "m.onnx" offset 48 : tensor<3xf32>
  %y = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %z = pp.add %y, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %l = pp.cross_entropy %z, %labels ignore_index -100 : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An MLP: relu's mask reads the saved pre-activation; the cotangent of
// each matmul's output goes to W for the weight products.
// CHECK-LABEL: func.func @mlp_b
// CHECK-SAME: (%[[H:[a-z0-9]+]]: tensor<2x8xf32> {pp.saved = 1 : i64})
// CHECK-SAME: -> (tensor<2x4xf32> {pp.arg_gradient = 0 : i64}, tensor<2x4xf32> {pp.carried = 0 : i64}, tensor<2x8xf32> {pp.carried = 1 : i64})
// CHECK: pp.constant dense<1.250000e-01>
// CHECK: %[[POS:.*]] = pp.greater %[[H]], %{{.*}}
// CHECK: %[[DH:.*]] = pp.select %[[POS]], %{{.*}}, %{{.*}}
// CHECK: pp.matmul %[[DH]], %{{.*}} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
// CHECK-LABEL: func.func @mlp_w
// CHECK-SAME: -> (tensor<4x8xf32> {pp.weight_gradient = "fc1.w"}, tensor<8x4xf32> {pp.weight_gradient = "fc2.w"})
// CHECK-COUNT-2: pp.matmul
// CHECK-NOT: pp.matmul
// CHECK: return
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<f32> {
  %w1 = pp.weight "fc1.w" from "m.onnx" offset 0 : tensor<4x8xf32>
  %w2 = pp.weight "fc2.w" from "m.onnx" offset 0 : tensor<8x4xf32>
  %h = pp.matmul %x, %w1 : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  %a = pp.relu %h : tensor<2x8xf32>
  %y = pp.matmul %a, %w2 : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %l = pp.reduce mean %y dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Layer norm: B recomputes the mean and inverse deviation from the saved
// input; W sums the cotangent (bias) and the cotangent times the
// normalised input (scale) over the rows.
// CHECK-LABEL: func.func @norm
// CHECK-SAME: -> (tensor<f32>, tensor<2x4xf32> {pp.saved = 0 : i64})
// CHECK-LABEL: func.func @norm_b
// CHECK: pp.reduce mean %{{.*}} dims [1] keepdims
// CHECK: pp.sqrt
// CHECK: pp.reciprocal
// CHECK: pp.weight "ln.g"
// CHECK-LABEL: func.func @norm_w
// CHECK-SAME: (%[[DY:[a-z0-9]+]]: tensor<2x4xf32> {pp.carried = 0 : i64}, %[[XHAT:[a-z0-9]+]]: tensor<2x4xf32> {pp.carried = 1 : i64})
// CHECK-SAME: -> (tensor<4xf32> {pp.weight_gradient = "ln.g"}, tensor<4xf32> {pp.weight_gradient = "ln.b"})
// CHECK: %[[P:.*]] = pp.mul %[[DY]], %[[XHAT]]
// CHECK: %[[DG:.*]] = pp.reduce sum %[[P]] dims [0]
// CHECK: %[[DB:.*]] = pp.reduce sum %[[DY]] dims [0]
// CHECK: return %[[DG]], %[[DB]]
func.func @norm(%x: tensor<2x4xf32>) -> tensor<f32> {
  %g = pp.weight "ln.g" from "m.onnx" offset 0 : tensor<4xf32>
  %b = pp.weight "ln.b" from "m.onnx" offset 0 : tensor<4xf32>
  %y = pp.layer_norm %x, %g, %b dim 1 epsilon 1.0e-05 : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %l = pp.reduce sum %y dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Causal attention: the mask, built from constants, is rebuilt in B rather
// than saved, and sends no cotangent to the masked scores. No weights: W
// is empty.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: -> (tensor<f32>, tensor<2x4x8xf32> {pp.saved = 0 : i64}, tensor<2x8x4xf32> {pp.saved = 1 : i64}, tensor<2x4x4xf32> {pp.saved = 2 : i64}, tensor<f32> {pp.saved = 3 : i64})
// CHECK-LABEL: func.func @attention_b
// CHECK-SAME: -> (tensor<2x4x8xf32> {pp.arg_gradient = 0 : i64}, tensor<2x4x8xf32> {pp.arg_gradient = 1 : i64})
// CHECK: %[[TRI:.*]] = pp.trilu
// CHECK: %[[MASK:.*]] = pp.greater %[[TRI]]
// CHECK: %[[DS:.*]] = pp.select %[[MASK]], %{{.*}}, %{{.*}} : (tensor<4x4xi1>, tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
// CHECK: pp.matmul %[[DS]], %{{.*}} : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK: func.func @attention_w() {
// CHECK-NEXT: return
func.func @attention(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>) -> tensor<f32> {
  %kt = pp.transpose %k perm [0, 2, 1] : tensor<2x4x8xf32> -> tensor<2x8x4xf32>
  %s = pp.matmul %q, %kt : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  %ones = pp.constant dense<1.0> : tensor<4x4xf32>
  %tri = pp.trilu %ones lower k 0 : tensor<4x4xf32>
  %zero = pp.constant dense<0.0> : tensor<f32>
  %mask = pp.greater %tri, %zero : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xi1>
  %neg = pp.constant dense<-1.0e9> : tensor<f32>
  %masked = pp.select %mask, %s, %neg : (tensor<4x4xi1>, tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  %p = pp.softmax %masked dim 2 : tensor<2x4x4xf32>
  %l = pp.reduce max %p dims [0, 1, 2] : tensor<2x4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A tied embedding: one gradient for "wte", the sum of the LM head's
// product (transposed back) and the embedding's scatter.
// CHECK-LABEL: func.func @tied_w
// CHECK-SAME: -> (tensor<10x4xf32> {pp.weight_gradient = "wte"})
// CHECK: %[[HEAD:.*]] = pp.transpose %{{.*}} perm [1, 0] : tensor<4x10xf32> -> tensor<10x4xf32>
// CHECK: %[[EMB:.*]] = pp.scatter_add %{{.*}}[%{{.*}}] dim 0 : (tensor<2x3x4xf32>, tensor<2x3xi64>) -> tensor<10x4xf32>
// CHECK: %[[SUM:.*]] = pp.add %[[HEAD]], %[[EMB]]
// CHECK: return %[[SUM]]
func.func @tied(%ids: tensor<2x3xi64>, %labels: tensor<2x3xi64>) -> tensor<f32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %head = pp.transpose %wte perm [1, 0] : tensor<10x4xf32> -> tensor<4x10xf32>
  %logits = pp.matmul %x, %head : (tensor<2x3x4xf32>, tensor<4x10xf32>) -> tensor<2x3x10xf32>
  %l = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x3x10xf32>, tensor<2x3xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
