// RUN: pp-opt %s --split-input-file --pp-convert-float-type=to=bf16 | FileCheck %s --check-prefix=BF16
// RUN: pp-opt %s --split-input-file --pp-convert-float-type=to=f16 | FileCheck %s --check-prefix=F16
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-convert-float-type=to=fp8 2>&1 | FileCheck %s --check-prefix=BAD

// f32 tensors become 16-bit; indices and masks stay; weights remember the
// element type of their file; constants are rounded.

// BF16-LABEL: func.func @mlp
// BF16-SAME: (%[[X:.*]]: tensor<2x4xbf16>, %[[IDS:.*]]: tensor<2xi64>) -> tensor<2x3xbf16>
// BF16: %[[W:.*]] = pp.weight "w" from "model.onnx" offset 0 {file_element_type = f32} : tensor<4x3xbf16>
// BF16: %[[B:.*]] = pp.constant dense<[1.000000e+00, 3.339840e-01, -2.500000e+00]> : tensor<3xbf16>
// BF16: %[[M:.*]] = pp.matmul %[[X]], %[[W]] : (tensor<2x4xbf16>, tensor<4x3xbf16>) -> tensor<2x3xbf16>
// BF16: pp.add %[[M]], %[[B]] : (tensor<2x3xbf16>, tensor<3xbf16>) -> tensor<2x3xbf16>
// F16: pp.weight "w" from "model.onnx" offset 0 {file_element_type = f32} : tensor<4x3xf16>
// F16: pp.constant dense<[1.000000e+00, 3.332520e-01, -2.500000e+00]> : tensor<3xf16>
// BAD: error: pp-convert-float-type: unknown type 'fp8'; expected bf16, f16 or f32
func.func @mlp(%x: tensor<2x4xf32>, %ids: tensor<2xi64>) -> tensor<2x3xf32> {
  %w = pp.weight "w" from "model.onnx" offset 0 : tensor<4x3xf32>
  %b = pp.constant dense<[1.0, 0.33333, -2.5]> : tensor<3xf32>
  %m = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %y = pp.add %m, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Integer and f64 tensors are not touched.
// BF16-LABEL: func.func @others
// BF16: pp.cast %{{.*}} : tensor<4xi64> -> tensor<4xf64>
func.func @others(%i: tensor<4xi64>) -> tensor<4xf64> {
  %f = pp.cast %i : tensor<4xi64> -> tensor<4xf64>
  return %f : tensor<4xf64>
}
