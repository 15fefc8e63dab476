// One decode token through one Llama-2-70B layer (hidden 8192, f16) with
// tensor parallelism 4, written by hand in its sharded form: per rank 16 of
// the 64 query heads, 2 of the 8 KV heads, 7168 of the 28672 MLP columns.
// The layer is pipeline stage 1 of a ["pp" = 4, "tp" = 4] mesh on 8-GPU
// nodes: ranks 4..7, whose tp group sits inside node 0; stage 0 (ranks
// 0..3) is on the same node, stage 2 (ranks 8..11) on the next one. Stage 3
// is the final norm and a vocab-parallel LM head (vocab 32000).

// RUN: pp-opt %s --pp-print-cost -o /dev/null | FileCheck %s
// RUN: pp-opt %s --pp-print-cost="hardware=h100-sxm per-op" -o /dev/null \
// RUN:   | FileCheck %s --check-prefix=PEROP
// RUN: pp-opt %s --pp-print-cost=hardware=a100-80gb-pcie -o /dev/null \
// RUN:   | FileCheck %s --check-prefix=PCIE
// The pass leaves the IR alone.
// RUN: pp-opt %s -o %t.before.mlir
// RUN: pp-opt %s --pp-print-cost -o %t.after.mlir > /dev/null
// RUN: diff %t.before.mlir %t.after.mlir

// CHECK: hardware h100-sxm (hardware/h100-sxm-nvlink.json)
// CHECK-NEXT: peak TFLOP/s: f64 67, f32 67, tf32 494.5, bf16 989.5, f16 989.5, fp8 1979
// CHECK-NEXT: HBM 3350 GB/s, 80.0 GiB per GPU; 8 GPUs per node
// CHECK-NEXT: intra-node nvlink4: 450 GB/s, 0.5 us per step
// CHECK-NEXT: inter-node infiniband-ndr: 50 GB/s per GPU, 2.7 us per step

// Communication rows: S, bytes moved per rank, group size, link, time (us).
// The message from stage 0 stays on NVLink: 0.5 us + 16384 B / 450 GB/s.
// CHECK-LABEL: func @stage1
// CHECK: op flops bytes param bytes S bytes moved/rank n link time us node
// CHECK-NEXT: pp.recv - - - 16384 16384 4 nvlink4 0.536 /model/layers.39/recv
// The all-reduce of one token: S = 1*1*8192*2 B = 16 KiB; a ring moves
// 2*(4-1)/4 * 16384 = 24576 B (24 KiB) per rank, in 6 steps:
// 6 * 0.5 us + 24576 B / 450 GB/s = 3.055 us.
// CHECK-NEXT: pp.all_reduce - - - 16384 24576 4 nvlink4 3.055 /model/layers.40/self_attn/o_proj/AllReduce
// CHECK-NEXT: pp.all_reduce - - - 16384 24576 4 nvlink4 3.055 /model/layers.40/mlp/down_proj/AllReduce
// The message to stage 2 leaves the node: 2.7 us + 16384 B / 50 GB/s.
// CHECK-NEXT: pp.send - - - 16384 16384 4 infiniband-ndr 3.028 /model/layers.40/send
// CHECK-NEXT: totals for @stage1:
// CHECK-NEXT: ops 39
// CHECK-NEXT: flops 462096528 (462.10 MFLOP)
// CHECK-NEXT: memory bytes 445873346 (425.2 MiB)
// CHECK-NEXT: param bytes 427851776 (408.0 MiB)
// CHECK-NEXT: activation bytes 6914656 (6.6 MiB)
// CHECK-NEXT: compute time 133.097 us
// CHECK-NEXT: comm ops 4
// CHECK-NEXT: comm bytes/rank 81920 (80.0 KiB)
// CHECK-NEXT: comm time 9.673 us
// CHECK-NEXT: total time 142.770 us

// Stage 3 receives from stage 2 on the same node, and gathers the vocab
// shards: S = 32000 * 2 B = 64000 B, each rank moves 3/4 of it in 3 steps:
// 3 * 0.5 us + 48000 B / 450 GB/s = 1.607 us.
// CHECK-LABEL: func @stage3
// CHECK: pp.recv - - - 16384 16384 4 nvlink4 0.536 /model/layers.79/recv
// CHECK-NEXT: pp.all_gather - - - 64000 48000 4 nvlink4 1.607 /lm_head/AllGather
// CHECK-NEXT: totals for @stage3:

