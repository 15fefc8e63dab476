// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp
// RUN: rm -rf %t.cuda && pp-opt %s --target=cuda --emit=source -o %t.cuda
// RUN: FileCheck %s --check-prefix=CUDA < %t.cuda/src/program.cu

// A plain output that its op computes is written straight into the output
// buffer, also when later ops read it: no arena bytes, no copy at the end.
// A value returned twice, a view (reshape) and an argument are copied.

// CHECK-LABEL: // @main: arena of 256 bytes planned at compile time.
// CHECK-LABEL: void runModel(
// CHECK:       // sm: pp.softmax
// CHECK-NEXT:  pprt::cpu::softmax(ctx, (float *)outputs[0], (const float *)inputs[0], 4, 4, 1, false);
// CHECK-NEXT:  // mm: pp.matmul
// CHECK-NEXT:  pprt::cpu::matmul(ctx, (float *)(arena + 0), (const float *)outputs[0], (const float *)outputs[0], 1, 4, 4, 4, 0, 0, 16, false, false);
// CHECK-NOT:   // output 0
// CHECK:       // output 1
// CHECK:         pprt::cpu::copyStrided(ctx, outputs[1], strides, (arena + 0), strides, shape, 1, 4);
// CHECK:       // output 2
// CHECK:         pprt::cpu::copyStrided(ctx, outputs[2], strides, (arena + 0), strides, shape, 1, 4);
// CHECK:       // output 3
// CHECK:         pprt::cpu::copyStrided(ctx, outputs[3], strides, (arena + 0), strides, shape, 1, 4);
// CHECK:       // output 4
// CHECK:         pprt::cpu::copyStrided(ctx, outputs[4], strides, inputs[0], strides, shape, 1, 4);

// CUDA:        pprt::cuda::softmax(ctx, (float *)outputs[0], (const float *)inputs[0], 4, 4, 1, false);

func.func @main(%x: tensor<4x4xf32> {pp.name = "x"}) -> (tensor<4x4xf32> {pp.name = "p"}, tensor<4x4xf32> {pp.name = "q"}, tensor<4x4xf32> {pp.name = "q2"}, tensor<16xf32> {pp.name = "flat"}, tensor<4x4xf32> {pp.name = "x_out"}) {
  %0 = pp.softmax %x dim 1 : tensor<4x4xf32> loc("sm")
  %1 = pp.matmul %0, %0 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> loc("mm")
  %2 = pp.reshape %1 : tensor<4x4xf32> -> tensor<16xf32> loc("flatten")
  return %0, %1, %1, %2, %x : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<16xf32>, tensor<4x4xf32>
}
