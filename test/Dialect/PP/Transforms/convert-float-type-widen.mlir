// RUN: pp-opt %s --pp-convert-float-type=to=f32 | FileCheck %s

// Widening, as training a model stored in 16 bits does first: bf16 and f16
// tensors, weights and constants become f32; weights remember their file's
// element type; indices stay.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[IDS:.*]]: tensor<2xi64>) -> tensor<2x3xf32>
// CHECK: %[[W:.*]] = pp.weight "w" from "model.onnx" offset 0 {file_element_type = bf16} : tensor<4x3xf32>
// CHECK: %[[V:.*]] = pp.weight "v" from "model.onnx" offset 24 {file_element_type = f16} : tensor<3xf32>
// CHECK: %[[B:.*]] = pp.constant dense<[1.000000e+00, 0.333984375, -2.500000e+00]> : tensor<3xf32>
// CHECK: %[[M:.*]] = pp.matmul %[[X]], %[[W]] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[C:.*]] = pp.cast %[[V]] : tensor<3xf32> -> tensor<3xf32>
func.func @mlp(%x: tensor<2x4xbf16>, %ids: tensor<2xi64>) -> tensor<2x3xbf16> {
  %w = pp.weight "w" from "model.onnx" offset 0 : tensor<4x3xbf16>
  %v = pp.weight "v" from "model.onnx" offset 24 : tensor<3xf16>
  %b = pp.constant dense<[1.0, 0.33333, -2.5]> : tensor<3xbf16>
  %m = pp.matmul %x, %w : (tensor<2x4xbf16>, tensor<4x3xbf16>) -> tensor<2x3xbf16>
  %c = pp.cast %v : tensor<3xf16> -> tensor<3xbf16>
  %a = pp.add %m, %b : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  %s = pp.add %a, %c : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
  return %s : tensor<2x3xbf16>
}
