// RUN: pp-opt %s --pp-test-sequence-analysis -split-input-file -verify-diagnostics -o /dev/null

// A bidirectional encoder (BERT): no mask hides the later keys.
func.func @not_causal(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: attention over the keys is not causal: no mask of constants hides the later keys from each query}}
  %p = pp.softmax %s dim 2 : tensor<2x4x4xf32>
  %o = pp.matmul %p, %x : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}

// -----

// A mask that hides the earlier keys instead of the later ones.
func.func @mask_wrong_way(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mask = pp.constant dense<[[0.0, 0.0, 0.0, 0.0], [0xFF800000, 0.0, 0.0, 0.0], [0xFF800000, 0xFF800000, 0.0, 0.0], [0xFF800000, 0xFF800000, 0xFF800000, 0.0]]> : tensor<4x4xf32>
  %m = pp.add %s, %mask : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{attention over the keys is not causal}}
  %p = pp.softmax %m dim 2 : tensor<2x4x4xf32>
  %o = pp.matmul %p, %x : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}

// -----

// A mask stored as a weight: its values are not known to the compiler.
func.func @mask_weight(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %mask = pp.weight "mask" from "m.onnx" offset 0 : tensor<4x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %m = pp.add %s, %mask : (tensor<2x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{attention over the keys is not causal}}
  %p = pp.softmax %m dim 2 : tensor<2x4x4xf32>
  %o = pp.matmul %p, %x : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}

// -----

// A padding mask given at run time.
func.func @mask_input(%ids: tensor<2x4xi64> {pp.name = "input_ids"}, %pad: tensor<2x1x4xf32> {pp.name = "attention_mask"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: operand 1 of add lines up with the attention's keys but is computed from input 'attention_mask'; a generated step feeds the model only its token ids}}
  %m = pp.add %s, %pad : (tensor<2x4x4xf32>, tensor<2x1x4xf32>) -> tensor<2x4x4xf32>
  %p = pp.softmax %m dim 2 : tensor<2x4x4xf32>
  %o = pp.matmul %p, %x : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}

// -----

// Token type ids, a second input that lines up with the sequence.
func.func @second_input(%ids: tensor<2x4xi64> {pp.name = "input_ids"}, %types: tensor<2x4x4xf32> {pp.name = "token_type_embeddings"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{operand 1 of add lines up with the sequence but is computed from input 'token_type_embeddings'}}
  %y = pp.add %x, %types : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %y : tensor<2x4x4xf32>
}

// -----

// A softmax over the positions themselves.
func.func @softmax_over_sequence(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  // expected-error @+1 {{generation: softmax over dim 1, which holds the sequence; generation needs every op but causal attention to act position by position}}
  %p = pp.softmax %x dim 1 : tensor<2x4x6xf32>
  return %p : tensor<2x4x6xf32>
}

// -----

// Mean pooling over the sequence.
func.func @pooling(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  // expected-error-re @+1 {{generation: reduce {{.*}} dim 1, which holds the sequence}}
  %p = pp.reduce mean %x dims [1] : tensor<2x4x6xf32> -> tensor<2x6xf32>
  return %p : tensor<2x6xf32>
}

// -----

// The last position only (a classifier's x[:, -1]).
func.func @last_position(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x1x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  // expected-error-re @+1 {{generation: slice {{.*}} dim 1, which holds the sequence}}
  %p = pp.slice %x starts [0, 3, 0] steps [1, 1, 1] : tensor<2x4x6xf32> -> tensor<2x1x6xf32>
  return %p : tensor<2x1x6xf32>
}

// -----

// Batch and sequence merged, then split another way.
func.func @mixes(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<4x2x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  %flat = pp.reshape %x : tensor<2x4x6xf32> -> tensor<8x6xf32>
  // expected-error @+1 {{generation: reshape 8x6 mixes dim 0, which holds the sequence, with other dims}}
  %y = pp.reshape %flat : tensor<8x6xf32> -> tensor<4x2x6xf32>
  return %y : tensor<4x2x6xf32>
}

// -----

// The positions of one operand against those of another, transposed.
func.func @different_dims(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: add operands hold the sequence at different dims}}
  %y = pp.add %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %y : tensor<2x4x4xf32>
}

// -----

// Part of the keys sliced off.
func.func @slice_keys(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x2xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error-re @+1 {{generation: slice {{.*}} dim 2, which holds the attention's keys; only a softmax over them and the sum of the values may}}
  %p = pp.slice %s starts [0, 0, 0] steps [1, 1, 1] : tensor<2x4x4xf32> -> tensor<2x4x2xf32>
  return %p : tensor<2x4x2xf32>
}

// -----

// Scores weighing the values without a softmax.
func.func @no_softmax(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: the attention's scores reach its values without a softmax over the keys}}
  %o = pp.matmul %s, %x : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %o : tensor<2x4x4xf32>
}

// -----

// Scores that are never summed with the values.
func.func @no_values(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: the attention's keys never meet its values}}
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %p = pp.softmax %s dim 2 : tensor<2x4x4xf32>
  return %x : tensor<2x4x4xf32>
}

// -----

// Attention probabilities returned.
func.func @returns_scores(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  %xt = pp.transpose %x perm [0, 2, 1] : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  %s = pp.matmul %x, %xt : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: a result holds attention scores over the keys, which a step cannot return}}
  return %s : tensor<2x4x4xf32>
}

// -----

// An op without dim rules on the way.
pp.mesh @world ["tp" = 2]
func.func @no_rule(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<4x2x4xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x4xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x4xf32>, tensor<2x4xi64>) -> tensor<2x4x4xf32>
  // expected-error @+1 {{generation: 'pp.all_to_all' has no dim rule to follow the sequence by}}
  %y = pp.all_to_all %x over @world["tp"] split 0 concat 2 : tensor<2x4x4xf32> -> tensor<1x4x8xf32>
  %z = pp.reshape %y : tensor<1x4x8xf32> -> tensor<4x2x4xf32>
  return %z : tensor<4x2x4xf32>
}

// -----

// expected-error @+1 {{generation needs one integer input, the token ids (or one named 'input_ids' among several); the model has 0}}
func.func @no_ids(%x: tensor<2x4xf32> {pp.name = "x"}) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}

// -----

// expected-error @+1 {{the model has 0}}
func.func @two_ids(%a: tensor<2x4xi64> {pp.name = "a"}, %b: tensor<2x4xi64> {pp.name = "b"}) -> tensor<2x4xi64> {
  return %a : tensor<2x4xi64>
}

// -----

// expected-error @+1 {{generation: the token ids have 1 position at dim 1; export the model with at least 2}}
func.func @one_position(%ids: tensor<2x1xi64> {pp.name = "input_ids"}) -> tensor<2x1xi64> {
  return %ids : tensor<2x1xi64>
}
