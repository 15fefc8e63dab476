// RUN: pp-opt %s --canonicalize --split-input-file | FileCheck %s

// Constant folding of the graph ops (PPFolders.cpp): the shape arithmetic
// that exporters leave behind, every elementwise folder, the data-movement
// folders, identity folds, and the size limit above which nothing folds.

//===----------------------------------------------------------------------===//
// Shape arithmetic
//===----------------------------------------------------------------------===//

// Shape -> Gather -> Unsqueeze -> Concat, as the importer writes it with a
// pp.constant for Shape: the new shape of a multi-head split, [B, S, H, D/H].
// CHECK-LABEL: func.func @shape_math
// CHECK-SAME: (%[[X:.*]]: tensor<8x16x64xf32>)
// CHECK-NEXT: %[[SHAPE:.*]] = pp.constant dense<[8, 16, 4, 16]> : tensor<4xi64>
// CHECK-NEXT: %[[Y:.*]] = pp.reshape %[[X]] : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
// CHECK-NEXT: return %[[SHAPE]], %[[Y]]
func.func @shape_math(%x: tensor<8x16x64xf32>) -> (tensor<4xi64>, tensor<8x16x4x16xf32>) {
  %shape = pp.constant dense<[8, 16, 64]> : tensor<3xi64>
  %i0 = pp.constant dense<0> : tensor<i64>
  %i1 = pp.constant dense<1> : tensor<i64>
  %last = pp.constant dense<-1> : tensor<i64>
  %heads = pp.constant dense<4> : tensor<i64>
  %b = pp.gather %shape[%i0] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %s = pp.gather %shape[%i1] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %e = pp.gather %shape[%last] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %d = pp.div %e, %heads : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %bu = pp.reshape %b : tensor<i64> -> tensor<1xi64>
  %su = pp.reshape %s : tensor<i64> -> tensor<1xi64>
  %hu = pp.reshape %heads : tensor<i64> -> tensor<1xi64>
  %du = pp.reshape %d : tensor<i64> -> tensor<1xi64>
  %new = pp.concat %bu, %su, %hu, %du dim 0
      : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %y = pp.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x4x16xf32>
  return %new, %y : tensor<4xi64>, tensor<8x16x4x16xf32>
}

// -----

// Flatten's shape: the product of the leading dims, via 1-D gathers, mul
// and a cast to i64 through f32 (as some exporters do).
// CHECK-LABEL: func.func @flatten_shape
// CHECK-NEXT: %[[C:.*]] = pp.constant dense<[128, 64]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
func.func @flatten_shape() -> tensor<2xi64> {
  %shape = pp.constant dense<[8, 16, 64]> : tensor<3xi64>
  %lead = pp.constant dense<[0, 1]> : tensor<2xi64>
  %dims = pp.gather %shape[%lead] dim 0 : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %d0 = pp.slice %dims starts [0] steps [1] : tensor<2xi64> -> tensor<1xi64>
  %d1 = pp.slice %dims starts [1] steps [1] : tensor<2xi64> -> tensor<1xi64>
  %n = pp.mul %d0, %d1 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %f = pp.cast %n : tensor<1xi64> -> tensor<1xf32>
  %i = pp.cast %f : tensor<1xf32> -> tensor<1xi64>
  %tail = pp.slice %shape starts [2] steps [1] : tensor<3xi64> -> tensor<1xi64>
  %new = pp.concat %i, %tail dim 0 : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %new : tensor<2xi64>
}

//===----------------------------------------------------------------------===//
// Unary elementwise
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @unary_float
// CHECK-NEXT: %[[NEG:.*]] = pp.constant dense<[1.500000e+00, -4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[ABS:.*]] = pp.constant dense<[1.500000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[EXP:.*]] = pp.constant dense<[1.000000e+00, 2.71828175]> : tensor<2xf32>
// CHECK-NEXT: %[[LOG:.*]] = pp.constant dense<[0xFF800000, 0.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[SQRT:.*]] = pp.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[RECIP:.*]] = pp.constant dense<[-0.666666686, 2.500000e-01]> : tensor<2xf32>
// CHECK-NEXT: %[[ERF:.*]] = pp.constant dense<[0.000000e+00, 0.842700779]> : tensor<2xf32>
// CHECK-NEXT: %[[TANH:.*]] = pp.constant dense<[0.000000e+00, 0.761594176]> : tensor<2xf32>
// CHECK-NEXT: %[[SIGMOID:.*]] = pp.constant dense<[5.000000e-01, 0.731058597]> : tensor<2xf32>
// CHECK-NEXT: %[[RELU:.*]] = pp.constant dense<[0.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[SIN:.*]] = pp.constant dense<[0.000000e+00, 0.841470957]> : tensor<2xf32>
// CHECK-NEXT: %[[COS:.*]] = pp.constant dense<[1.000000e+00, 0.540302277]> : tensor<2xf32>
// CHECK-NEXT: %[[FLOOR:.*]] = pp.constant dense<[-2.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[CEIL:.*]] = pp.constant dense<[-1.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[NEG]], %[[ABS]], %[[EXP]], %[[LOG]], %[[SQRT]], %[[RECIP]], %[[ERF]], %[[TANH]], %[[SIGMOID]], %[[RELU]], %[[SIN]], %[[COS]], %[[FLOOR]], %[[CEIL]] :
func.func @unary_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                             tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = pp.constant dense<[-1.5, 4.0]> : tensor<2xf32>
  %z = pp.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %sq = pp.constant dense<[4.0, 9.0]> : tensor<2xf32>
  %0 = pp.neg %a : tensor<2xf32>
  %1 = pp.abs %a : tensor<2xf32>
  %2 = pp.exp %z : tensor<2xf32>
  %3 = pp.log %z : tensor<2xf32>
  %4 = pp.sqrt %sq : tensor<2xf32>
  %5 = pp.reciprocal %a : tensor<2xf32>
  %6 = pp.erf %z : tensor<2xf32>
  %7 = pp.tanh %z : tensor<2xf32>
  %8 = pp.sigmoid %z : tensor<2xf32>
  %9 = pp.relu %a : tensor<2xf32>
  %10 = pp.sin %z : tensor<2xf32>
  %11 = pp.cos %z : tensor<2xf32>
  %12 = pp.floor %a : tensor<2xf32>
  %13 = pp.ceil %a : tensor<2xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13
      : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
        tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Folding computes in double and rounds once to the element type.
