// RUN: pp-opt %s --verify-roundtrip | FileCheck %s
// RUN: pp-opt %s --mlir-print-op-generic | pp-opt | FileCheck %s

// Happy paths of every pp graph op: each parses, verifies, prints in the
// custom form and survives a round trip through the generic form.

//===----------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @weight
func.func @weight() -> (tensor<128x64xf32>, tensor<64xbf16>) {
  // CHECK: %[[WTE:.*]] = pp.weight "transformer.wte.weight" from "model.onnx" offset 1024 : tensor<128x64xf32>
  %wte = pp.weight "transformer.wte.weight" from "model.onnx" offset 1024 : tensor<128x64xf32>
  // CHECK: %[[LN:.*]] = pp.weight "ln_f.bias" from "weights/model.data" offset 0 {file_element_type = f32} : tensor<64xbf16>
  %ln = pp.weight "ln_f.bias" from "weights/model.data" offset 0 {file_element_type = f32} : tensor<64xbf16>
  // CHECK: return %[[WTE]], %[[LN]]
  return %wte, %ln : tensor<128x64xf32>, tensor<64xbf16>
}

// The V columns of a fused [64, 192] QKV weight, and a whole-file region.
// CHECK-LABEL: func.func @weight_region
func.func @weight_region() -> (tensor<64x64xf32>, tensor<4x8xf32>) {
  // CHECK: pp.weight "c_attn.weight" from "model.onnx" offset 64 {file_shape = array<i64: 64, 192>, region_starts = array<i64: 0, 128>} : tensor<64x64xf32>
  %v = pp.weight "c_attn.weight" from "model.onnx" offset 64 {file_shape = array<i64: 64, 192>, region_starts = array<i64: 0, 128>} : tensor<64x64xf32>
  // CHECK: pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 8>, region_starts = array<i64: 0, 0>} : tensor<4x8xf32>
  %w = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 8>, region_starts = array<i64: 0, 0>} : tensor<4x8xf32>
  return %v, %w : tensor<64x64xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @constant
func.func @constant() -> (tensor<4xi64>, tensor<f32>, tensor<2x2xi1>, tensor<16x16xf32>) {
  // CHECK: %[[SHAPE:.*]] = pp.constant dense<[8, 16, 4, 16]> : tensor<4xi64>
  %shape = pp.constant dense<[8, 16, 4, 16]> : tensor<4xi64>
  // CHECK: %[[SCALAR:.*]] = pp.constant dense<-3.500000e+00> : tensor<f32>
  %scalar = pp.constant dense<-3.5> : tensor<f32>
  // CHECK: %[[MASK:.*]] = pp.constant dense<{{\[\[}}true, false], [false, true]]> : tensor<2x2xi1>
  %mask = pp.constant dense<[[true, false], [false, true]]> : tensor<2x2xi1>
  // CHECK: %[[ONES:.*]] = pp.constant dense<1.000000e+00> : tensor<16x16xf32>
  %ones = pp.constant dense<1.0> : tensor<16x16xf32>
  // CHECK: return %[[SHAPE]], %[[SCALAR]], %[[MASK]], %[[ONES]]
  return %shape, %scalar, %mask, %ones : tensor<4xi64>, tensor<f32>, tensor<2x2xi1>, tensor<16x16xf32>
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<8x16xi1>)
func.func @unary(%x: tensor<8x16xf32>, %b: tensor<8x16xi1>) {
  // CHECK: pp.neg %[[X]] : tensor<8x16xf32>
  %0 = pp.neg %x : tensor<8x16xf32>
  // CHECK: pp.abs %[[X]] : tensor<8x16xf32>
  %1 = pp.abs %x : tensor<8x16xf32>
  // CHECK: pp.exp %[[X]] : tensor<8x16xf32>
  %2 = pp.exp %x : tensor<8x16xf32>
  // CHECK: pp.log %[[X]] : tensor<8x16xf32>
  %3 = pp.log %x : tensor<8x16xf32>
  // CHECK: pp.sqrt %[[X]] : tensor<8x16xf32>
  %4 = pp.sqrt %x : tensor<8x16xf32>
  // CHECK: pp.reciprocal %[[X]] : tensor<8x16xf32>
  %5 = pp.reciprocal %x : tensor<8x16xf32>
  // CHECK: pp.erf %[[X]] : tensor<8x16xf32>
  %6 = pp.erf %x : tensor<8x16xf32>
  // CHECK: pp.tanh %[[X]] : tensor<8x16xf32>
  %7 = pp.tanh %x : tensor<8x16xf32>
  // CHECK: pp.sigmoid %[[X]] : tensor<8x16xf32>
  %8 = pp.sigmoid %x : tensor<8x16xf32>
  // CHECK: pp.relu %[[X]] : tensor<8x16xf32>
  %9 = pp.relu %x : tensor<8x16xf32>
  // CHECK: pp.sin %[[X]] : tensor<8x16xf32>
  %10 = pp.sin %x : tensor<8x16xf32>
  // CHECK: pp.cos %[[X]] : tensor<8x16xf32>
  %11 = pp.cos %x : tensor<8x16xf32>
  // CHECK: pp.floor %[[X]] : tensor<8x16xf32>
  %12 = pp.floor %x : tensor<8x16xf32>
  // CHECK: pp.ceil %[[X]] : tensor<8x16xf32>
  %13 = pp.ceil %x : tensor<8x16xf32>
  // CHECK: pp.not %[[B]] : tensor<8x16xi1>
  %14 = pp.not %b : tensor<8x16xi1>
  return
}