// Matmul FLOPs are 2*M*N*K: q_proj, a column shard, is 2*1*8192*2048; it
// reads the 32 MiB weight shard, so it is memory-bound:
// (16384 + 33554432 + 4096) B / 3.35 TB/s = 10.022 us.
// PEROP-LABEL: func @stage1
// PEROP: pp.weight 0 0 16384 - - - - 0.000 /model/layers.40/input_layernorm/weight
// PEROP-NEXT: pp.rms_norm 32768 49152 0 - - - - 0.015 /model/layers.40/input_layernorm/RMSNorm
// PEROP-NEXT: pp.weight 0 0 33554432 - - - - 0.000 /model/layers.40/self_attn/q_proj/weight
// PEROP-NEXT: pp.matmul 33554432 33574912 0 - - - - 10.022 /model/layers.40/self_attn/q_proj/MatMul
// KV heads: 2*1*8192*256.
// PEROP: pp.matmul 4194304 4211200 0 - - - - 1.257 /model/layers.40/self_attn/k_proj/MatMul
// Scores against 4097 cached keys: 2 * (2*8*4097) * 128.
// PEROP: pp.matmul 16781312 2232864 0 - - - - 0.667 /model/layers.40/self_attn/MatMul
// 8 FLOPs per element for softmax.
// PEROP-NEXT: pp.mul 65552 262210 0 - - - - 0.078 /model/layers.40/self_attn/Mul
// PEROP-NEXT: pp.softmax 524416 262208 0 - - - - 0.078 /model/layers.40/self_attn/Softmax
// o_proj, a row shard: 2*1*2048*8192, then the all-reduce of its partial sums.
// PEROP: pp.matmul 33554432 33574912 0 - - - - 10.022 /model/layers.40/self_attn/o_proj/MatMul
// PEROP-NEXT: pp.all_reduce - - - 16384 24576 4 nvlink4 3.055 /model/layers.40/self_attn/o_proj/AllReduce
// gate_proj: 2*1*8192*7168.
// PEROP: pp.matmul 117440512 117471232 0 - - - - 35.066 /model/layers.40/mlp/gate_proj/MatMul
// sigmoid counts 4 per element.
// PEROP: pp.sigmoid 28672 28672 0 - - - - 0.009 /model/layers.40/mlp/act_fn/Sigmoid
// PEROP-LABEL: func @stage3
// The vocab shard of the LM head: 2*1*8192*8000.
// PEROP: pp.matmul 131072000 131104384 0 - - - - 39.136 /lm_head/MatMul

// On PCIe servers the tp group talks over PCIe Gen4 (1 us per step,
// 32 GB/s): 6 us + 24576 B / 32 GB/s = 6.768 us; stage 2 is behind one of
// four HDR adapters shared by 8 GPUs (12.5 GB/s each):
// 2.7 us + 16384 B / 12.5 GB/s = 4.011 us.
// PCIE: hardware a100-80gb-pcie (hardware/a100-80gb-pcie.json)
// PCIE-LABEL: func @stage1
// PCIE: pp.recv - - - 16384 16384 4 pcie-gen4 1.512 /model/layers.39/recv
// PCIE-NEXT: pp.all_reduce - - - 16384 24576 4 pcie-gen4 6.768 /model/layers.40/self_attn/o_proj/AllReduce
// PCIE-NEXT: pp.all_reduce - - - 16384 24576 4 pcie-gen4 6.768 /model/layers.40/mlp/down_proj/AllReduce
// PCIE-NEXT: pp.send - - - 16384 16384 4 infiniband-hdr 4.011 /model/layers.40/send

pp.mesh @world ["pp" = 4, "tp" = 4]