// CHECK-LABEL: func.func @unary_narrow_floats
// CHECK-NEXT: %[[H:.*]] = pp.constant dense<[-2.000000e+00, 5.000000e-01]> : tensor<2xf16>
// CHECK-NEXT: %[[B:.*]] = pp.constant dense<1.000000e+00> : tensor<bf16>
// CHECK-NEXT: return %[[H]], %[[B]]
func.func @unary_narrow_floats() -> (tensor<2xf16>, tensor<bf16>) {
  %h = pp.constant dense<[2.0, -0.5]> : tensor<2xf16>
  %0 = pp.neg %h : tensor<2xf16>
  %b = pp.constant dense<0.0> : tensor<bf16>
  %1 = pp.exp %b : tensor<bf16>
  return %0, %1 : tensor<2xf16>, tensor<bf16>
}

// -----

// CHECK-LABEL: func.func @unary_integer
// CHECK-NEXT: %[[NEG:.*]] = pp.constant dense<[3, -5, 0]> : tensor<3xi64>
// CHECK-NEXT: %[[ABS:.*]] = pp.constant dense<[3, 5, 0]> : tensor<3xi64>
// CHECK-NEXT: %[[RELU:.*]] = pp.constant dense<[0, 5, 0]> : tensor<3xi32>
// CHECK-NEXT: %[[FLOOR:.*]] = pp.constant dense<[-3, 5, 0]> : tensor<3xi64>
// CHECK-NEXT: %[[NOT:.*]] = pp.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-NEXT: return %[[NEG]], %[[ABS]], %[[RELU]], %[[FLOOR]], %[[FLOOR]], %[[NOT]]
func.func @unary_integer() -> (tensor<3xi64>, tensor<3xi64>, tensor<3xi32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi1>) {
  %a = pp.constant dense<[-3, 5, 0]> : tensor<3xi64>
  %a32 = pp.constant dense<[-3, 5, 0]> : tensor<3xi32>
  %b = pp.constant dense<[true, false, true]> : tensor<3xi1>
  %0 = pp.neg %a : tensor<3xi64>
  %1 = pp.abs %a : tensor<3xi64>
  %2 = pp.relu %a32 : tensor<3xi32>
  %3 = pp.floor %a : tensor<3xi64>
  %4 = pp.ceil %a : tensor<3xi64>
  %5 = pp.not %b : tensor<3xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<3xi64>, tensor<3xi64>, tensor<3xi32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi1>
}

// -----

