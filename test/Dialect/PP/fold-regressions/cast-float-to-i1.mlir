// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, writeScalars): a cast to i1 is `x != 0`
// (see pp.cast), but float inputs are first truncated to int64, so 0.5 and
// -0.25 fold to false. The emitted code computes `x != 0` and gives true, so
// folded and unfolded programs disagree.

// CHECK-LABEL: func.func @cast_float_to_i1
// CHECK-NEXT: %[[B:.*]] = pp.constant dense<[true, true, false, true, false]> : tensor<5xi1>
// CHECK-NEXT: return %[[B]]
func.func @cast_float_to_i1() -> tensor<5xi1> {
  %x = pp.constant dense<[0.5, -0.25, 0.0, 2.0, -0.0]> : tensor<5xf32>
  %0 = pp.cast %x : tensor<5xf32> -> tensor<5xi1>
  return %0 : tensor<5xi1>
}
