// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// pp.cross_entropy is one crossEntropy call: (loss, logits, labels, scratch,
// rows, vocab, ignore_index). The scratch holds a float per row, lives in
// the arena only while the op runs, and overlaps neither operands nor
// results: the second loss reuses the first one's scratch and gets its own
// above it. Rank-1 logits are one row.

// CHECK-LABEL: void runModel(
// CHECK:       // loss: pp.cross_entropy
// CPU-NEXT:    pprt::cpu::crossEntropy(ctx, (float *)outputs[0], (const float *)inputs[0], (const int64_t *)inputs[1], (float *)(arena + 0), 6, 5, -100);
// CUDA-NEXT:   pprt::cuda::crossEntropy(ctx, (float *)outputs[0], (const float *)inputs[0], (const int64_t *)inputs[1], (float *)(arena + 0), 6, 5, -100);
// CHECK-NEXT:  // row_loss: pp.cross_entropy
// CPU-NEXT:    pprt::cpu::crossEntropy(ctx, (float *)outputs[1], (const float *)inputs[2], (const int64_t *)inputs[3], (float *)(arena + 0), 1, 5, 0);
// CUDA-NEXT:   pprt::cuda::crossEntropy(ctx, (float *)outputs[1], (const float *)inputs[2], (const int64_t *)inputs[3], (float *)(arena + 0), 1, 5, 0);

func.func @main(%logits: tensor<2x3x5xf32> {pp.name = "logits"}, %labels: tensor<2x3xi64> {pp.name = "labels"}, %row: tensor<5xf32> {pp.name = "row"}, %label: tensor<i64> {pp.name = "label"}) -> (tensor<f32> {pp.name = "loss"}, tensor<f32> {pp.name = "row_loss"}) {
  %0 = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x3x5xf32>, tensor<2x3xi64>) -> tensor<f32> loc("loss")
  %1 = pp.cross_entropy %row, %label ignore_index 0 : (tensor<5xf32>, tensor<i64>) -> tensor<f32> loc("row_loss")
  return %0, %1 : tensor<f32>, tensor<f32>
}
