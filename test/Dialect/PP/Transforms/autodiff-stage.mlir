// pp-autodiff with cotangents=true, for a pipeline stage: each float result
// gets a cotangent argument in B (pp.cotangent = result index); integer
// results get none.
// RUN: pp-opt %s --pp-autodiff=cotangents=true | FileCheck %s

// CHECK-LABEL: func.func @stage1
// CHECK-SAME: (%[[H:[a-z0-9]+]]: tensor<2x4xf32>, %[[IDS:[a-z0-9]+]]: tensor<2xi64>)
// CHECK-SAME: -> (tensor<2x4xf32>, tensor<2xi64>, tensor<2x4xf32> {pp.saved = 0 : i64})
// CHECK: return %{{.*}}, %[[IDS]], %[[H]]
// CHECK-LABEL: func.func @stage1_b
// CHECK-SAME: (%[[DZ:[a-z0-9]+]]: tensor<2x4xf32> {pp.cotangent = 0 : i64})
// CHECK-SAME: -> (tensor<2x4xf32> {pp.arg_gradient = 0 : i64}, tensor<2x4xf32> {pp.carried = 0 : i64})
// CHECK: %[[DY:.*]] = pp.matmul %[[DZ]], %{{.*}}
// The residual's two paths add up.
// CHECK: %[[DH:.*]] = pp.add %[[DZ]], %[[DY]]
// CHECK: return %[[DH]], %[[DZ]]
// CHECK-LABEL: func.func @stage1_w
// CHECK-SAME: (%{{.*}}: tensor<2x4xf32> {pp.saved = 0 : i64}, %{{.*}}: tensor<2x4xf32> {pp.carried = 0 : i64})
// CHECK-SAME: -> (tensor<4x4xf32> {pp.weight_gradient = "w"})
func.func @stage1(%h: tensor<2x4xf32>, %ids: tensor<2xi64>) -> (tensor<2x4xf32>, tensor<2xi64>) {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf32>
  %y = pp.matmul %h, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %z = pp.add %h, %y : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %z, %ids : tensor<2x4xf32>, tensor<2xi64>
}
