// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp

// Transpose, slice, broadcast and concat are strided copies: the source
// strides say where each element comes from (0 for a broadcast dim; the
// slice's starts are an element offset). Gather and trilu are kernels on
// bytes; a reshape is no code, the output copy reads the input itself.

// CHECK-LABEL: void runModel(
// CHECK:       // transpose: pp.transpose
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {2, 4, 3};
// CHECK-NEXT:    static const int64_t dstStrides[] = {12, 3, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {12, 1, 4};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)outputs[0] + 0, dstStrides, (const char *)inputs[0] + (0) * 4, srcStrides, shape, 3, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  // slice: pp.slice
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {2, 3, 2};
// CHECK-NEXT:    static const int64_t dstStrides[] = {6, 2, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {12, 4, 2};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)outputs[1] + 0, dstStrides, (const char *)inputs[0] + (1) * 4, srcStrides, shape, 3, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  // expand: pp.broadcast
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {3, 4};
// CHECK-NEXT:    static const int64_t dstStrides[] = {4, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {0, 1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)outputs[2] + 0, dstStrides, (const char *)inputs[2] + (0) * 4, srcStrides, shape, 2, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  // concat: pp.concat
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {2, 3, 4};
// CHECK-NEXT:    static const int64_t dstStrides[] = {24, 8, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {12, 4, 1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)outputs[3] + 0, dstStrides, (const char *)inputs[0] + (0) * 4, srcStrides, shape, 3, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {2, 3, 4};
// CHECK-NEXT:    static const int64_t dstStrides[] = {24, 8, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {12, 4, 1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)outputs[3] + 16, dstStrides, (const char *)inputs[0] + (0) * 4, srcStrides, shape, 3, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  // embedding: pp.gather
// CHECK-NEXT:  pprt::cpu::gather(ctx, outputs[4], weights[0], (const int64_t *)inputs[1], 4, 1, 5, 4, 4);
// CHECK-NEXT:  // triu: pp.trilu
// CHECK-NEXT:  pprt::cpu::trilu(ctx, outputs[5], inputs[0], 4, 2, 3, 4, 1, true);
// Outputs 0-5 were computed in their output buffers; only the reshape, a
// view of input x, is copied.
// CHECK-NEXT:  // output 6
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {24};
// CHECK-NEXT:    static const int64_t strides[] = {1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, outputs[6], strides, inputs[0], strides, shape, 1, 4);

func.func @main(%x: tensor<2x3x4xf32> {pp.name = "x"}, %ids: tensor<2x2xi64> {pp.name = "ids"}, %r: tensor<4xf32> {pp.name = "r"}) -> (tensor<2x4x3xf32> {pp.name = "t"}, tensor<2x3x2xf32> {pp.name = "s"}, tensor<3x4xf32> {pp.name = "b"}, tensor<2x3x8xf32> {pp.name = "c"}, tensor<2x2x4xf32> {pp.name = "g"}, tensor<2x3x4xf32> {pp.name = "u"}, tensor<6x4xf32> {pp.name = "m"}) {
  %table = pp.weight "table" from "model.onnx" offset 0 : tensor<5x4xf32>
  %0 = pp.transpose %x perm [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32> loc("transpose")
  %1 = pp.slice %x starts [0, 0, 1] steps [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x2xf32> loc("slice")
  %2 = pp.broadcast %r : tensor<4xf32> -> tensor<3x4xf32> loc("expand")
  %3 = pp.concat %x, %x dim 2 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x8xf32> loc("concat")
  %4 = pp.gather %table[%ids] dim 0 : (tensor<5x4xf32>, tensor<2x2xi64>) -> tensor<2x2x4xf32> loc("embedding")
  %5 = pp.trilu %x upper k 1 : tensor<2x3x4xf32> loc("triu")
  %6 = pp.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32> loc("reshape")
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x4x3xf32>, tensor<2x3x2xf32>, tensor<3x4xf32>, tensor<2x3x8xf32>, tensor<2x2x4xf32>, tensor<2x3x4xf32>, tensor<6x4xf32>
}
