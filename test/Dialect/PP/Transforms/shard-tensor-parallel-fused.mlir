// RUN: pp-opt %s --split-input-file --pp-shard-tensor-parallel | FileCheck %s

// GPT-2's fused c_attn on tp=2: x·W[8, 24] + b[24] sliced into Q, K, V
// becomes one matmul per slice against a region of W and of b, so each is
// column-parallel. Every region is the global [8, 8] (or [8]) block of the
// file tensor; the sharding then splits it, so rank r reads columns
// start + [4r, 4r + 4) of the file. Two heads of 4 become one per rank;
// c_proj is row-parallel and its partial sum meets the residual through
// one all-reduce.

// CHECK-LABEL: func.func @fused_qkv
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-DAG: %[[WQ:.*]] = pp.weight "c_attn.weight[:, 0:8]" from "w.bin" offset 0 {file_shape = array<i64: 8, 24>, region_starts = array<i64: 0, 0>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x4xf32>
// CHECK-DAG: %[[WK:.*]] = pp.weight "c_attn.weight[:, 8:16]" from "w.bin" offset 0 {file_shape = array<i64: 8, 24>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x4xf32>
// CHECK-DAG: %[[WV:.*]] = pp.weight "c_attn.weight[:, 16:24]" from "w.bin" offset 0 {file_shape = array<i64: 8, 24>, region_starts = array<i64: 0, 16>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x4xf32>
// CHECK-DAG: %[[BQ:.*]] = pp.weight "c_attn.bias[0:8]" from "w.bin" offset 768 {file_shape = array<i64: 24>, region_starts = array<i64: 0>, sharding = #pp.sharding<@world, {{\[\[}}"tp"]]>} : tensor<4xf32>
// CHECK-DAG: %[[BK:.*]] = pp.weight "c_attn.bias[8:16]" from "w.bin" offset 768 {file_shape = array<i64: 24>, region_starts = array<i64: 8>, sharding = #pp.sharding<@world, {{\[\[}}"tp"]]>} : tensor<4xf32>
// CHECK-DAG: %[[BV:.*]] = pp.weight "c_attn.bias[16:24]" from "w.bin" offset 768 {file_shape = array<i64: 24>, region_starts = array<i64: 16>, sharding = #pp.sharding<@world, {{\[\[}}"tp"]]>} : tensor<4xf32>
// CHECK-DAG: %[[WO:.*]] = pp.weight "c_proj.weight" from "w.bin" offset 864 {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<4x8xf32>
// CHECK: %[[Q:.*]] = pp.matmul %[[X]], %[[WQ]] {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x4xf32>) -> tensor<2x4x4xf32>
// CHECK-NEXT: %[[QB:.*]] = pp.add %[[Q]], %[[BQ]] : (tensor<2x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4xf32>
// CHECK-NEXT: %[[K:.*]] = pp.matmul %[[X]], %[[WK]] {pp.tp = "column"}
// CHECK-NEXT: %[[KB:.*]] = pp.add %[[K]], %[[BK]]
// CHECK-NEXT: %[[V:.*]] = pp.matmul %[[X]], %[[WV]] {pp.tp = "column"}
// CHECK-NEXT: %[[VB:.*]] = pp.add %[[V]], %[[BV]]
// CHECK-NEXT: pp.reshape %[[QB]] : tensor<2x4x4xf32> -> tensor<2x4x1x4xf32>
// CHECK-NEXT: pp.reshape %[[KB]] : tensor<2x4x4xf32> -> tensor<2x4x1x4xf32>
// CHECK-NEXT: pp.reshape %[[VB]] : tensor<2x4x4xf32> -> tensor<2x4x1x4xf32>
// CHECK-NOT: pp.slice
// CHECK: pp.softmax %{{.*}} dim 3 : tensor<2x1x4x4xf32>
// CHECK: %[[O:.*]] = pp.reshape %{{.*}} : tensor<2x4x1x4xf32> -> tensor<2x4x4xf32>
// CHECK-NEXT: %[[P:.*]] = pp.matmul %[[O]], %[[WO]] {pp.tp = "row"} : (tensor<2x4x4xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[R:.*]] = pp.all_reduce sum %[[P]] over @world["tp"] : tensor<2x4x8xf32>
// CHECK-NEXT: %[[Y:.*]] = pp.add %[[X]], %[[R]]
// CHECK-NEXT: return %[[Y]]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @fused_qkv(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %w = pp.weight "c_attn.weight" from "w.bin" offset 0 : tensor<8x24xf32>
  %b = pp.weight "c_attn.bias" from "w.bin" offset 768 : tensor<24xf32>
  %wo = pp.weight "c_proj.weight" from "w.bin" offset 864 : tensor<8x8xf32>
  %h = pp.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x24xf32>) -> tensor<2x4x24xf32>
  %hb = pp.add %h, %b : (tensor<2x4x24xf32>, tensor<24xf32>) -> tensor<2x4x24xf32>
  %q = pp.slice %hb starts [0, 0, 0] steps [1, 1, 1] : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  %k = pp.slice %hb starts [0, 0, 8] steps [1, 1, 1] : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  %v = pp.slice %hb starts [0, 0, 16] steps [1, 1, 1] : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  %qh = pp.reshape %q : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %kh = pp.reshape %k : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %vh = pp.reshape %v : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %qt = pp.transpose %qh perm [0, 2, 1, 3] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %kt = pp.transpose %kh perm [0, 2, 3, 1] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %vt = pp.transpose %vh perm [0, 2, 1, 3] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %s = pp.matmul %qt, %kt : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %p = pp.softmax %s dim 3 : tensor<2x2x4x4xf32>
  %o = pp.matmul %p, %vt : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %ot = pp.transpose %o perm [0, 2, 1, 3] : tensor<2x2x4x4xf32> -> tensor<2x4x2x4xf32>
  %of = pp.reshape %ot : tensor<2x4x2x4xf32> -> tensor<2x4x8xf32>
  %y = pp.matmul %of, %wo : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %r = pp.add %x, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