func.func @stage1(%past_k: tensor<1x2x4096x128xf16>, %past_v: tensor<1x2x4096x128xf16>)
    attributes {pp.stage = #pp.stage<1>} {
  %x = pp.recv from @world["pp"] peer 0 tag 0 : tensor<1x1x8192xf16> loc("/model/layers.39/recv")
  %g1 = pp.weight "model.layers.40.input_layernorm.weight" from "llama.bin" offset 0 : tensor<8192xf16> loc("/model/layers.40/input_layernorm/weight")
  %h = pp.rms_norm %x, %g1 epsilon 1.0e-05 : (tensor<1x1x8192xf16>, tensor<8192xf16>) -> tensor<1x1x8192xf16> loc("/model/layers.40/input_layernorm/RMSNorm")
  %wq = pp.weight "model.layers.40.self_attn.q_proj.weight" from "llama.bin" offset 16384 : tensor<8192x2048xf16> loc("/model/layers.40/self_attn/q_proj/weight")
  %q = pp.matmul %h, %wq : (tensor<1x1x8192xf16>, tensor<8192x2048xf16>) -> tensor<1x1x2048xf16> loc("/model/layers.40/self_attn/q_proj/MatMul")
  %wk = pp.weight "model.layers.40.self_attn.k_proj.weight" from "llama.bin" offset 33570816 : tensor<8192x256xf16> loc("/model/layers.40/self_attn/k_proj/weight")
  %k = pp.matmul %h, %wk : (tensor<1x1x8192xf16>, tensor<8192x256xf16>) -> tensor<1x1x256xf16> loc("/model/layers.40/self_attn/k_proj/MatMul")
  %wv = pp.weight "model.layers.40.self_attn.v_proj.weight" from "llama.bin" offset 37765120 : tensor<8192x256xf16> loc("/model/layers.40/self_attn/v_proj/weight")
  %v = pp.matmul %h, %wv : (tensor<1x1x8192xf16>, tensor<8192x256xf16>) -> tensor<1x1x256xf16> loc("/model/layers.40/self_attn/v_proj/MatMul")
  // 16 query heads and 2 KV heads per rank: 8 query heads share each KV head.
  %qh = pp.reshape %q : tensor<1x1x2048xf16> -> tensor<1x2x8x128xf16> loc("/model/layers.40/self_attn/Reshape")
  %kh = pp.reshape %k : tensor<1x1x256xf16> -> tensor<1x2x1x128xf16> loc("/model/layers.40/self_attn/Reshape_1")
  %vh = pp.reshape %v : tensor<1x1x256xf16> -> tensor<1x2x1x128xf16> loc("/model/layers.40/self_attn/Reshape_2")
  %kc = pp.concat %past_k, %kh dim 2 : (tensor<1x2x4096x128xf16>, tensor<1x2x1x128xf16>) -> tensor<1x2x4097x128xf16> loc("/model/layers.40/self_attn/Concat")
  %vc = pp.concat %past_v, %vh dim 2 : (tensor<1x2x4096x128xf16>, tensor<1x2x1x128xf16>) -> tensor<1x2x4097x128xf16> loc("/model/layers.40/self_attn/Concat_1")
  %kt = pp.transpose %kc perm [0, 1, 3, 2] : tensor<1x2x4097x128xf16> -> tensor<1x2x128x4097xf16> loc("/model/layers.40/self_attn/Transpose")
  %s = pp.matmul %qh, %kt : (tensor<1x2x8x128xf16>, tensor<1x2x128x4097xf16>) -> tensor<1x2x8x4097xf16> loc("/model/layers.40/self_attn/MatMul")
  %scale = pp.constant dense<8.837890e-02> : tensor<f16> loc("/model/layers.40/self_attn/Constant")
  %ss = pp.mul %s, %scale : (tensor<1x2x8x4097xf16>, tensor<f16>) -> tensor<1x2x8x4097xf16> loc("/model/layers.40/self_attn/Mul")
  %p = pp.softmax %ss dim 3 : tensor<1x2x8x4097xf16> loc("/model/layers.40/self_attn/Softmax")
  %pv = pp.matmul %p, %vc : (tensor<1x2x8x4097xf16>, tensor<1x2x4097x128xf16>) -> tensor<1x2x8x128xf16> loc("/model/layers.40/self_attn/MatMul_1")
  %a = pp.reshape %pv : tensor<1x2x8x128xf16> -> tensor<1x1x2048xf16> loc("/model/layers.40/self_attn/Reshape_3")
  %wo = pp.weight "model.layers.40.self_attn.o_proj.weight" from "llama.bin" offset 41959424 : tensor<2048x8192xf16> loc("/model/layers.40/self_attn/o_proj/weight")
  %o = pp.matmul %a, %wo : (tensor<1x1x2048xf16>, tensor<2048x8192xf16>) -> tensor<1x1x8192xf16> loc("/model/layers.40/self_attn/o_proj/MatMul")
  %or = pp.all_reduce sum %o over @world["tp"] : tensor<1x1x8192xf16> loc("/model/layers.40/self_attn/o_proj/AllReduce")
  %r1 = pp.add %x, %or : (tensor<1x1x8192xf16>, tensor<1x1x8192xf16>) -> tensor<1x1x8192xf16> loc("/model/layers.40/Add")
  %g2 = pp.weight "model.layers.40.post_attention_layernorm.weight" from "llama.bin" offset 75513856 : tensor<8192xf16> loc("/model/layers.40/post_attention_layernorm/weight")
  %h2 = pp.rms_norm %r1, %g2 epsilon 1.0e-05 : (tensor<1x1x8192xf16>, tensor<8192xf16>) -> tensor<1x1x8192xf16> loc("/model/layers.40/post_attention_layernorm/RMSNorm")
  %wg = pp.weight "model.layers.40.mlp.gate_proj.weight" from "llama.bin" offset 75530240 : tensor<8192x7168xf16> loc("/model/layers.40/mlp/gate_proj/weight")
  %gate = pp.matmul %h2, %wg : (tensor<1x1x8192xf16>, tensor<8192x7168xf16>) -> tensor<1x1x7168xf16> loc("/model/layers.40/mlp/gate_proj/MatMul")
  %wu = pp.weight "model.layers.40.mlp.up_proj.weight" from "llama.bin" offset 192970752 : tensor<8192x7168xf16> loc("/model/layers.40/mlp/up_proj/weight")
  %up = pp.matmul %h2, %wu : (tensor<1x1x8192xf16>, tensor<8192x7168xf16>) -> tensor<1x1x7168xf16> loc("/model/layers.40/mlp/up_proj/MatMul")
  %sig = pp.sigmoid %gate : tensor<1x1x7168xf16> loc("/model/layers.40/mlp/act_fn/Sigmoid")
  %silu = pp.mul %gate, %sig : (tensor<1x1x7168xf16>, tensor<1x1x7168xf16>) -> tensor<1x1x7168xf16> loc("/model/layers.40/mlp/act_fn/Mul")
  %act = pp.mul %silu, %up : (tensor<1x1x7168xf16>, tensor<1x1x7168xf16>) -> tensor<1x1x7168xf16> loc("/model/layers.40/mlp/Mul")
  %wd = pp.weight "model.layers.40.mlp.down_proj.weight" from "llama.bin" offset 310411264 : tensor<7168x8192xf16> loc("/model/layers.40/mlp/down_proj/weight")
  %d = pp.matmul %act, %wd : (tensor<1x1x7168xf16>, tensor<7168x8192xf16>) -> tensor<1x1x8192xf16> loc("/model/layers.40/mlp/down_proj/MatMul")
  %dr = pp.all_reduce sum %d over @world["tp"] : tensor<1x1x8192xf16> loc("/model/layers.40/mlp/down_proj/AllReduce")
  %y = pp.add %r1, %dr : (tensor<1x1x8192xf16>, tensor<1x1x8192xf16>) -> tensor<1x1x8192xf16> loc("/model/layers.40/Add_1")
  pp.send %y to @world["pp"] peer 2 tag 1 : tensor<1x1x8192xf16> loc("/model/layers.40/send")
  return
}

func.func @stage3() -> tensor<1x1x32000xf16> attributes {pp.stage = #pp.stage<3>} {
  %x = pp.recv from @world["pp"] peer 2 tag 2 : tensor<1x1x8192xf16> loc("/model/layers.79/recv")
  %g = pp.weight "model.norm.weight" from "llama.bin" offset 0 : tensor<8192xf16> loc("/model/norm/weight")
  %h = pp.rms_norm %x, %g epsilon 1.0e-05 : (tensor<1x1x8192xf16>, tensor<8192xf16>) -> tensor<1x1x8192xf16> loc("/model/norm/RMSNorm")
  %w = pp.weight "lm_head.weight" from "llama.bin" offset 16384 : tensor<8192x8000xf16> loc("/lm_head/weight")
  %l = pp.matmul %h, %w : (tensor<1x1x8192xf16>, tensor<8192x8000xf16>) -> tensor<1x1x8000xf16> loc("/lm_head/MatMul")
  %all = pp.all_gather %l over @world["tp"] dim 2 : tensor<1x1x8000xf16> -> tensor<1x1x32000xf16> loc("/lm_head/AllGather")
  return %all : tensor<1x1x32000xf16>
}
