// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, DivOp::fold): the int64 quotient is
// computed with `/`, and INT64_MIN / -1 overflows, which traps (SIGFPE) on
// x86 and crashed pp-opt. It now folds with wrap-around.

// Either outcome is fine; pp-opt must not crash.
// CHECK-LABEL: func.func @div_int64_min_by_minus_one
// CHECK: return %{{.*}} : tensor<i64>
func.func @div_int64_min_by_minus_one() -> tensor<i64> {
  %a = pp.constant dense<-9223372036854775808> : tensor<i64>
  %b = pp.constant dense<-1> : tensor<i64>
  %0 = pp.div %a, %b : (tensor<i64>, tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}
