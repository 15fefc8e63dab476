// pp-add-loss with logits= naming no result.
// RUN: pp-opt %s -verify-diagnostics --pp-add-loss=logits=scores

// expected-error @+1 {{'func.func' op has no result named or numbered 'scores'}}
func.func @main(%x: tensor<4x8xf32>) -> (tensor<4x8xf32> {pp.name = "logits"}) {
  return %x : tensor<4x8xf32>
}