// -----

// A fused gate/up projection (Phi-3's gate_up_proj) splits the same way;
// a small constant bias is cut at compile time (the bias operand may come
// first). Each rank computes 8 of the 16 MLP columns of gate and of up.

// CHECK-LABEL: func.func @fused_gate_up
// CHECK-DAG: %[[WG:.*]] = pp.weight "gate_up.weight[:, 0:16]" from "w.bin" offset 0 {file_shape = array<i64: 8, 32>, region_starts = array<i64: 0, 0>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x8xf32>
// CHECK-DAG: %[[WU:.*]] = pp.weight "gate_up.weight[:, 16:32]" from "w.bin" offset 0 {file_shape = array<i64: 8, 32>, region_starts = array<i64: 0, 16>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x8xf32>
// CHECK-DAG: %[[WD:.*]] = pp.weight "down.weight" from "w.bin" offset 1024 {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<8x8xf32>
// CHECK: %[[G:.*]] = pp.matmul %{{.*}}, %[[WG]] {pp.tp = "column"} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[BG:.*]] = pp.constant dense<[0.000000e+00, {{.*}}, 1.500000e+01]> : tensor<16xf32>
// CHECK-NEXT: %[[BGS:.*]] = pp.all_slice %[[BG]] over @world["tp"] dim 0 : tensor<16xf32> -> tensor<8xf32>
// CHECK-NEXT: pp.add %[[BGS]], %[[G]] : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[U:.*]] = pp.matmul %{{.*}}, %[[WU]] {pp.tp = "column"}
// CHECK-NEXT: %[[BU:.*]] = pp.constant dense<[1.600000e+01, {{.*}}, 3.100000e+01]> : tensor<16xf32>
// CHECK-NEXT: %[[BUS:.*]] = pp.all_slice %[[BU]] over @world["tp"] dim 0
// CHECK-NEXT: pp.add %[[BUS]], %[[U]]
// CHECK: %[[D:.*]] = pp.matmul %{{.*}}, %[[WD]] {pp.tp = "row"} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: %[[R:.*]] = pp.all_reduce sum %[[D]] over @world["tp"] : tensor<2x4x8xf32>
// CHECK-NEXT: return %[[R]]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @fused_gate_up(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %w = pp.weight "gate_up.weight" from "w.bin" offset 0 : tensor<8x32xf32>
  %b = pp.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]> : tensor<32xf32>
  %wd = pp.weight "down.weight" from "w.bin" offset 1024 : tensor<16x8xf32>
  %h = pp.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x32xf32>) -> tensor<2x4x32xf32>
  %hb = pp.add %b, %h : (tensor<32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %gate = pp.slice %hb starts [0, 0, 0] steps [1, 1, 1] : tensor<2x4x32xf32> -> tensor<2x4x16xf32>
  %up = pp.slice %hb starts [0, 0, 16] steps [1, 1, 1] : tensor<2x4x32xf32> -> tensor<2x4x16xf32>
  %sg = pp.sigmoid %gate : tensor<2x4x16xf32>
  %act = pp.mul %gate, %sg : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %m = pp.mul %act, %up : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %y = pp.matmul %m, %wd : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// A fused result that is also read whole is left alone and, since its
// columns cannot be cut in contiguous blocks, stays replicated.

// CHECK-LABEL: func.func @fused_kept
// CHECK: %[[W:.*]] = pp.weight "c_attn.weight" from "w.bin" offset 0 : tensor<8x24xf32>
// CHECK-NEXT: %[[H:.*]] = pp.matmul %{{.*}}, %[[W]] : (tensor<2x4x8xf32>, tensor<8x24xf32>) -> tensor<2x4x24xf32>
// CHECK-NEXT: pp.slice %[[H]] starts [0, 0, 0]
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @fused_kept(%x: tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x24xf32>) {
  %w = pp.weight "c_attn.weight" from "w.bin" offset 0 : tensor<8x24xf32>
  %h = pp.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x24xf32>) -> tensor<2x4x24xf32>
  %q = pp.slice %h starts [0, 0, 0] steps [1, 1, 1] : tensor<2x4x24xf32> -> tensor<2x4x8xf32>
  return %q, %h : tensor<2x4x8xf32>, tensor<2x4x24xf32>
}