// CHECK-LABEL: func.func @unary_scalar_and_integer
// CHECK-SAME: (%[[S:.*]]: tensor<f16>, %[[I:.*]]: tensor<4xi32>)
func.func @unary_scalar_and_integer(%s: tensor<f16>, %i: tensor<4xi32>) -> (tensor<f16>, tensor<4xi32>) {
  // CHECK: %[[T:.*]] = pp.tanh %[[S]] : tensor<f16>
  %t = pp.tanh %s : tensor<f16>
  // CHECK: %[[N:.*]] = pp.neg %[[I]] : tensor<4xi32>
  %n = pp.neg %i : tensor<4xi32>
  // CHECK: return %[[T]], %[[N]]
  return %t, %n : tensor<f16>, tensor<4xi32>
}

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[MASK:.*]]: tensor<8x16xi64>, %[[H:.*]]: tensor<4xf32>)
func.func @cast(%mask: tensor<8x16xi64>, %h: tensor<4xf32>) {
  // CHECK: pp.cast %[[MASK]] : tensor<8x16xi64> -> tensor<8x16xf32>
  %0 = pp.cast %mask : tensor<8x16xi64> -> tensor<8x16xf32>
  // CHECK: pp.cast %[[MASK]] : tensor<8x16xi64> -> tensor<8x16xi1>
  %1 = pp.cast %mask : tensor<8x16xi64> -> tensor<8x16xi1>
  // CHECK: pp.cast %[[H]] : tensor<4xf32> -> tensor<4xbf16>
  %2 = pp.cast %h : tensor<4xf32> -> tensor<4xbf16>
  // CHECK: pp.cast %[[H]] : tensor<4xf32> -> tensor<4xi32>
  %3 = pp.cast %h : tensor<4xf32> -> tensor<4xi32>
  // CHECK: pp.cast %[[H]] : tensor<4xf32> -> tensor<4xf32>
  %4 = pp.cast %h : tensor<4xf32> -> tensor<4xf32>
  return
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4x8xf32>)
func.func @binary(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) {
  // CHECK: pp.add %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %0 = pp.add %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: pp.sub %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = pp.sub %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: pp.mul %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = pp.mul %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: pp.div %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = pp.div %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: pp.pow %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = pp.pow %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: pp.max %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %5 = pp.max %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: pp.min %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %6 = pp.min %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @binary_broadcasting
// CHECK-SAME: (%[[X:.*]]: tensor<8x4x16x16xf32>, %[[ROW:.*]]: tensor<16xf32>, %[[COL:.*]]: tensor<4x1x1xf32>, %[[S:.*]]: tensor<f32>, %[[I:.*]]: tensor<2x1xi64>, %[[J:.*]]: tensor<3xi64>)
func.func @binary_broadcasting(%x: tensor<8x4x16x16xf32>, %row: tensor<16xf32>,
                               %col: tensor<4x1x1xf32>, %s: tensor<f32>,
                               %i: tensor<2x1xi64>, %j: tensor<3xi64>) {
  // Lower rank on the right.
  // CHECK: pp.add %[[X]], %[[ROW]] : (tensor<8x4x16x16xf32>, tensor<16xf32>) -> tensor<8x4x16x16xf32>
  %0 = pp.add %x, %row : (tensor<8x4x16x16xf32>, tensor<16xf32>) -> tensor<8x4x16x16xf32>
  // Lower rank on the left, with stretched dims of 1.
  // CHECK: pp.mul %[[COL]], %[[X]] : (tensor<4x1x1xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  %1 = pp.mul %col, %x : (tensor<4x1x1xf32>, tensor<8x4x16x16xf32>) -> tensor<8x4x16x16xf32>
  // A scalar operand.
  // CHECK: pp.div %[[X]], %[[S]] : (tensor<8x4x16x16xf32>, tensor<f32>) -> tensor<8x4x16x16xf32>
  %2 = pp.div %x, %s : (tensor<8x4x16x16xf32>, tensor<f32>) -> tensor<8x4x16x16xf32>
  // Both operands stretch: 2x1 and 3 give 2x3.
  // CHECK: pp.sub %[[I]], %[[J]] : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  %3 = pp.sub %i, %j : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  // Two scalars.
  // CHECK: pp.pow %[[S]], %[[S]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %4 = pp.pow %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @comparisons_and_logic
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[ROW:.*]]: tensor<8xf32>, %[[I:.*]]: tensor<4x1xi64>, %[[J:.*]]: tensor<8xi64>, %[[P:.*]]: tensor<4x8xi1>, %[[Q:.*]]: tensor<i1>)
func.func @comparisons_and_logic(%a: tensor<4x8xf32>, %row: tensor<8xf32>,
                                 %i: tensor<4x1xi64>, %j: tensor<8xi64>,
                                 %p: tensor<4x8xi1>, %q: tensor<i1>) {
  // CHECK: pp.equal %[[A]], %[[ROW]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  %0 = pp.equal %a, %row : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  // CHECK: pp.less %[[I]], %[[J]] : (tensor<4x1xi64>, tensor<8xi64>) -> tensor<4x8xi1>
  %1 = pp.less %i, %j : (tensor<4x1xi64>, tensor<8xi64>) -> tensor<4x8xi1>
  // CHECK: pp.greater %[[A]], %[[A]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %2 = pp.greater %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  // CHECK: pp.and %[[P]], %[[Q]] : (tensor<4x8xi1>, tensor<i1>) -> tensor<4x8xi1>
  %3 = pp.and %p, %q : (tensor<4x8xi1>, tensor<i1>) -> tensor<4x8xi1>
  // CHECK: pp.or %[[Q]], %[[P]] : (tensor<i1>, tensor<4x8xi1>) -> tensor<4x8xi1>
  %4 = pp.or %q, %p : (tensor<i1>, tensor<4x8xi1>) -> tensor<4x8xi1>
  // Comparing booleans is fine too.
  // CHECK: pp.equal %[[P]], %[[Q]] : (tensor<4x8xi1>, tensor<i1>) -> tensor<4x8xi1>
  %5 = pp.equal %p, %q : (tensor<4x8xi1>, tensor<i1>) -> tensor<4x8xi1>
  return
}

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[CAUSAL:.*]]: tensor<1x1x16x16xi1>, %[[SCORES:.*]]: tensor<8x4x16x16xf32>, %[[NEG_INF:.*]]: tensor<f32>, %[[C:.*]]: tensor<4xi1>, %[[V:.*]]: tensor<4xi64>)
func.func @select(%causal: tensor<1x1x16x16xi1>, %scores: tensor<8x4x16x16xf32>,
                  %neg_inf: tensor<f32>, %c: tensor<4xi1>, %v: tensor<4xi64>)
    -> (tensor<8x4x16x16xf32>, tensor<4xi64>) {
  // CHECK: %[[Y:.*]] = pp.select %[[CAUSAL]], %[[SCORES]], %[[NEG_INF]] : (tensor<1x1x16x16xi1>, tensor<8x4x16x16xf32>, tensor<f32>) -> tensor<8x4x16x16xf32>
  %y = pp.select %causal, %scores, %neg_inf
      : (tensor<1x1x16x16xi1>, tensor<8x4x16x16xf32>, tensor<f32>)
      -> tensor<8x4x16x16xf32>
  // CHECK: %[[Z:.*]] = pp.select %[[C]], %[[V]], %[[V]] : (tensor<4xi1>, tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %z = pp.select %c, %v, %v : (tensor<4xi1>, tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK: return %[[Y]], %[[Z]]
  return %y, %z : tensor<8x4x16x16xf32>, tensor<4xi64>
}

