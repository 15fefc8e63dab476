// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, foldComparison): equal/less/greater
// compare in double, so i64 values above 2^53 that differ compare equal:
// 2^53 + 1 folds as equal to 2^53 and not greater than it. The emitted code
// compares the integers exactly.

// CHECK-LABEL: func.func @compare_large_i64
// CHECK-DAG: %[[FALSE:.*]] = pp.constant dense<false> : tensor<i1>
// CHECK-DAG: %[[TRUE:.*]] = pp.constant dense<true> : tensor<i1>
// CHECK: return %[[FALSE]], %[[FALSE]], %[[TRUE]]
func.func @compare_large_i64() -> (tensor<i1>, tensor<i1>, tensor<i1>) {
  %a = pp.constant dense<9007199254740993> : tensor<i64>
  %b = pp.constant dense<9007199254740992> : tensor<i64>
  %0 = pp.equal %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i1>
  %1 = pp.less %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i1>
  %2 = pp.greater %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i1>
  return %0, %1, %2 : tensor<i1>, tensor<i1>, tensor<i1>
}
