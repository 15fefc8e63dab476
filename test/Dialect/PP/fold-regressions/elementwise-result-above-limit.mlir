// RUN: pp-opt %s --canonicalize | FileCheck %s

// Regression: a folder bug, now fixed (PPFolders.cpp, foldElementwise and foldComparison): only
// the operands are held to kMaxFoldElements (65536), not the broadcast
// result, so two small constants fold into a constant of any size (here
// 2x256x256 = 131072 elements, not a splat). Data-movement folds check
// the result size; elementwise ones now do too.

// CHECK-LABEL: func.func @elementwise_result_above_limit
// CHECK: %[[ADD:.*]] = pp.add
// CHECK: %[[LT:.*]] = pp.less
// CHECK: %[[SEL:.*]] = pp.select
// CHECK: return %[[ADD]], %[[LT]], %[[SEL]]
func.func @elementwise_result_above_limit() -> (tensor<2x256x256xf32>, tensor<2x256x256xi1>, tensor<2x256x256xf32>) {
  %a = pp.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %b = pp.constant dense<3.0> : tensor<256x256xf32>
  %0 = pp.add %a, %b : (tensor<2x1x1xf32>, tensor<256x256xf32>) -> tensor<2x256x256xf32>
  %1 = pp.less %a, %b : (tensor<2x1x1xf32>, tensor<256x256xf32>) -> tensor<2x256x256xi1>
  %c = pp.constant dense<[[[true]], [[false]]]> : tensor<2x1x1xi1>
  %2 = pp.select %c, %a, %b : (tensor<2x1x1xi1>, tensor<2x1x1xf32>, tensor<256x256xf32>) -> tensor<2x256x256xf32>
  return %0, %1, %2 : tensor<2x256x256xf32>, tensor<2x256x256xi1>, tensor<2x256x256xf32>
}
