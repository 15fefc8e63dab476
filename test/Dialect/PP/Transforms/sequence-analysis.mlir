// RUN: pp-opt %s --pp-test-sequence-analysis -split-input-file -verify-diagnostics -o /dev/null

// GPT-2's attention: a learned position table added to the embeddings, Kᵀ
// built by one transpose, a boolean causal mask selecting a fill.
// expected-remark @+1 {{sequence at dim 1 of 'input_ids' (4 positions): 1 causal attentions}}
func.func @gpt(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x10xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %wpe = pp.weight "wpe" from "m.onnx" offset 0 : tensor<4x6xf32>
  %wq = pp.weight "wq" from "m.onnx" offset 0 : tensor<6x6xf32>
  %wk = pp.weight "wk" from "m.onnx" offset 0 : tensor<6x6xf32>
  %wv = pp.weight "wv" from "m.onnx" offset 0 : tensor<6x6xf32>
  %x0 = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  // expected-remark @+1 {{operand 1 lines up with the queries at dim 0}}
  %x = pp.add %x0, %wpe : (tensor<2x4x6xf32>, tensor<4x6xf32>) -> tensor<2x4x6xf32>
  %q = pp.matmul %x, %wq : (tensor<2x4x6xf32>, tensor<6x6xf32>) -> tensor<2x4x6xf32>
  %k = pp.matmul %x, %wk : (tensor<2x4x6xf32>, tensor<6x6xf32>) -> tensor<2x4x6xf32>
  %v = pp.matmul %x, %wv : (tensor<2x4x6xf32>, tensor<6x6xf32>) -> tensor<2x4x6xf32>
  %qh = pp.reshape %q : tensor<2x4x6xf32> -> tensor<2x4x2x3xf32>
  %kh = pp.reshape %k : tensor<2x4x6xf32> -> tensor<2x4x2x3xf32>
  %vh = pp.reshape %v : tensor<2x4x6xf32> -> tensor<2x4x2x3xf32>
  %qt = pp.transpose %qh perm [0, 2, 1, 3] : tensor<2x4x2x3xf32> -> tensor<2x2x4x3xf32>
  %kt = pp.transpose %kh perm [0, 2, 3, 1] : tensor<2x4x2x3xf32> -> tensor<2x2x3x4xf32>
  %vt = pp.transpose %vh perm [0, 2, 1, 3] : tensor<2x4x2x3xf32> -> tensor<2x2x4x3xf32>
  // expected-remark @+1 {{attention 0: scores, queries at dim 2, keys at dim 3}}
  %s = pp.matmul %qt, %kt : (tensor<2x2x4x3xf32>, tensor<2x2x3x4xf32>) -> tensor<2x2x4x4xf32>
  %mask = pp.constant dense<[[[[false, true, true, true], [false, false, true, true], [false, false, false, true], [false, false, false, false]]]]> : tensor<1x1x4x4xi1>
  %fill = pp.constant dense<-3.40282347E+38> : tensor<f32>
  // expected-remark @+2 {{attention 0: causal mask (operand 0)}}
  // expected-remark @+1 {{operand 0 lines up with the queries at dim 2 and the keys at dim 3}}
  %m = pp.select %mask, %fill, %s : (tensor<1x1x4x4xi1>, tensor<f32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  // expected-remark @+1 {{attention 0: softmax over the keys}}
  %p = pp.softmax %m dim 3 : tensor<2x2x4x4xf32>
  // expected-remark @+1 {{attention 0: values}}
  %o = pp.matmul %p, %vt : (tensor<2x2x4x4xf32>, tensor<2x2x4x3xf32>) -> tensor<2x2x4x3xf32>
  %ot = pp.transpose %o perm [0, 2, 1, 3] : tensor<2x2x4x3xf32> -> tensor<2x4x2x3xf32>
  %or = pp.reshape %ot : tensor<2x4x2x3xf32> -> tensor<2x4x6xf32>
  %wteT = pp.transpose %wte perm [1, 0] : tensor<10x6xf32> -> tensor<6x10xf32>
  %logits = pp.matmul %or, %wteT : (tensor<2x4x6xf32>, tensor<6x10xf32>) -> tensor<2x4x10xf32>
  return %logits : tensor<2x4x10xf32>
}

// -----

// Llama's: rotary cos/sin tables multiplied into Q and K, one KV head
// repeated for two query heads (GQA), an additive mask, and a softmax
// written out (the max and the sum reduce over the keys). The keeping
// mask (true = keep) selects the scores instead of the fill.
// expected-remark @+1 {{sequence at dim 1 of 'input_ids' (4 positions): 1 causal attentions}}
func.func @llama(%ids: tensor<2x4xi64> {pp.name = "input_ids"}) -> tensor<2x4x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %wq = pp.weight "wq" from "m.onnx" offset 0 : tensor<6x6xf32>
  %wk = pp.weight "wk" from "m.onnx" offset 0 : tensor<6x3xf32>
  %wv = pp.weight "wv" from "m.onnx" offset 0 : tensor<6x3xf32>
  %cos = pp.constant dense<0.5> : tensor<4x3xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  %q = pp.matmul %x, %wq : (tensor<2x4x6xf32>, tensor<6x6xf32>) -> tensor<2x4x6xf32>
  %k = pp.matmul %x, %wk : (tensor<2x4x6xf32>, tensor<6x3xf32>) -> tensor<2x4x3xf32>
  %v = pp.matmul %x, %wv : (tensor<2x4x6xf32>, tensor<6x3xf32>) -> tensor<2x4x3xf32>
  %qh = pp.reshape %q : tensor<2x4x6xf32> -> tensor<2x4x2x3xf32>
  %qt = pp.transpose %qh perm [0, 2, 1, 3] : tensor<2x4x2x3xf32> -> tensor<2x2x4x3xf32>
  // expected-remark @+1 {{operand 1 lines up with the queries at dim 0}}
  %qr = pp.mul %qt, %cos : (tensor<2x2x4x3xf32>, tensor<4x3xf32>) -> tensor<2x2x4x3xf32>
  %kh = pp.reshape %k : tensor<2x4x3xf32> -> tensor<2x1x1x4x3xf32>
  %kb = pp.broadcast %kh : tensor<2x1x1x4x3xf32> -> tensor<2x1x2x4x3xf32>
  %kr = pp.reshape %kb : tensor<2x1x2x4x3xf32> -> tensor<2x2x4x3xf32>
  // expected-remark @+1 {{operand 1 lines up with the queries at dim 0}}
  %krot = pp.mul %kr, %cos : (tensor<2x2x4x3xf32>, tensor<4x3xf32>) -> tensor<2x2x4x3xf32>
  %kt = pp.transpose %krot perm [0, 1, 3, 2] : tensor<2x2x4x3xf32> -> tensor<2x2x3x4xf32>
  %vh = pp.reshape %v : tensor<2x4x3xf32> -> tensor<2x1x1x4x3xf32>
  %vb = pp.broadcast %vh : tensor<2x1x1x4x3xf32> -> tensor<2x1x2x4x3xf32>
  %vr = pp.reshape %vb : tensor<2x1x2x4x3xf32> -> tensor<2x2x4x3xf32>
  // expected-remark @+1 {{attention 0: scores, queries at dim 2, keys at dim 3}}
  %s = pp.matmul %qr, %kt : (tensor<2x2x4x3xf32>, tensor<2x2x3x4xf32>) -> tensor<2x2x4x4xf32>
  %keep = pp.constant dense<[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %fill = pp.constant dense<0xFF800000> : tensor<f32>
  // expected-remark @+2 {{attention 0: causal mask (operand 0)}}
  // expected-remark @+1 {{operand 0 lines up with the queries at dim 0 and the keys at dim 1}}
  %m = pp.select %keep, %s, %fill : (tensor<4x4xi1>, tensor<2x2x4x4xf32>, tensor<f32>) -> tensor<2x2x4x4xf32>
  // expected-remark @+1 {{attention 0: softmax over the keys}}
  %mx = pp.reduce max %m dims [3] keepdims : tensor<2x2x4x4xf32> -> tensor<2x2x4x1xf32>
  %d = pp.sub %m, %mx : (tensor<2x2x4x4xf32>, tensor<2x2x4x1xf32>) -> tensor<2x2x4x4xf32>
  %e = pp.exp %d : tensor<2x2x4x4xf32>
  %sum = pp.reduce sum %e dims [3] keepdims : tensor<2x2x4x4xf32> -> tensor<2x2x4x1xf32>
  %p = pp.div %e, %sum : (tensor<2x2x4x4xf32>, tensor<2x2x4x1xf32>) -> tensor<2x2x4x4xf32>
  // expected-remark @+1 {{attention 0: values}}
  %o = pp.matmul %p, %vr : (tensor<2x2x4x4xf32>, tensor<2x2x4x3xf32>) -> tensor<2x2x4x3xf32>
  %ot = pp.transpose %o perm [0, 2, 1, 3] : tensor<2x2x4x3xf32> -> tensor<2x4x2x3xf32>
  %or = pp.reshape %ot : tensor<2x4x2x3xf32> -> tensor<2x4x6xf32>
  return %or : tensor<2x4x6xf32>
}

// -----

// Sequence first ([seq, batch] ids), heads merged with the batch as
// nn.MultiheadAttention does, an additive mask of -inf above the diagonal:
// the sequence is found at dim 0.
// expected-remark @+1 {{sequence at dim 0 of 'src' (4 positions): 1 causal attentions}}
func.func @seq_first(%ids: tensor<4x2xi64> {pp.name = "src"}) -> tensor<4x2x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<4x2xi64>) -> tensor<4x2x6xf32>
  %h = pp.reshape %x : tensor<4x2x6xf32> -> tensor<4x4x3xf32>
  %q = pp.transpose %h perm [1, 0, 2] : tensor<4x4x3xf32> -> tensor<4x4x3xf32>
  %k = pp.transpose %h perm [1, 2, 0] : tensor<4x4x3xf32> -> tensor<4x3x4xf32>
  // expected-remark @+1 {{attention 0: scores, queries at dim 1, keys at dim 2}}
  %s = pp.matmul %q, %k : (tensor<4x4x3xf32>, tensor<4x3x4xf32>) -> tensor<4x4x4xf32>
  %mask = pp.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  // expected-remark @+2 {{attention 0: causal mask (operand 1)}}
  // expected-remark @+1 {{operand 1 lines up with the queries at dim 0 and the keys at dim 1}}
  %m = pp.add %s, %mask : (tensor<4x4x4xf32>, tensor<4x4xf32>) -> tensor<4x4x4xf32>
  // expected-remark @+1 {{attention 0: softmax over the keys}}
  %p = pp.softmax %m dim 2 : tensor<4x4x4xf32>
  // expected-remark @+1 {{attention 0: values}}
  %o = pp.matmul %p, %q : (tensor<4x4x4xf32>, tensor<4x4x3xf32>) -> tensor<4x4x3xf32>
  %ot = pp.transpose %o perm [1, 0, 2] : tensor<4x4x3xf32> -> tensor<4x4x3xf32>
  %y = pp.reshape %ot : tensor<4x4x3xf32> -> tensor<4x2x6xf32>
  return %y : tensor<4x2x6xf32>
}

// -----

// No attention: every op acts position by position.
// expected-remark @+1 {{sequence at dim 1 of 'input_ids' (4 positions): 0 causal attentions}}
func.func @no_attention(%ids: tensor<2x4xi64> {pp.name = "input_ids"}, %scale: tensor<6xf32> {pp.name = "scale"}) -> tensor<2x4x6xf32> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<10x6xf32>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<10x6xf32>, tensor<2x4xi64>) -> tensor<2x4x6xf32>
  %y = pp.mul %x, %scale : (tensor<2x4x6xf32>, tensor<6xf32>) -> tensor<2x4x6xf32>
  return %y : tensor<2x4x6xf32>
}
