// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp

// pp.softmax is (out, in, outer, dim size, inner, log): the dim's elements
// are `inner` apart.

// CHECK-LABEL: void runModel(
// CHECK:       // softmax: pp.softmax
// CHECK-NEXT:  pprt::cpu::softmax(ctx, (float *)outputs[0], (const float *)inputs[0], 6, 4, 1, false);
// CHECK-NEXT:  // log_softmax: pp.softmax
// CHECK-NEXT:  pprt::cpu::softmax(ctx, (float *)outputs[1], (const float *)inputs[0], 2, 3, 4, true);

func.func @main(%x: tensor<2x3x4xf32> {pp.name = "x"}) -> (tensor<2x3x4xf32> {pp.name = "p"}, tensor<2x3x4xf32> {pp.name = "lp"}) {
  %0 = pp.softmax %x dim 2 : tensor<2x3x4xf32> loc("softmax")
  %1 = pp.softmax %x dim 1 log : tensor<2x3x4xf32> loc("log_softmax")
  return %0, %1 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}
