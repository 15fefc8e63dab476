// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, foldElementwise): the broadcast index map
// of each operand is built as soon as that operand is constant, before the
// other operands are read and without a limit on the result size.
// Subtracting a large non-constant tensor from a constant scalar therefore
// allocates one int64 per result element and aborts ("SmallVector unable to
// grow"; 2^40 elements).

// CHECK-LABEL: func.func @constant_minus_huge_argument
// CHECK-SAME: (%[[X:.*]]: tensor<1048576x1048576xf32>)
// CHECK-NEXT: %[[C:.*]] = pp.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[SUB:.*]] = pp.sub %[[C]], %[[X]]
// CHECK-NEXT: return %[[SUB]]
func.func @constant_minus_huge_argument(%x: tensor<1048576x1048576xf32>) -> tensor<1048576x1048576xf32> {
  %c = pp.constant dense<1.0> : tensor<f32>
  %0 = pp.sub %c, %x : (tensor<f32>, tensor<1048576x1048576xf32>) -> tensor<1048576x1048576xf32>
  return %0 : tensor<1048576x1048576xf32>
}