// -----

// timm's layout: the fused projection viewed as (B, S, 3, heads, d),
// permuted to (3, B, heads, S, d) and cut into q, k, v along the 3. The
// cuts move above the permute and the view, so they are last-dim slices of
// the projection and split into three column-parallel matmuls as GPT-2's;
// the 3 is never taken for the heads.

// CHECK-LABEL: func.func @timm_qkv
// CHECK-DAG: %[[WQ:.*]] = pp.weight "qkv.weight[:, 0:8]" from "w.bin" offset 0 {file_shape = array<i64: 8, 24>, region_starts = array<i64: 0, 0>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x4xf32>
// CHECK-DAG: %[[WK:.*]] = pp.weight "qkv.weight[:, 8:16]" from "w.bin" offset 0 {file_shape = array<i64: 8, 24>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x4xf32>
// CHECK-DAG: %[[WV:.*]] = pp.weight "qkv.weight[:, 16:24]" from "w.bin" offset 0 {file_shape = array<i64: 8, 24>, region_starts = array<i64: 0, 16>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<8x4xf32>
// CHECK: pp.matmul %{{.*}}, %[[WQ]] {pp.tp = "column"}
// CHECK: pp.matmul %{{.*}}, %[[WK]] {pp.tp = "column"}
// CHECK: pp.matmul %{{.*}}, %[[WV]] {pp.tp = "column"}
// CHECK-NOT: pp.slice
// CHECK: pp.softmax %{{.*}} dim 3 : tensor<2x1x4x4xf32>
// CHECK: pp.matmul %{{.*}}, %{{.*}} {pp.tp = "row"} : (tensor<2x4x4xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: pp.all_reduce sum
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @timm_qkv(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %w = pp.weight "qkv.weight" from "w.bin" offset 0 : tensor<8x24xf32>
  %b = pp.weight "qkv.bias" from "w.bin" offset 768 : tensor<24xf32>
  %wo = pp.weight "proj.weight" from "w.bin" offset 864 : tensor<8x8xf32>
  %h = pp.matmul %x, %w : (tensor<2x4x8xf32>, tensor<8x24xf32>) -> tensor<2x4x24xf32>
  %hb = pp.add %h, %b : (tensor<2x4x24xf32>, tensor<24xf32>) -> tensor<2x4x24xf32>
  %v5 = pp.reshape %hb : tensor<2x4x24xf32> -> tensor<2x4x3x2x4xf32>
  %p5 = pp.transpose %v5 perm [2, 0, 3, 1, 4] : tensor<2x4x3x2x4xf32> -> tensor<3x2x2x4x4xf32>
  %q1 = pp.slice %p5 starts [0, 0, 0, 0, 0] steps [1, 1, 1, 1, 1] : tensor<3x2x2x4x4xf32> -> tensor<1x2x2x4x4xf32>
  %k1 = pp.slice %p5 starts [1, 0, 0, 0, 0] steps [1, 1, 1, 1, 1] : tensor<3x2x2x4x4xf32> -> tensor<1x2x2x4x4xf32>
  %v1 = pp.slice %p5 starts [2, 0, 0, 0, 0] steps [1, 1, 1, 1, 1] : tensor<3x2x2x4x4xf32> -> tensor<1x2x2x4x4xf32>
  %q = pp.reshape %q1 : tensor<1x2x2x4x4xf32> -> tensor<2x2x4x4xf32>
  %k = pp.reshape %k1 : tensor<1x2x2x4x4xf32> -> tensor<2x2x4x4xf32>
  %v = pp.reshape %v1 : tensor<1x2x2x4x4xf32> -> tensor<2x2x4x4xf32>
  %kt = pp.transpose %k perm [0, 1, 3, 2] : tensor<2x2x4x4xf32> -> tensor<2x2x4x4xf32>
  %s = pp.matmul %q, %kt : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %p = pp.softmax %s dim 3 : tensor<2x2x4x4xf32>
  %o = pp.matmul %p, %v : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %ot = pp.transpose %o perm [0, 2, 1, 3] : tensor<2x2x4x4xf32> -> tensor<2x4x2x4xf32>
  %of = pp.reshape %ot : tensor<2x4x2x4xf32> -> tensor<2x4x8xf32>
  %y = pp.matmul %of, %wo : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %r = pp.add %x, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}
