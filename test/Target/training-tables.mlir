// A training program's tables tell the step loop what each tensor is: the
// step count and optimizer state inputs, and the loss, gradient, update and
// new-state outputs, each naming the weight or input it belongs to. A
// weight the model's files hold twice (a folded, transposed LM head) lists
// the copy, which checkpoints write too.
// RUN: rm -rf %t && pp-opt %s --pp-apply-optimizer="optimizer=sgd momentum=0.9" --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp
// CHECK: const pprt::TiedCopy [[$COPIES:kTiedCopies[0-9]+]][] = {
// CHECK-NEXT:  {.name = "onnx::MatMul_9", .file = "m.onnx", .offset = 64, .transposed = 1},
// CHECK-NEXT:  };
// CHECK-LABEL: const pprt::TensorSpec kInputs[] = {
// CHECK-NEXT:  {.name = "x", {{.*}}, .role = pprt::TensorRole::Data, .of = nullptr},
// CHECK-NEXT:  {.name = "step", .dtype = pprt::DType::F32, .rank = 0, {{.*}}, .role = pprt::TensorRole::Step, .of = nullptr},
// CHECK-NEXT:  {.name = "w.momentum_buffer", {{.*}}, .role = pprt::TensorRole::State, .of = "w.momentum_buffer"},
// CHECK-NEXT:  {}};
// CHECK-NEXT:  const pprt::TensorSpec kOutputs[] = {
// CHECK-NEXT:  {.name = "loss", {{.*}}, .role = pprt::TensorRole::Loss, .of = nullptr},
// CHECK-NEXT:  {.name = "w", {{.*}}, .role = pprt::TensorRole::Gradient, .of = "w"},
// CHECK-NEXT:  {.name = "w.updated", {{.*}}, .role = pprt::TensorRole::Update, .of = "w"},
// CHECK-NEXT:  {.name = "w.momentum_buffer.next", {{.*}}, .role = pprt::TensorRole::State, .of = "w.momentum_buffer"},
// CHECK-NEXT:  {}};
// CHECK-NEXT:  const pprt::WeightSpec kWeights[] = {
// CHECK-NEXT:  {.name = "w", {{.*}}, .numTiedCopies = 1, .tiedCopies = [[$COPIES]], .tensorName = nullptr},
func.func @main(%x: tensor<2x4xf32> {pp.name = "x"}) -> (tensor<f32> {pp.loss, pp.name = "loss"}, tensor<4x4xf32> {pp.name = "w", pp.weight_gradient = "w"}) {
  %w = pp.weight "w" from "m.onnx" offset 0 {pp.tied_copies = [#pp.tied_copy<name = "onnx::MatMul_9", file = "m.onnx", offset = 64, transposed = true>]} : tensor<4x4xf32>
  %h = pp.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %xt = pp.transpose %x perm [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  %g = pp.matmul %xt, %h : (tensor<4x2xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %l = pp.reduce sum %h dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %l, %g : tensor<f32>, tensor<4x4xf32>
}