// A splat stays a splat.
// CHECK-LABEL: func.func @unary_splat
// CHECK-NEXT: %[[C:.*]] = pp.constant dense<-2.000000e+00> : tensor<16x16xf32>
// CHECK-NEXT: return %[[C]]
func.func @unary_splat() -> tensor<16x16xf32> {
  %a = pp.constant dense<2.0> : tensor<16x16xf32>
  %0 = pp.neg %a : tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @cast
// CHECK-NEXT: %[[TRUNC:.*]] = pp.constant dense<[2, -2, 0, 0]> : tensor<4xi32>
// CHECK-NEXT: %[[BOOL:.*]] = pp.constant dense<[false, true, true, true]> : tensor<4xi1>
// CHECK-NEXT: %[[MASK:.*]] = pp.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[WIDE:.*]] = pp.constant dense<[1, 0]> : tensor<2xi64>
// CHECK-NEXT: %[[HALF:.*]] = pp.constant dense<[2.699220e+00, -2.699220e+00, 5.000000e-01, -5.000000e-01]> : tensor<4xf16>
// CHECK-NEXT: %[[NARROW:.*]] = pp.constant dense<[0, -1, -1, 3]> : tensor<4xi8>
// CHECK-NEXT: %[[FLOAT:.*]] = pp.constant dense<[0.000000e+00, -1.000000e+00, -1.000000e+00, 3.000000e+00]> : tensor<4xf32>
// CHECK-NEXT: return %[[TRUNC]], %[[BOOL]], %[[MASK]], %[[WIDE]], %[[HALF]], %[[NARROW]], %[[FLOAT]]
func.func @cast() -> (tensor<4xi32>, tensor<4xi1>, tensor<2xf32>, tensor<2xi64>, tensor<4xf16>, tensor<4xi8>, tensor<4xf32>) {
  %f = pp.constant dense<[2.7, -2.7, 0.5, -0.5]> : tensor<4xf32>
  %i = pp.constant dense<[0, 3, -1, 256]> : tensor<4xi64>
  %b = pp.constant dense<[true, false]> : tensor<2xi1>
  %j = pp.constant dense<[0, 255, -1, 259]> : tensor<4xi64>
  // Float to integer truncates toward zero.
  %0 = pp.cast %f : tensor<4xf32> -> tensor<4xi32>
  // Integer to i1 is x != 0 (256 is true, not truncated to 0).
  %1 = pp.cast %i : tensor<4xi64> -> tensor<4xi1>
  // i1 reads as 0 and 1, not as -1.
  %2 = pp.cast %b : tensor<2xi1> -> tensor<2xf32>
  %3 = pp.cast %b : tensor<2xi1> -> tensor<2xi64>
  %4 = pp.cast %f : tensor<4xf32> -> tensor<4xf16>
  // Narrowing integers wraps.
  %5 = pp.cast %j : tensor<4xi64> -> tensor<4xi8>
  %6 = pp.cast %5 : tensor<4xi8> -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi32>, tensor<4xi1>, tensor<2xf32>, tensor<2xi64>, tensor<4xf16>, tensor<4xi8>, tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Binary elementwise
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @binary_float
// CHECK-NEXT: %[[ADD:.*]] = pp.constant dense<[7.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[SUB:.*]] = pp.constant dense<[5.000000e+00, -5.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[MUL:.*]] = pp.constant dense<[6.000000e+00, -6.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[DIV:.*]] = pp.constant dense<[6.000000e+00, -1.500000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[POW:.*]] = pp.constant dense<[6.000000e+00, 9.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[MAX:.*]] = pp.constant dense<[6.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %[[MIN:.*]] = pp.constant dense<[1.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[ADD]], %[[SUB]], %[[MUL]], %[[DIV]], %[[POW]], %[[MAX]], %[[MIN]]
func.func @binary_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = pp.constant dense<[6.0, -3.0]> : tensor<2xf32>
  %b = pp.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = pp.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = pp.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = pp.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %3 = pp.div %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %4 = pp.pow %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %5 = pp.max %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %6 = pp.min %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Integer division truncates toward zero.
// CHECK-LABEL: func.func @binary_integer
// CHECK-NEXT: %[[ADD:.*]] = pp.constant dense<[5, -5, 9]> : tensor<3xi64>
// CHECK-NEXT: %[[SUB:.*]] = pp.constant dense<[9, -9, 5]> : tensor<3xi64>
// CHECK-NEXT: %[[MUL:.*]] = pp.constant dense<[-14, -14, 14]> : tensor<3xi64>
// CHECK-NEXT: %[[DIV:.*]] = pp.constant dense<[-3, -3, 3]> : tensor<3xi64>
// CHECK-NEXT: %[[POW:.*]] = pp.constant dense<[49, -343, 1]> : tensor<3xi64>
// CHECK-NEXT: %[[MAX:.*]] = pp.constant dense<[7, 2, 7]> : tensor<3xi64>
// CHECK-NEXT: %[[MIN:.*]] = pp.constant dense<[-2, -7, 2]> : tensor<3xi64>
// CHECK-NEXT: %[[WRAP:.*]] = pp.constant dense<[-128, 126]> : tensor<2xi8>
// CHECK-NEXT: return %[[ADD]], %[[SUB]], %[[MUL]], %[[DIV]], %[[POW]], %[[MAX]], %[[MIN]], %[[WRAP]]
func.func @binary_integer() -> (tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<2xi8>) {
  %a = pp.constant dense<[7, -7, 7]> : tensor<3xi64>
  %b = pp.constant dense<[-2, 2, 2]> : tensor<3xi64>
  %e = pp.constant dense<[2, 3, 0]> : tensor<3xi64>
  %0 = pp.add %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %1 = pp.sub %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %2 = pp.mul %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %3 = pp.div %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %4 = pp.pow %a, %e : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %5 = pp.max %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %6 = pp.min %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // Results wrap to the element width.
  %c = pp.constant dense<[127, -128]> : tensor<2xi8>
  %d = pp.constant dense<[1, -2]> : tensor<2xi8>
  %7 = pp.add %c, %d : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<2xi8>
}

// -----

// CHECK-LABEL: func.func @binary_broadcasting
// CHECK-NEXT: %[[OUTER:.*]] = pp.constant dense<{{\[\[}}11, 21, 31], [12, 22, 32]]> : tensor<2x3xi64>
// CHECK-NEXT: %[[SCALED:.*]] = pp.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00, 6.000000e+00], [8.000000e+00, 1.000000e+01, 1.200000e+01]]> : tensor<2x3xf32>
// CHECK-NEXT: %[[ROWS:.*]] = pp.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00, 2.000000e+00], [1.000000e+00, 2.000000e+00, 3.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[OUTER]], %[[SCALED]], %[[ROWS]]
func.func @binary_broadcasting() -> (tensor<2x3xi64>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %col = pp.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %row = pp.constant dense<[10, 20, 30]> : tensor<3xi64>
  // 2x1 and 3 stretch to 2x3.
  %0 = pp.add %col, %row : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  %m = pp.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %two = pp.constant dense<2.0> : tensor<f32>
  // A scalar on the right.
  %1 = pp.mul %m, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %c = pp.constant dense<[[1.0], [3.0]]> : tensor<2x1xf32>
  // A column on the left of a matrix.
  %2 = pp.sub %m, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xi64>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @logic
// CHECK-NEXT: %[[AND:.*]] = pp.constant dense<{{\[\[}}true, false], [false, false]]> : tensor<2x2xi1>
// CHECK-NEXT: %[[OR:.*]] = pp.constant dense<{{\[\[}}true, true], [true, false]]> : tensor<2x2xi1>
// CHECK-NEXT: return %[[AND]], %[[OR]]
func.func @logic() -> (tensor<2x2xi1>, tensor<2x2xi1>) {
  %col = pp.constant dense<[[true], [false]]> : tensor<2x1xi1>
  %row = pp.constant dense<[true, false]> : tensor<2xi1>
  %0 = pp.and %col, %row : (tensor<2x1xi1>, tensor<2xi1>) -> tensor<2x2xi1>
  %1 = pp.or %col, %row : (tensor<2x1xi1>, tensor<2xi1>) -> tensor<2x2xi1>
  return %0, %1 : tensor<2x2xi1>, tensor<2x2xi1>
}

// -----

// Comparisons produce i1 from either kind of operand.
// CHECK-LABEL: func.func @comparisons
// CHECK-NEXT: %[[EQ:.*]] = pp.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-NEXT: %[[LT:.*]] = pp.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NEXT: %[[GT:.*]] = pp.constant dense<[false, false, true]> : tensor<3xi1>
// CHECK-NEXT: %[[CAUSAL:.*]] = pp.constant dense<{{\[\[}}false, true, true], [false, false, true], [false, false, false]]> : tensor<3x3xi1>
// CHECK-NEXT: %[[BOOLS:.*]] = pp.constant dense<[true, false]> : tensor<2xi1>
// CHECK-NEXT: return %[[EQ]], %[[LT]], %[[GT]], %[[CAUSAL]], %[[BOOLS]]
func.func @comparisons() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3x3xi1>, tensor<2xi1>) {
  %a = pp.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %two = pp.constant dense<2.0> : tensor<f32>
  %0 = pp.equal %a, %two : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %1 = pp.less %a, %two : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %2 = pp.greater %a, %two : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  // The causal mask: column index > row index.
  %rows = pp.constant dense<[[0], [1], [2]]> : tensor<3x1xi64>
  %cols = pp.constant dense<[0, 1, 2]> : tensor<3xi64>
  %3 = pp.greater %cols, %rows : (tensor<3xi64>, tensor<3x1xi64>) -> tensor<3x3xi1>
  %p = pp.constant dense<[true, false]> : tensor<2xi1>
  %t = pp.constant dense<true> : tensor<i1>
  %4 = pp.equal %p, %t : (tensor<2xi1>, tensor<i1>) -> tensor<2xi1>
  return %0, %1, %2, %3, %4 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3x3xi1>, tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @select
// CHECK-NEXT: %[[MASKED:.*]] = pp.constant dense<{{\[\[}}1.000000e+00, -1.000000e+09], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[INTS:.*]] = pp.constant dense<{{\[\[}}7, 0], [7, 0]]> : tensor<2x2xi64>
// CHECK-NEXT: return %[[MASKED]], %[[INTS]]
func.func @select() -> (tensor<2x2xf32>, tensor<2x2xi64>) {
  %keep = pp.constant dense<[[true, false], [true, true]]> : tensor<2x2xi1>
  %x = pp.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %neg = pp.constant dense<-1.0e9> : tensor<f32>
  %0 = pp.select %keep, %x, %neg : (tensor<2x2xi1>, tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  // The condition broadcasts across rows, the values across everything.
  %c = pp.constant dense<[true, false]> : tensor<2xi1>
  %seven = pp.constant dense<7> : tensor<i64>
  %zero = pp.constant dense<0> : tensor<2x1xi64>
  %1 = pp.select %c, %seven, %zero : (tensor<2xi1>, tensor<i64>, tensor<2x1xi64>) -> tensor<2x2xi64>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xi64>
}

// -----

// Integer division by zero is left for run time; float division by zero is
// IEEE and folds to inf.
// CHECK-LABEL: func.func @div_by_zero
// CHECK-DAG: %[[A:.*]] = pp.constant dense<[6, 4]> : tensor<2xi64>
// CHECK-DAG: %[[B:.*]] = pp.constant dense<[0, 2]> : tensor<2xi64>
// CHECK-DAG: %[[INF:.*]] = pp.constant dense<[0x7F800000, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[Q:.*]] = pp.div %[[A]], %[[B]] : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
// CHECK-NEXT: return %[[Q]], %[[INF]]
func.func @div_by_zero() -> (tensor<2xi64>, tensor<2xf32>) {
  %a = pp.constant dense<[6, 4]> : tensor<2xi64>
  %b = pp.constant dense<[0, 2]> : tensor<2xi64>
  %0 = pp.div %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %f = pp.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %g = pp.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %1 = pp.div %f, %g : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xi64>, tensor<2xf32>
}

// -----

// A scalar zero divisor blocks folding even though it is broadcast.
// CHECK-LABEL: func.func @div_by_scalar_zero
// CHECK: pp.div
func.func @div_by_scalar_zero() -> tensor<3xi32> {
  %a = pp.constant dense<[1, 2, 3]> : tensor<3xi32>
  %z = pp.constant dense<0> : tensor<i32>
  %0 = pp.div %a, %z : (tensor<3xi32>, tensor<i32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Nothing folds when an operand is not constant.
// CHECK-LABEL: func.func @not_constant
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK-NEXT: %[[C:.*]] = pp.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK-NEXT: %[[ADD:.*]] = pp.add %[[X]], %[[C]]
// CHECK-NEXT: %[[EXP:.*]] = pp.exp %[[ADD]]
// CHECK-NEXT: %[[LT:.*]] = pp.less %[[C]], %[[X]]
// CHECK-NEXT: %[[SEL:.*]] = pp.select %[[LT]], %[[C]], %[[X]]
// CHECK-NEXT: return %[[EXP]], %[[SEL]]
func.func @not_constant(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %c = pp.constant dense<1.0> : tensor<2xf32>
  %0 = pp.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = pp.exp %0 : tensor<2xf32>
  %2 = pp.less %c, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  %3 = pp.select %2, %c, %x : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1, %3 : tensor<2xf32>, tensor<2xf32>
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-NEXT: %[[C:.*]] = pp.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
// CHECK-NEXT: %[[S:.*]] = pp.constant dense<7> : tensor<1x1xi64>
// CHECK-NEXT: return %[[C]], %[[S]]
func.func @reshape() -> (tensor<3x2xi64>, tensor<1x1xi64>) {
  %a = pp.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = pp.reshape %a : tensor<2x3xi64> -> tensor<3x2xi64>
  %s = pp.constant dense<7> : tensor<i64>
  %1 = pp.reshape %s : tensor<i64> -> tensor<1x1xi64>
  return %0, %1 : tensor<3x2xi64>, tensor<1x1xi64>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-NEXT: %[[T:.*]] = pp.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
// CHECK-NEXT: %[[T3:.*]] = pp.constant dense<{{\[\[\[}}0, 2], [4, 6]], {{\[\[}}1, 3], [5, 7]]]> : tensor<2x2x2xi64>
// CHECK-NEXT: %[[SPLAT:.*]] = pp.constant dense<1.000000e+00> : tensor<4x2xf32>
// CHECK-NEXT: return %[[T]], %[[T3]], %[[SPLAT]]
func.func @transpose() -> (tensor<3x2xi64>, tensor<2x2x2xi64>, tensor<4x2xf32>) {
  %a = pp.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = pp.transpose %a perm [1, 0] : tensor<2x3xi64> -> tensor<3x2xi64>
  // result[i][j][k] = b[j][k][i]
  %b = pp.constant dense<[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]> : tensor<2x2x2xi64>
  %1 = pp.transpose %b perm [2, 0, 1] : tensor<2x2x2xi64> -> tensor<2x2x2xi64>
  %ones = pp.constant dense<1.0> : tensor<2x4xf32>
  %2 = pp.transpose %ones perm [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  return %0, %1, %2 : tensor<3x2xi64>, tensor<2x2x2xi64>, tensor<4x2xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-NEXT: %[[WIN:.*]] = pp.constant dense<{{\[\[}}5, 6], [9, 10]]> : tensor<2x2xi64>
// CHECK-NEXT: %[[REV:.*]] = pp.constant dense<{{\[\[}}15, 13], [7, 5]]> : tensor<2x2xi64>
// CHECK-NEXT: %[[FLIP:.*]] = pp.constant dense<[3, 2, 1, 0]> : tensor<4xi64>
// CHECK-NEXT: %[[EMPTY:.*]] = pp.constant dense<> : tensor<0x4xi64>
// CHECK-NEXT: return %[[WIN]], %[[REV]], %[[FLIP]], %[[EMPTY]]
func.func @slice() -> (tensor<2x2xi64>, tensor<2x2xi64>, tensor<4xi64>, tensor<0x4xi64>) {
  %a = pp.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]> : tensor<4x4xi64>
  %0 = pp.slice %a starts [1, 1] steps [1, 1] : tensor<4x4xi64> -> tensor<2x2xi64>
  // Rows 3, 1 and columns 3, 1.
  %1 = pp.slice %a starts [3, 3] steps [-2, -2] : tensor<4x4xi64> -> tensor<2x2xi64>
  %r = pp.constant dense<[0, 1, 2, 3]> : tensor<4xi64>
  %2 = pp.slice %r starts [3] steps [-1] : tensor<4xi64> -> tensor<4xi64>
  %3 = pp.slice %a starts [4, 0] steps [1, 1] : tensor<4x4xi64> -> tensor<0x4xi64>
  return %0, %1, %2, %3 : tensor<2x2xi64>, tensor<2x2xi64>, tensor<4xi64>, tensor<0x4xi64>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-NEXT: %[[ROWS:.*]] = pp.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
// CHECK-NEXT: %[[COLS:.*]] = pp.constant dense<{{\[\[}}1, 2, 7, 0, 0], [3, 4, 8, 0, 0]]> : tensor<2x5xi64>
// CHECK-NEXT: return %[[ROWS]], %[[COLS]]
func.func @concat() -> (tensor<3x2xi64>, tensor<2x5xi64>) {
  %a = pp.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %b = pp.constant dense<[[5, 6]]> : tensor<1x2xi64>
  %0 = pp.concat %a, %b dim 0 : (tensor<2x2xi64>, tensor<1x2xi64>) -> tensor<3x2xi64>
  %c = pp.constant dense<[[7], [8]]> : tensor<2x1xi64>
  %z = pp.constant dense<0> : tensor<2x2xi64>
  %1 = pp.concat %a, %c, %z dim 1 : (tensor<2x2xi64>, tensor<2x1xi64>, tensor<2x2xi64>) -> tensor<2x5xi64>
  return %0, %1 : tensor<3x2xi64>, tensor<2x5xi64>
}

// -----

// CHECK-LABEL: func.func @gather
// CHECK-NEXT: %[[ROW:.*]] = pp.constant dense<[3, 4, 5]> : tensor<3xi64>
// CHECK-NEXT: %[[LAST:.*]] = pp.constant dense<[2, 5]> : tensor<2xi64>
// CHECK-NEXT: %[[EMB:.*]] = pp.constant dense<{{\[\[\[}}3, 4, 5], [0, 1, 2]], {{\[\[}}3, 4, 5], [3, 4, 5]]]> : tensor<2x2x3xi64>
// CHECK-NEXT: %[[COLS:.*]] = pp.constant dense<{{\[\[}}2, 0], [5, 3]]> : tensor<2x2xi64>
// CHECK-NEXT: return %[[ROW]], %[[LAST]], %[[EMB]], %[[COLS]]
func.func @gather() -> (tensor<3xi64>, tensor<2xi64>, tensor<2x2x3xi64>, tensor<2x2xi64>) {
  %t = pp.constant dense<[[0, 1, 2], [3, 4, 5]]> : tensor<2x3xi64>
  %one = pp.constant dense<1> : tensor<i64>
  // A scalar index drops the dim.
  %0 = pp.gather %t[%one] dim 0 : (tensor<2x3xi64>, tensor<i64>) -> tensor<3xi64>
  // Negative indices count from the end.
  %last = pp.constant dense<-1> : tensor<i64>
  %1 = pp.gather %t[%last] dim 1 : (tensor<2x3xi64>, tensor<i64>) -> tensor<2xi64>
  // Embedding lookup with 2-D ids.
  %ids = pp.constant dense<[[1, 0], [-1, 1]]> : tensor<2x2xi64>
  %2 = pp.gather %t[%ids] dim 0 : (tensor<2x3xi64>, tensor<2x2xi64>) -> tensor<2x2x3xi64>
  %cols = pp.constant dense<[2, 0]> : tensor<2xi64>
  %3 = pp.gather %t[%cols] dim 1 : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  return %0, %1, %2, %3 : tensor<3xi64>, tensor<2xi64>, tensor<2x2x3xi64>, tensor<2x2xi64>
}

// -----

// Out-of-range indices are left for the run-time check to report.
// CHECK-LABEL: func.func @gather_out_of_range
// CHECK: %[[G:.*]] = pp.gather
// CHECK-NEXT: %[[H:.*]] = pp.gather
// CHECK-NEXT: return %[[G]], %[[H]]
func.func @gather_out_of_range() -> (tensor<i64>, tensor<i64>) {
  %shape = pp.constant dense<[8, 16, 64]> : tensor<3xi64>
  %three = pp.constant dense<3> : tensor<i64>
  %0 = pp.gather %shape[%three] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %minus4 = pp.constant dense<-4> : tensor<i64>
  %1 = pp.gather %shape[%minus4] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  return %0, %1 : tensor<i64>, tensor<i64>
}

// -----

// Constant indices into a non-constant tensor stay a gather.
// CHECK-LABEL: func.func @gather_of_argument
// CHECK-SAME: (%[[W:.*]]: tensor<4x8xf32>)
// CHECK: %[[G:.*]] = pp.gather %[[W]][%{{.*}}] dim 0
// CHECK-NEXT: return %[[G]]
func.func @gather_of_argument(%w: tensor<4x8xf32>) -> tensor<8xf32> {
  %i = pp.constant dense<2> : tensor<i64>
  %0 = pp.gather %w[%i] dim 0 : (tensor<4x8xf32>, tensor<i64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast
// CHECK-NEXT: %[[ROWS:.*]] = pp.constant dense<{{\[\[}}1, 2], [1, 2], [1, 2]]> : tensor<3x2xi64>
// CHECK-NEXT: %[[COLS:.*]] = pp.constant dense<{{\[\[\[}}1, 1], [2, 2]], {{\[\[}}1, 1], [2, 2]]]> : tensor<2x2x2xi64>
// CHECK-NEXT: %[[SPLAT:.*]] = pp.constant dense<true> : tensor<4x4xi1>
// CHECK-NEXT: return %[[ROWS]], %[[COLS]], %[[SPLAT]]
func.func @broadcast() -> (tensor<3x2xi64>, tensor<2x2x2xi64>, tensor<4x4xi1>) {
  %r = pp.constant dense<[1, 2]> : tensor<2xi64>
  %0 = pp.broadcast %r : tensor<2xi64> -> tensor<3x2xi64>
  %c = pp.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %1 = pp.broadcast %c : tensor<2x1xi64> -> tensor<2x2x2xi64>
  %t = pp.constant dense<true> : tensor<i1>
  %2 = pp.broadcast %t : tensor<i1> -> tensor<4x4xi1>
  return %0, %1, %2 : tensor<3x2xi64>, tensor<2x2x2xi64>, tensor<4x4xi1>
}

//===----------------------------------------------------------------------===//
// Identity folds: they apply to any operand, constant or not
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = pp.reshape %x : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = pp.transpose %x perm [0, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %2 = pp.slice %x starts [0, 0] steps [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %3 = pp.concat %x dim 1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = pp.broadcast %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0, %1, %2, %3, %4 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Chains of identities collapse too.
// CHECK-LABEL: func.func @identity_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi64>)
// CHECK-NEXT: return %[[X]]
func.func @identity_chain(%x: tensor<2x3x4xi64>) -> tensor<2x3x4xi64> {
  %0 = pp.transpose %x perm [0, 1, 2] : tensor<2x3x4xi64> -> tensor<2x3x4xi64>
  %1 = pp.concat %0 dim 0 : (tensor<2x3x4xi64>) -> tensor<2x3x4xi64>
  %2 = pp.slice %1 starts [0, 0, 0] steps [1, 1, 1] : tensor<2x3x4xi64> -> tensor<2x3x4xi64>
  return %2 : tensor<2x3x4xi64>
}

// -----

// Same shape but not identities: a reversing slice, a swap of equal dims, a
// window, a reshape that changes the shape.
// CHECK-LABEL: func.func @near_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4x4xf32>)
// CHECK-NEXT: %[[REV:.*]] = pp.slice %[[X]] starts [3, 0] steps [-1, 1]
// CHECK-NEXT: %[[SWAP:.*]] = pp.transpose %[[X]] perm [1, 0]
// CHECK-NEXT: %[[WIN:.*]] = pp.slice %[[X]] starts [1, 0] steps [1, 1] : tensor<4x4xf32> -> tensor<3x4xf32>
// CHECK-NEXT: %[[FLAT:.*]] = pp.reshape %[[X]] : tensor<4x4xf32> -> tensor<16xf32>
// CHECK-NEXT: return %[[REV]], %[[SWAP]], %[[WIN]], %[[FLAT]]
func.func @near_identities(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<3x4xf32>, tensor<16xf32>) {
  %0 = pp.slice %x starts [3, 0] steps [-1, 1] : tensor<4x4xf32> -> tensor<4x4xf32>
  %1 = pp.transpose %x perm [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  %2 = pp.slice %x starts [1, 0] steps [1, 1] : tensor<4x4xf32> -> tensor<3x4xf32>
  %3 = pp.reshape %x : tensor<4x4xf32> -> tensor<16xf32>
  return %0, %1, %2, %3 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<3x4xf32>, tensor<16xf32>
}

//===----------------------------------------------------------------------===//
// The fold limit: tensors above 65536 elements are left alone
//===----------------------------------------------------------------------===//

// -----

// Exactly at the limit still folds.
// CHECK-LABEL: func.func @at_fold_limit
// CHECK-NEXT: %[[C:.*]] = pp.constant dense<-1.000000e+00> : tensor<256x256xf32>
// CHECK-NEXT: %[[R:.*]] = pp.constant dense<1.000000e+00> : tensor<65536xf32>
// CHECK-NEXT: return %[[C]], %[[R]]
func.func @at_fold_limit() -> (tensor<256x256xf32>, tensor<65536xf32>) {
  %a = pp.constant dense<1.0> : tensor<256x256xf32>
  %0 = pp.neg %a : tensor<256x256xf32>
  %1 = pp.reshape %a : tensor<256x256xf32> -> tensor<65536xf32>
  return %0, %1 : tensor<256x256xf32>, tensor<65536xf32>
}

// -----

// CHECK-LABEL: func.func @unary_above_fold_limit
// CHECK-NEXT: %[[A:.*]] = pp.constant dense<1.000000e+00> : tensor<65537xf32>
// CHECK-NEXT: %[[N:.*]] = pp.neg %[[A]]
// CHECK-NEXT: %[[C:.*]] = pp.cast %[[A]] : tensor<65537xf32> -> tensor<65537xf16>
// CHECK-NEXT: return %[[N]], %[[C]]
func.func @unary_above_fold_limit() -> (tensor<65537xf32>, tensor<65537xf16>) {
  %a = pp.constant dense<1.0> : tensor<65537xf32>
  %0 = pp.neg %a : tensor<65537xf32>
  %1 = pp.cast %a : tensor<65537xf32> -> tensor<65537xf16>
  return %0, %1 : tensor<65537xf32>, tensor<65537xf16>
}

// -----

// CHECK-LABEL: func.func @binary_above_fold_limit
// CHECK: %[[ADD:.*]] = pp.add
// CHECK-NEXT: %[[LT:.*]] = pp.less
// CHECK-NEXT: return %[[ADD]], %[[LT]]
func.func @binary_above_fold_limit() -> (tensor<257x256xi64>, tensor<257x256xi1>) {
  %a = pp.constant dense<1> : tensor<257x256xi64>
  %b = pp.constant dense<2> : tensor<257x256xi64>
  %0 = pp.add %a, %b : (tensor<257x256xi64>, tensor<257x256xi64>) -> tensor<257x256xi64>
  %1 = pp.less %a, %b : (tensor<257x256xi64>, tensor<257x256xi64>) -> tensor<257x256xi1>
  return %0, %1 : tensor<257x256xi64>, tensor<257x256xi1>
}

// -----

// CHECK-LABEL: func.func @movement_above_fold_limit
// CHECK: %[[R:.*]] = pp.reshape
// CHECK-NEXT: %[[T:.*]] = pp.transpose
// CHECK-NEXT: %[[S:.*]] = pp.slice
// CHECK-NEXT: %[[G:.*]] = pp.gather
// CHECK-NEXT: return %[[R]], %[[T]], %[[S]], %[[G]]
func.func @movement_above_fold_limit() -> (tensor<65792xf32>, tensor<257x256xf32>, tensor<256x256xf32>, tensor<2x257xf32>) {
  %a = pp.constant dense<1.0> : tensor<256x257xf32>
  %0 = pp.reshape %a : tensor<256x257xf32> -> tensor<65792xf32>
  %1 = pp.transpose %a perm [1, 0] : tensor<256x257xf32> -> tensor<257x256xf32>
  // The inputs are above the limit even though the results are not.
  %2 = pp.slice %a starts [0, 1] steps [1, 1] : tensor<256x257xf32> -> tensor<256x256xf32>
  %i = pp.constant dense<[0, 255]> : tensor<2xi64>
  %3 = pp.gather %a[%i] dim 0 : (tensor<256x257xf32>, tensor<2xi64>) -> tensor<2x257xf32>
  return %0, %1, %2, %3 : tensor<65792xf32>, tensor<257x256xf32>, tensor<256x256xf32>, tensor<2x257xf32>
}

// -----

// Small inputs whose result is above the limit.
// CHECK-LABEL: func.func @result_above_fold_limit
// CHECK-DAG: %[[A:.*]] = pp.constant dense<1.000000e+00> : tensor<256x256xf32>
// CHECK-DAG: %[[ROW:.*]] = pp.constant dense<[1, 2]> : tensor<2xi64>
// CHECK: %[[CAT:.*]] = pp.concat %[[A]], %[[A]] dim 0
// CHECK-NEXT: %[[B:.*]] = pp.broadcast %[[ROW]] : tensor<2xi64> -> tensor<32769x2xi64>
// CHECK-NEXT: return %[[CAT]], %[[B]]
func.func @result_above_fold_limit() -> (tensor<512x256xf32>, tensor<32769x2xi64>) {
  %a = pp.constant dense<1.0> : tensor<256x256xf32>
  %0 = pp.concat %a, %a dim 0 : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<512x256xf32>
  %r = pp.constant dense<[1, 2]> : tensor<2xi64>
  %1 = pp.broadcast %r : tensor<2xi64> -> tensor<32769x2xi64>
  return %0, %1 : tensor<512x256xf32>, tensor<32769x2xi64>
}

// -----

// A causal mask built in forward (torch.triu of -inf, diagonal 1) and a
// lower triangle of ones: both fold, batched over a leading dim.
// CHECK-LABEL: func.func @trilu_folds
// CHECK-DAG: pp.constant dense<{{\[\[}}0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK-DAG: pp.constant dense<{{\[\[\[}}1, 0], [1, 1]], {{\[\[}}1, 0], [1, 1]]]> : tensor<2x2x2xi64>
// CHECK-NOT: pp.trilu
func.func @trilu_folds() -> (tensor<3x3xf32>, tensor<2x2x2xi64>) {
  %inf = pp.constant dense<0xFF800000> : tensor<3x3xf32>
  %0 = pp.trilu %inf upper k 1 : tensor<3x3xf32>
  %ones = pp.constant dense<1> : tensor<2x2x2xi64>
  %1 = pp.trilu %ones lower k 0 : tensor<2x2x2xi64>
  return %0, %1 : tensor<3x3xf32>, tensor<2x2x2xi64>
}