// The condition alone may decide the result shape.
// CHECK-LABEL: func.func @select_condition_broadcasts
// CHECK-SAME: (%[[C:.*]]: tensor<2x3xi1>, %[[S:.*]]: tensor<bf16>)
func.func @select_condition_broadcasts(%c: tensor<2x3xi1>, %s: tensor<bf16>) -> tensor<2x3xbf16> {
  // CHECK: %[[R:.*]] = pp.select %[[C]], %[[S]], %[[S]] : (tensor<2x3xi1>, tensor<bf16>, tensor<bf16>) -> tensor<2x3xbf16>
  %r = pp.select %c, %s, %s : (tensor<2x3xi1>, tensor<bf16>, tensor<bf16>) -> tensor<2x3xbf16>
  // CHECK: return %[[R]]
  return %r : tensor<2x3xbf16>
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalisation
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>, %[[W:.*]]: tensor<64x256xf32>)
func.func @matmul(%x: tensor<8x16x64xf32>, %w: tensor<64x256xf32>) -> tensor<8x16x256xf32> {
  // CHECK: %[[Y:.*]] = pp.matmul %[[X]], %[[W]] : (tensor<8x16x64xf32>, tensor<64x256xf32>) -> tensor<8x16x256xf32>
  %y = pp.matmul %x, %w : (tensor<8x16x64xf32>, tensor<64x256xf32>) -> tensor<8x16x256xf32>
  // CHECK: return %[[Y]]
  return %y : tensor<8x16x256xf32>
}

// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<3x5xbf16>, %[[B:.*]]: tensor<5x7xbf16>)
func.func @matmul_2d(%a: tensor<3x5xbf16>, %b: tensor<5x7xbf16>) -> tensor<3x7xbf16> {
  // CHECK: %[[C:.*]] = pp.matmul %[[A]], %[[B]] : (tensor<3x5xbf16>, tensor<5x7xbf16>) -> tensor<3x7xbf16>
  %c = pp.matmul %a, %b : (tensor<3x5xbf16>, tensor<5x7xbf16>) -> tensor<3x7xbf16>
  // CHECK: return %[[C]]
  return %c : tensor<3x7xbf16>
}

// Attention scores: batch dims 8x1 and 4 broadcast to 8x4.
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK-SAME: (%[[Q:.*]]: tensor<8x1x16x32xf32>, %[[K:.*]]: tensor<4x32x16xf32>)
func.func @matmul_batch_broadcast(%q: tensor<8x1x16x32xf32>, %k: tensor<4x32x16xf32>) -> tensor<8x4x16x16xf32> {
  // CHECK: %[[S:.*]] = pp.matmul %[[Q]], %[[K]] : (tensor<8x1x16x32xf32>, tensor<4x32x16xf32>) -> tensor<8x4x16x16xf32>
  %s = pp.matmul %q, %k : (tensor<8x1x16x32xf32>, tensor<4x32x16xf32>) -> tensor<8x4x16x16xf32>
  // CHECK: return %[[S]]
  return %s : tensor<8x4x16x16xf32>
}

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[S:.*]]: tensor<8x4x16x16xf32>)
func.func @softmax(%s: tensor<8x4x16x16xf32>) -> (tensor<8x4x16x16xf32>, tensor<8x4x16x16xf32>) {
  // CHECK: %[[P:.*]] = pp.softmax %[[S]] dim 3 : tensor<8x4x16x16xf32>
  %p = pp.softmax %s dim 3 : tensor<8x4x16x16xf32>
  // CHECK: %[[L:.*]] = pp.softmax %[[S]] dim 0 log : tensor<8x4x16x16xf32>
  %l = pp.softmax %s dim 0 log : tensor<8x4x16x16xf32>
  // CHECK: return %[[P]], %[[L]]
  return %p, %l : tensor<8x4x16x16xf32>, tensor<8x4x16x16xf32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>, %[[G:.*]]: tensor<64xf32>, %[[B:.*]]: tensor<64xf32>, %[[G2:.*]]: tensor<16x64xf32>)
func.func @layer_norm(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>,
                      %g2: tensor<16x64xf32>) -> (tensor<8x16x64xf32>, tensor<8x16x64xf32>) {
  // CHECK: %[[Y:.*]] = pp.layer_norm %[[X]], %[[G]], %[[B]] dim 2 epsilon 9.99999974E-6 : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  %y = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05
      : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>)
      -> tensor<8x16x64xf32>
  // Without bias, normalising over the last two dims.
  // CHECK: %[[Z:.*]] = pp.layer_norm %[[X]], %[[G2]] dim 1 epsilon 1.000000e-03 : (tensor<8x16x64xf32>, tensor<16x64xf32>) -> tensor<8x16x64xf32>
  %z = pp.layer_norm %x, %g2 dim 1 epsilon 1.0e-03
      : (tensor<8x16x64xf32>, tensor<16x64xf32>) -> tensor<8x16x64xf32>
  // CHECK: return %[[Y]], %[[Z]]
  return %y, %z : tensor<8x16x64xf32>, tensor<8x16x64xf32>
}

