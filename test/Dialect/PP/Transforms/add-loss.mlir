// pp-add-loss: the logits result becomes the cross-entropy against a new
// labels argument, and the function returns the loss alone.
// RUN: pp-opt %s --pp-add-loss | FileCheck %s
// RUN: pp-opt %s --pp-add-loss="logits=lm_logits labels=targets" | FileCheck %s --check-prefix=NAMED

// The only float result is the logits by default.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[IDS:[a-z0-9]+]]: tensor<2x8xi64> {pp.name = "input_ids"}, %[[LABELS:[a-z0-9]+]]: tensor<2x8xi64> {pp.name = "labels"})
// CHECK-SAME: -> (tensor<f32> {pp.name = "loss"})
// CHECK: %[[LOGITS:.*]] = pp.gather
// CHECK: %[[LOSS:.*]] = pp.cross_entropy %[[LOGITS]], %[[LABELS]] ignore_index -100 : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<f32>
// CHECK: return %[[LOSS]] : tensor<f32>
// NAMED-LABEL: func.func @main
// NAMED-SAME: %{{.*}}: tensor<2x8xi64> {pp.name = "targets"}
func.func @main(%ids: tensor<2x8xi64> {pp.name = "input_ids"}) -> (tensor<2x8x16xf32> {pp.name = "lm_logits"}) {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<32x16xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<32x16xf32>, tensor<2x8xi64>) -> tensor<2x8x16xf32>
  return %x : tensor<2x8x16xf32>
}
