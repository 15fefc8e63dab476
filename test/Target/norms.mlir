// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp

// pp.layer_norm is (out, in, scale, bias, rows, row size, epsilon) and
// pp.rms_norm the same without a bias; epsilon is an f32 literal.

// CHECK-LABEL: void runModel(
// CHECK:       // layer_norm: pp.layer_norm
// CHECK-NEXT:  pprt::cpu::layerNorm(ctx, (float *)outputs[0], (const float *)inputs[0], (const float *)weights[0], (const float *)weights[1], 6, 8, 9.99999975e-06f);
// CHECK-NEXT:  // rms_norm: pp.rms_norm
// CHECK-NEXT:  pprt::cpu::rmsNorm(ctx, (float *)outputs[1], (const float *)inputs[0], (const float *)weights[2], 6, 8, 9.99999997e-07f);

func.func @main(%x: tensor<2x3x8xf32> {pp.name = "x"}) -> (tensor<2x3x8xf32> {pp.name = "ln"}, tensor<2x3x8xf32> {pp.name = "rms"}) {
  %g = pp.weight "ln.weight" from "model.onnx" offset 0 : tensor<8xf32>
  %b = pp.weight "ln.bias" from "model.onnx" offset 32 : tensor<8xf32>
  %s = pp.weight "rms.weight" from "model.onnx" offset 64 : tensor<8xf32>
  %0 = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05 : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32> loc("layer_norm")
  %1 = pp.rms_norm %x, %s epsilon 1.0e-06 : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32> loc("rms_norm")
  return %0, %1 : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
