// RUN: pp-opt %s --split-input-file --pp-shard-tensor-parallel -verify-diagnostics

// Shapes that Megatron tensor parallelism cannot split evenly are errors
// naming the op and the dim, never a silent fallback to replicated. (GQA
// K/V with fewer heads than ranks, an odd vocab and other projections do
// fall back by design; see shard-tensor-parallel-llama.mlir and
// shard-tensor-parallel-vocab.mlir.)

// 4 attention heads over tp=3.
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 3]
func.func @heads(%x: tensor<2x4x16xf32>) -> tensor<2x4x4x4xf32> {
  %wq = pp.weight "q_proj" from "w.bin" offset 0 : tensor<16x16xf32>
  %q = pp.matmul %x, %wq : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  // expected-error @+1 {{cannot shard over tp=3: 4 attention heads do not divide by 3 (dim 2 of the reshape)}}
  %qh = pp.reshape %q : tensor<2x4x16xf32> -> tensor<2x4x4x4xf32>
  return %qh : tensor<2x4x4x4xf32>
}

// -----

// GQA with 6 query and 2 KV heads over tp=4: K may stay replicated, but
// the query heads must divide.
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 4]
func.func @gqa_query_heads(%x: tensor<2x4x24xf32>) -> (tensor<2x4x2x4xf32>, tensor<2x4x6x4xf32>) {
  %wk = pp.weight "k_proj" from "w.bin" offset 0 : tensor<24x8xf32>
  %wq = pp.weight "q_proj" from "w.bin" offset 1024 : tensor<24x24xf32>
  %k = pp.matmul %x, %wk : (tensor<2x4x24xf32>, tensor<24x8xf32>) -> tensor<2x4x8xf32>
  %kh = pp.reshape %k : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %q = pp.matmul %x, %wq : (tensor<2x4x24xf32>, tensor<24x24xf32>) -> tensor<2x4x24xf32>
  // expected-error @+1 {{cannot shard over tp=4: 6 attention heads do not divide by 4 (dim 2 of the reshape)}}
  %qh = pp.reshape %q : tensor<2x4x24xf32> -> tensor<2x4x6x4xf32>
  return %kh, %qh : tensor<2x4x2x4xf32>, tensor<2x4x6x4xf32>
}

// -----

// A fused QKV projection is checked per slice, after the split.
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 3]
func.func @fused_heads(%x: tensor<2x4x8xf32>) -> tensor<2x4x2x4xf32> {
  %w = pp.weight "c_attn.weight" from "w.bin" offset 0 : tensor<8x24xf32>
  %h = pp.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x24xf32>) -> tensor<2x4x24xf32>
  %q = pp.slice %h starts [0, 0, 0] steps [1, 1, 1] : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  // expected-error @+1 {{cannot shard over tp=3: 2 attention heads do not divide by 3 (dim 2 of the reshape)}}
  %qh = pp.reshape %q : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  return %qh : tensor<2x4x2x4xf32>
}

// -----

// An MLP of width 16 over tp=3: the up projection's columns do not divide.
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 3]
func.func @mlp_width(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %w1 = pp.weight "fc1" from "w.bin" offset 0 : tensor<8x16xf32>
  %w2 = pp.weight "fc2" from "w.bin" offset 512 : tensor<16x8xf32>
  // expected-error @+1 {{cannot shard over tp=3: the MLP width 16 does not divide by 3 (dim 1 of the weight)}}
  %h = pp.matmul %x, %w1 : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %a = pp.relu %h : tensor<2x4x16xf32>
  %y = pp.matmul %a, %w2 : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}