// CHECK-LABEL: func.func @reduce
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>, %[[I:.*]]: tensor<4x6xi64>)
func.func @reduce(%x: tensor<8x16x64xf32>, %i: tensor<4x6xi64>) {
  // CHECK: pp.reduce sum %[[X]] dims [2] : tensor<8x16x64xf32> -> tensor<8x16xf32>
  %0 = pp.reduce sum %x dims [2] : tensor<8x16x64xf32> -> tensor<8x16xf32>
  // CHECK: pp.reduce mean %[[X]] dims [2] keepdims : tensor<8x16x64xf32> -> tensor<8x16x1xf32>
  %1 = pp.reduce mean %x dims [2] keepdims : tensor<8x16x64xf32> -> tensor<8x16x1xf32>
  // CHECK: pp.reduce max %[[X]] dims [0, 2] : tensor<8x16x64xf32> -> tensor<16xf32>
  %2 = pp.reduce max %x dims [0, 2] : tensor<8x16x64xf32> -> tensor<16xf32>
  // CHECK: pp.reduce min %[[X]] dims [0, 2] keepdims : tensor<8x16x64xf32> -> tensor<1x16x1xf32>
  %3 = pp.reduce min %x dims [0, 2] keepdims : tensor<8x16x64xf32> -> tensor<1x16x1xf32>
  // CHECK: pp.reduce prod %[[I]] dims [0, 1] : tensor<4x6xi64> -> tensor<i64>
  %4 = pp.reduce prod %i dims [0, 1] : tensor<4x6xi64> -> tensor<i64>
  // CHECK: pp.reduce sum %[[I]] dims [0, 1] keepdims : tensor<4x6xi64> -> tensor<1x1xi64>
  %5 = pp.reduce sum %i dims [0, 1] keepdims : tensor<4x6xi64> -> tensor<1x1xi64>
  // CHECK: pp.reduce mean %[[X]] dims [1] : tensor<8x16x64xf32> -> tensor<8x64xf32>
  %6 = pp.reduce mean %x dims [1] : tensor<8x16x64xf32> -> tensor<8x64xf32>
  return
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>, %[[S:.*]]: tensor<i64>)
func.func @reshape(%x: tensor<8x16x64xf32>, %s: tensor<i64>) -> (tensor<8x16x4x16xf32>, tensor<1xi64>, tensor<8x16x64xf32>) {
  // CHECK: %[[H:.*]] = pp.reshape %[[X]] : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  %h = pp.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  // Unsqueeze of a scalar.
  // CHECK: %[[U:.*]] = pp.reshape %[[S]] : tensor<i64> -> tensor<1xi64>
  %u = pp.reshape %s : tensor<i64> -> tensor<1xi64>
  // CHECK: %[[SAME:.*]] = pp.reshape %[[X]] : tensor<8x16x64xf32> -> tensor<8x16x64xf32>
  %same = pp.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x64xf32>
  // CHECK: return %[[H]], %[[U]], %[[SAME]]
  return %h, %u, %same : tensor<8x16x4x16xf32>, tensor<1xi64>, tensor<8x16x64xf32>
}

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x4x16xf32>, %[[M:.*]]: tensor<3x5xi1>)
func.func @transpose(%x: tensor<8x16x4x16xf32>, %m: tensor<3x5xi1>) -> (tensor<8x4x16x16xf32>, tensor<5x3xi1>) {
  // CHECK: %[[Y:.*]] = pp.transpose %[[X]] perm [0, 2, 1, 3] : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
  %y = pp.transpose %x perm [0, 2, 1, 3]
      : tensor<8x16x4x16xf32> -> tensor<8x4x16x16xf32>
  // CHECK: %[[T:.*]] = pp.transpose %[[M]] perm [1, 0] : tensor<3x5xi1> -> tensor<5x3xi1>
  %t = pp.transpose %m perm [1, 0] : tensor<3x5xi1> -> tensor<5x3xi1>
  // CHECK: return %[[Y]], %[[T]]
  return %y, %t : tensor<8x4x16x16xf32>, tensor<5x3xi1>
}

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<16x64xf32>)
func.func @slice(%x: tensor<16x64xf32>) {
  // CHECK: pp.slice %[[X]] starts [0, 32] steps [1, 1] : tensor<16x64xf32> -> tensor<16x32xf32>
  %0 = pp.slice %x starts [0, 32] steps [1, 1] : tensor<16x64xf32> -> tensor<16x32xf32>
  // Every other row, from the second.
  // CHECK: pp.slice %[[X]] starts [1, 0] steps [2, 1] : tensor<16x64xf32> -> tensor<8x64xf32>
  %1 = pp.slice %x starts [1, 0] steps [2, 1] : tensor<16x64xf32> -> tensor<8x64xf32>
  // Reversed rows: negative steps start from the end.
  // CHECK: pp.slice %[[X]] starts [15, 0] steps [-1, 1] : tensor<16x64xf32> -> tensor<16x64xf32>
  %2 = pp.slice %x starts [15, 0] steps [-1, 1] : tensor<16x64xf32> -> tensor<16x64xf32>
  // Rows 10, 7, 4, 1 and columns 63, 61, ..., 1.
  // CHECK: pp.slice %[[X]] starts [10, 63] steps [-3, -2] : tensor<16x64xf32> -> tensor<4x32xf32>
  %3 = pp.slice %x starts [10, 63] steps [-3, -2] : tensor<16x64xf32> -> tensor<4x32xf32>
  // An empty result reads nothing, so its start is not checked.
  // CHECK: pp.slice %[[X]] starts [16, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<0x64xf32>
  %4 = pp.slice %x starts [16, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<0x64xf32>
  // The full tensor.
  // CHECK: pp.slice %[[X]] starts [0, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<16x64xf32>
  %5 = pp.slice %x starts [0, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<16x64xf32>
  return
}

// CHECK-LABEL: func.func @slice_scalar
// CHECK-SAME: (%[[S:.*]]: tensor<f32>)
func.func @slice_scalar(%s: tensor<f32>) -> tensor<f32> {
  // CHECK: %[[R:.*]] = pp.slice %[[S]] starts [] steps [] : tensor<f32> -> tensor<f32>
  %r = pp.slice %s starts [] steps [] : tensor<f32> -> tensor<f32>
  // CHECK: return %[[R]]
  return %r : tensor<f32>
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<8x4x16x8xf32>, %[[B:.*]]: tensor<8x4x16x8xf32>, %[[C:.*]]: tensor<8x4x16x1xf32>, %[[D:.*]]: tensor<1xi64>, %[[E:.*]]: tensor<3xi64>)
func.func @concat(%a: tensor<8x4x16x8xf32>, %b: tensor<8x4x16x8xf32>,
                  %c: tensor<8x4x16x1xf32>, %d: tensor<1xi64>, %e: tensor<3xi64>) {
  // CHECK: pp.concat %[[A]], %[[B]] dim 3 : (tensor<8x4x16x8xf32>, tensor<8x4x16x8xf32>) -> tensor<8x4x16x16xf32>
  %0 = pp.concat %a, %b dim 3
      : (tensor<8x4x16x8xf32>, tensor<8x4x16x8xf32>) -> tensor<8x4x16x16xf32>
  // Uneven sizes along the concatenated dim, three inputs.
  // CHECK: pp.concat %[[A]], %[[C]], %[[B]] dim 3 : (tensor<8x4x16x8xf32>, tensor<8x4x16x1xf32>, tensor<8x4x16x8xf32>) -> tensor<8x4x16x17xf32>
  %1 = pp.concat %a, %c, %b dim 3
      : (tensor<8x4x16x8xf32>, tensor<8x4x16x1xf32>, tensor<8x4x16x8xf32>) -> tensor<8x4x16x17xf32>
  // CHECK: pp.concat %[[A]], %[[A]] dim 0 : (tensor<8x4x16x8xf32>, tensor<8x4x16x8xf32>) -> tensor<16x4x16x8xf32>
  %2 = pp.concat %a, %a dim 0
      : (tensor<8x4x16x8xf32>, tensor<8x4x16x8xf32>) -> tensor<16x4x16x8xf32>
  // A shape tensor, as the importer builds for Reshape.
  // CHECK: pp.concat %[[D]], %[[E]] dim 0 : (tensor<1xi64>, tensor<3xi64>) -> tensor<4xi64>
  %3 = pp.concat %d, %e dim 0 : (tensor<1xi64>, tensor<3xi64>) -> tensor<4xi64>
  // A single input.
  // CHECK: pp.concat %[[E]] dim 0 : (tensor<3xi64>) -> tensor<3xi64>
  %4 = pp.concat %e dim 0 : (tensor<3xi64>) -> tensor<3xi64>
  return
}

// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[WTE:.*]]: tensor<128x64xf32>, %[[IDS:.*]]: tensor<8x16xi64>, %[[SHAPE:.*]]: tensor<3xi64>, %[[I:.*]]: tensor<i64>, %[[X:.*]]: tensor<4x5x6xbf16>, %[[J:.*]]: tensor<2xi64>)
func.func @gather(%wte: tensor<128x64xf32>, %ids: tensor<8x16xi64>,
                  %shape: tensor<3xi64>, %i: tensor<i64>,
                  %x: tensor<4x5x6xbf16>, %j: tensor<2xi64>) {
  // Embedding lookup.
  // CHECK: pp.gather %[[WTE]][%[[IDS]]] dim 0 : (tensor<128x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
  %0 = pp.gather %wte[%ids] dim 0
      : (tensor<128x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
  // Scalar index: the dim disappears (Shape -> Gather).
  // CHECK: pp.gather %[[SHAPE]][%[[I]]] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %1 = pp.gather %shape[%i] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  // Scalar index on an inner dim.
  // CHECK: pp.gather %[[X]][%[[I]]] dim 1 : (tensor<4x5x6xbf16>, tensor<i64>) -> tensor<4x6xbf16>
  %2 = pp.gather %x[%i] dim 1 : (tensor<4x5x6xbf16>, tensor<i64>) -> tensor<4x6xbf16>
  // 1-D indices on the last dim.
  // CHECK: pp.gather %[[X]][%[[J]]] dim 2 : (tensor<4x5x6xbf16>, tensor<2xi64>) -> tensor<4x5x2xbf16>
  %3 = pp.gather %x[%j] dim 2 : (tensor<4x5x6xbf16>, tensor<2xi64>) -> tensor<4x5x2xbf16>
  // 2-D indices in the middle.
  // CHECK: pp.gather %[[X]][%[[IDS]]] dim 1 : (tensor<4x5x6xbf16>, tensor<8x16xi64>) -> tensor<4x8x16x6xbf16>
  %4 = pp.gather %x[%ids] dim 1 : (tensor<4x5x6xbf16>, tensor<8x16xi64>) -> tensor<4x8x16x6xbf16>
  return
}

// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<1x16xf32>, %[[S:.*]]: tensor<i1>, %[[C:.*]]: tensor<4x1xi64>)
func.func @broadcast(%x: tensor<1x16xf32>, %s: tensor<i1>, %c: tensor<4x1xi64>) {
  // CHECK: pp.broadcast %[[X]] : tensor<1x16xf32> -> tensor<8x16xf32>
  %0 = pp.broadcast %x : tensor<1x16xf32> -> tensor<8x16xf32>
  // New leading dims.
  // CHECK: pp.broadcast %[[X]] : tensor<1x16xf32> -> tensor<2x3x16xf32>
  %1 = pp.broadcast %x : tensor<1x16xf32> -> tensor<2x3x16xf32>
  // CHECK: pp.broadcast %[[S]] : tensor<i1> -> tensor<16x16xi1>
  %2 = pp.broadcast %s : tensor<i1> -> tensor<16x16xi1>
  // CHECK: pp.broadcast %[[C]] : tensor<4x1xi64> -> tensor<2x4x7xi64>
  %3 = pp.broadcast %c : tensor<4x1xi64> -> tensor<2x4x7xi64>
  // Same shape.
  // CHECK: pp.broadcast %[[X]] : tensor<1x16xf32> -> tensor<1x16xf32>
  %4 = pp.broadcast %x : tensor<1x16xf32> -> tensor<1x16xf32>
  return
}

// CHECK-LABEL: func.func @trilu
// CHECK-SAME: (%[[ONES:.*]]: tensor<16x16xf32>, %[[M:.*]]: tensor<2x3x4xi1>)
func.func @trilu(%ones: tensor<16x16xf32>, %m: tensor<2x3x4xi1>) {
  // CHECK: pp.trilu %[[ONES]] lower k 0 : tensor<16x16xf32>
  %0 = pp.trilu %ones lower k 0 : tensor<16x16xf32>
  // CHECK: pp.trilu %[[ONES]] upper k 1 : tensor<16x16xf32>
  %1 = pp.trilu %ones upper k 1 : tensor<16x16xf32>
  // CHECK: pp.trilu %[[M]] lower k -2 : tensor<2x3x4xi1>
  %2 = pp.trilu %m lower k -2 : tensor<2x3x4xi1>
  // CHECK: pp.trilu %[[M]] upper k 0 : tensor<2x3x4xi1>
  %3 = pp.trilu %m upper k 0 : tensor<2x3x4xi1>
  return
}

// A GPT-2 attention block's data flow, end to end.
// CHECK-LABEL: func.func @attention_block
func.func @attention_block(%ids: tensor<2x8xi64>) -> tensor<2x8x32xf32> {
  // CHECK: %[[WTE:.*]] = pp.weight "wte" from "model.onnx" offset 0 : tensor<64x32xf32>
  %wte = pp.weight "wte" from "model.onnx" offset 0 : tensor<64x32xf32>
  // CHECK: %[[WQKV:.*]] = pp.weight "c_attn" from "model.onnx" offset 8192 : tensor<32x96xf32>
  %wqkv = pp.weight "c_attn" from "model.onnx" offset 8192 : tensor<32x96xf32>
  // CHECK: %[[E:.*]] = pp.gather %[[WTE]][%{{.*}}] dim 0
  %e = pp.gather %wte[%ids] dim 0 : (tensor<64x32xf32>, tensor<2x8xi64>) -> tensor<2x8x32xf32>
  // CHECK: %[[QKV:.*]] = pp.matmul %[[E]], %[[WQKV]]
  %qkv = pp.matmul %e, %wqkv : (tensor<2x8x32xf32>, tensor<32x96xf32>) -> tensor<2x8x96xf32>
  // CHECK: %[[Q:.*]] = pp.slice %[[QKV]] starts [0, 0, 0] steps [1, 1, 1]
  %q = pp.slice %qkv starts [0, 0, 0] steps [1, 1, 1] : tensor<2x8x96xf32> -> tensor<2x8x32xf32>
  // CHECK: %[[K:.*]] = pp.slice %[[QKV]] starts [0, 0, 32] steps [1, 1, 1]
  %k = pp.slice %qkv starts [0, 0, 32] steps [1, 1, 1] : tensor<2x8x96xf32> -> tensor<2x8x32xf32>
  // CHECK: %[[KT:.*]] = pp.transpose %[[K]] perm [0, 2, 1]
  %kt = pp.transpose %k perm [0, 2, 1] : tensor<2x8x32xf32> -> tensor<2x32x8xf32>
  // CHECK: %[[S:.*]] = pp.matmul %[[Q]], %[[KT]]
  %s = pp.matmul %q, %kt : (tensor<2x8x32xf32>, tensor<2x32x8xf32>) -> tensor<2x8x8xf32>
  // CHECK: %[[ONES:.*]] = pp.constant dense<1.000000e+00> : tensor<8x8xf32>
  %ones = pp.constant dense<1.0> : tensor<8x8xf32>
  // CHECK: %[[TRI:.*]] = pp.trilu %[[ONES]] lower k 0
  %tri = pp.trilu %ones lower k 0 : tensor<8x8xf32>
  // CHECK: %[[ZERO:.*]] = pp.constant dense<0.000000e+00> : tensor<f32>
  %zero = pp.constant dense<0.0> : tensor<f32>
  // CHECK: %[[MASK:.*]] = pp.greater %[[TRI]], %[[ZERO]]
  %mask = pp.greater %tri, %zero : (tensor<8x8xf32>, tensor<f32>) -> tensor<8x8xi1>
  // CHECK: %[[NEG:.*]] = pp.constant dense<-1.000000e+09> : tensor<f32>
  %neg = pp.constant dense<-1.0e9> : tensor<f32>
  // CHECK: %[[MASKED:.*]] = pp.select %[[MASK]], %[[S]], %[[NEG]]
  %masked = pp.select %mask, %s, %neg : (tensor<8x8xi1>, tensor<2x8x8xf32>, tensor<f32>) -> tensor<2x8x8xf32>
  // CHECK: %[[P:.*]] = pp.softmax %[[MASKED]] dim 2
  %p = pp.softmax %masked dim 2 : tensor<2x8x8xf32>
  // CHECK: %[[V:.*]] = pp.slice %[[QKV]] starts [0, 0, 64] steps [1, 1, 1]
  %v = pp.slice %qkv starts [0, 0, 64] steps [1, 1, 1] : tensor<2x8x96xf32> -> tensor<2x8x32xf32>
  // CHECK: %[[O:.*]] = pp.matmul %[[P]], %[[V]]
  %o = pp.matmul %p, %v : (tensor<2x8x8xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  // CHECK: return %[[O]]
  return %o : tensor<2x8x32xf32>
}

//===----------------------------------------------------------------------===//
// Training: the adjoint of gather, and the loss
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%dy: tensor<2x8x64xf32>, %ids: tensor<2x8xi64>) -> tensor<128x64xf32> {
  // CHECK: pp.scatter_add %{{.*}}[%{{.*}}] dim 0 : (tensor<2x8x64xf32>, tensor<2x8xi64>) -> tensor<128x64xf32>
  %0 = pp.scatter_add %dy[%ids] dim 0 : (tensor<2x8x64xf32>, tensor<2x8xi64>) -> tensor<128x64xf32>
  return %0 : tensor<128x64xf32>
}

// CHECK-LABEL: func.func @cross_entropy
func.func @cross_entropy(%logits: tensor<2x8x128xf32>, %labels: tensor<2x8xi64>) -> tensor<f32> {
  // CHECK: pp.cross_entropy %{{.*}}, %{{.*}} ignore_index -100 : (tensor<2x8x128xf32>, tensor<2x8xi64>) -> tensor<f32>
  %0 = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x8x128xf32>, tensor<2x8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @generation_step
func.func @generation_step(%table: tensor<16x8xf32>, %cache: tensor<2x16x8xf32>, %k: tensor<2x1x8xf32>) -> tensor<2x16x8xf32> {
  // CHECK: pp.step_slice %{{.*}} dim 0 : tensor<16x8xf32> -> tensor<1x8xf32>
  %0 = pp.step_slice %table dim 0 : tensor<16x8xf32> -> tensor<1x8xf32>
  // CHECK: pp.cache_write %{{.*}}, %{{.*}} dim 1 : (tensor<2x16x8xf32>, tensor<2x1x8xf32>) -> tensor<2x16x8xf32>
  %1 = pp.cache_write %cache, %k dim 1 : (tensor<2x16x8xf32>, tensor<2x1x8xf32>) -> tensor<2x16x8xf32>
  return %1 : tensor<2x16x8xf32>
}
