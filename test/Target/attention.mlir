// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// softmax(mask(scale * Q K^T)) V runs as one attention kernel that reads
// Q, K and V where the projection left them and writes where the head
// merge puts the result: no scores in memory, no slice, transpose or
// broadcast copies.

// GPT-2's form: Q, K and V sliced from one projection and split into
// heads; the scores divided by a constant; torch.where(mask, finfo.min,
// scores) with a constant mask that hides exactly the later keys, so the
// kernel skips them (causal = 1).
// CHECK-LABEL: void runModel(
// CHECK-NOT:   copyStrided
// CHECK:       // merge: pp.transpose
// CHECK-NEXT:  {
// CHECK-NEXT:    static const pprt::AttentionShape shape = {.batch = 1, .heads = 2, .kvGroup = 1, .queries = 4, .keys = 4, .depth = 4, .valueDepth = 4, .q = {0, 4, 24, 1}, .k = {0, 4, 24, 1}, .v = {0, 4, 24, 1}, .out = {0, 4, 8, 1}, .addend = {0, 0, 0, 0}, .keep = {0, 0, 4, 1}, .causal = 1, .selectFirst = 0, .invertKeep = 1};
// CPU-NEXT:      pprt::cpu::attention(ctx, (float *)(arena + 0), (const float *)inputs[0], ((const float *)inputs[0] + 8), ((const float *)inputs[0] + 16), (const float *)nullptr, (const bool *)(void *)kConst0, 0.5f, -3.40282347e+38f, shape);
// CUDA-NEXT:     pprt::cuda::attention(ctx, (float *)(arena + {{[0-9]+}}), (const float *)inputs[0], ((const float *)inputs[0] + 8), ((const float *)inputs[0] + 16), (const float *)nullptr, (const bool *)(arena + {{[0-9]+}}), 0.5f, -3.40282347e+38f, shape);

// Llama's form: 4 query heads over 2 key/value heads (GQA's expand is a
// reshape, broadcast and reshape), the scores scaled, then an additive mask
// from an input: not constant, so nothing is skipped.
// CHECK-NOT:   copyStrided
// CHECK:       // gqa_values: pp.matmul
// CHECK-NEXT:  {
// CHECK-NEXT:    static const pprt::AttentionShape shape = {.batch = 1, .heads = 4, .kvGroup = 2, .queries = 4, .keys = 4, .depth = 4, .valueDepth = 4, .q = {0, 16, 4, 1}, .k = {0, 16, 4, 1}, .v = {0, 16, 4, 1}, .out = {0, 16, 4, 1}, .addend = {0, 0, 4, 1}, .keep = {0, 0, 0, 0}, .causal = 0, .selectFirst = 0, .invertKeep = 0};
// CHECK-NEXT:    pprt::{{cpu|cuda}}::attention(ctx, (float *)outputs[1], (const float *)inputs[1], (const float *)inputs[2], (const float *)inputs[3], (const float *)inputs[4], (const bool *)nullptr, 0.5f, 0.0f, shape);

// Probabilities read by something else (training keeps them for the
// backward pass) leave the attention unfused.
// CHECK:       // kept_scores: pp.matmul
// CHECK-NEXT:  pprt::{{cpu|cuda}}::matmul(
// CHECK:       // kept_softmax: pp.softmax
// CHECK-NEXT:  pprt::{{cpu|cuda}}::softmax(
// CHECK-NEXT:  // kept_values: pp.matmul
// CHECK-NEXT:  pprt::{{cpu|cuda}}::matmul(
// CHECK-NOT:   attention(

func.func @main(%qkv: tensor<1x4x24xf32> {pp.name = "qkv"},
                %q2: tensor<1x4x4x4xf32> {pp.name = "q2"},
                %k2: tensor<1x2x4x4xf32> {pp.name = "k2"},
                %v2: tensor<1x2x4x4xf32> {pp.name = "v2"},
                %pad: tensor<1x1x4x4xf32> {pp.name = "pad"})
    -> (tensor<1x4x8xf32> {pp.name = "gpt"}, tensor<1x4x4x4xf32> {pp.name = "gqa"},
        tensor<1x4x4x4xf32> {pp.name = "kept"}, tensor<1x4x4x4xf32> {pp.name = "probs"}) {
  %causal = pp.constant dense<[[[[false, true, true, true], [false, false, true, true], [false, false, false, true], [false, false, false, false]]]]> : tensor<1x1x4x4xi1>
  %min = pp.constant dense<-3.40282347e+38> : tensor<f32>
  %two = pp.constant dense<2.0> : tensor<f32>
  %half = pp.constant dense<0.5> : tensor<f32>

  %q = pp.slice %qkv starts [0, 0, 0] steps [1, 1, 1] : tensor<1x4x24xf32> -> tensor<1x4x8xf32>
  %k = pp.slice %qkv starts [0, 0, 8] steps [1, 1, 1] : tensor<1x4x24xf32> -> tensor<1x4x8xf32>
  %v = pp.slice %qkv starts [0, 0, 16] steps [1, 1, 1] : tensor<1x4x24xf32> -> tensor<1x4x8xf32>
  %qr = pp.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kr = pp.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vr = pp.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qt = pp.transpose %qr perm [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kt = pp.transpose %kr perm [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vt = pp.transpose %vr perm [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %s = pp.matmul %qt, %kt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("scores")
  %d = pp.div %s, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32> loc("scale")
  %m = pp.select %causal, %min, %d : (tensor<1x1x4x4xi1>, tensor<f32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("mask")
  %p = pp.softmax %m dim 3 : tensor<1x2x4x4xf32> loc("softmax")
  %o = pp.matmul %p, %vt : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("values")
  %ot = pp.transpose %o perm [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32> loc("merge")
  %gpt = pp.reshape %ot : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>

  %k5 = pp.reshape %k2 : tensor<1x2x4x4xf32> -> tensor<1x2x1x4x4xf32>
  %kb = pp.broadcast %k5 : tensor<1x2x1x4x4xf32> -> tensor<1x2x2x4x4xf32>
  %kx = pp.reshape %kb : tensor<1x2x2x4x4xf32> -> tensor<1x4x4x4xf32>
  %ktx = pp.transpose %kx perm [0, 1, 3, 2] : tensor<1x4x4x4xf32> -> tensor<1x4x4x4xf32>
  %v5 = pp.reshape %v2 : tensor<1x2x4x4xf32> -> tensor<1x2x1x4x4xf32>
  %vb = pp.broadcast %v5 : tensor<1x2x1x4x4xf32> -> tensor<1x2x2x4x4xf32>
  %vx = pp.reshape %vb : tensor<1x2x2x4x4xf32> -> tensor<1x4x4x4xf32>
  %gs = pp.matmul %q2, %ktx : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("gqa_scores")
  %gsc = pp.mul %gs, %half : (tensor<1x4x4x4xf32>, tensor<f32>) -> tensor<1x4x4x4xf32> loc("gqa_scale")
  %gm = pp.add %gsc, %pad : (tensor<1x4x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x4x4x4xf32> loc("gqa_mask")
  %gp = pp.softmax %gm dim 3 : tensor<1x4x4x4xf32> loc("gqa_softmax")
  %gqa = pp.matmul %gp, %vx : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("gqa_values")

  %ks = pp.matmul %q2, %q2 : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("kept_scores")
  %kp = pp.softmax %ks dim 3 : tensor<1x4x4x4xf32> loc("kept_softmax")
  %kept = pp.matmul %kp, %q2 : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("kept_values")
  return %gpt, %gqa, %kept, %kp : tensor<1x4x8xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
