// RUN: pp-opt %s --pp-test-sequence-analysis=seq-dim=0 -verify-diagnostics -o /dev/null
// RUN: not pp-opt %s --pp-test-sequence-analysis=seq-dim=2 -o /dev/null 2>&1 | FileCheck %s --check-prefix=NO-DIM

// The dim named by seq-dim is used as it is: here dim 0 of [4, 2] ids,
// with no attention to confirm it.
// expected-remark @+1 {{sequence at dim 0 of 'input_ids' (4 positions): 0 causal attentions}}
func.func @forced(%ids: tensor<4x2xi64> {pp.name = "input_ids"}) -> tensor<4x2x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<4x2xi64>) -> tensor<4x2x6xf32>
  return %x : tensor<4x2x6xf32>
}

// NO-DIM: error: generation: the token ids 'input_ids' have no dim 2
