// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp

// pp.reduce is (out, in, outer, reduced, inner, kind) over one run of
// adjacent dims; dims 0 and 2 are first transposed together
// (pp-legalize-for-kernels), and keepdims is only a reshape.

// CHECK-LABEL: void runModel(
// CHECK:       // mean: pp.reduce
// CHECK-NEXT:  pprt::cpu::reduce(ctx, (float *)outputs[0], (const float *)inputs[0], 6, 4, 1, pprt::ReduceKind::Mean);
// CHECK-NEXT:  // prod: pp.reduce
// CHECK-NEXT:  pprt::cpu::reduce(ctx, (int64_t *)outputs[1], (const int64_t *)inputs[1], 1, 24, 1, pprt::ReduceKind::Prod);
// CHECK-NEXT:  // max: pp.transpose
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {3, 2, 4};
// CHECK-NEXT:    static const int64_t dstStrides[] = {8, 4, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {4, 12, 1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)(arena + 0) + 0, dstStrides, (const char *)inputs[0] + (0) * 4, srcStrides, shape, 3, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  // max: pp.reduce
// CHECK-NEXT:  pprt::cpu::reduce(ctx, (float *)(arena + 256), (const float *)(arena + 0), 3, 8, 1, pprt::ReduceKind::Max);

func.func @main(%x: tensor<2x3x4xf32> {pp.name = "x"}, %i: tensor<4x6xi64> {pp.name = "i"}) -> (tensor<2x3x1xf32> {pp.name = "mean"}, tensor<i64> {pp.name = "prod"}, tensor<1x3x1xf32> {pp.name = "max"}) {
  %0 = pp.reduce mean %x dims [2] keepdims : tensor<2x3x4xf32> -> tensor<2x3x1xf32> loc("mean")
  %1 = pp.reduce prod %i dims [0, 1] : tensor<4x6xi64> -> tensor<i64> loc("prod")
  %2 = pp.reduce max %x dims [0, 2] keepdims : tensor<2x3x4xf32> -> tensor<1x3x1xf32> loc("max")
  return %0, %1, %2 : tensor<2x3x1xf32>, tensor<i64>, tensor<1x3x1xf32>
}
