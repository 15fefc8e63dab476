// RUN: pp-opt %s --pp-shard-tensor-parallel | FileCheck %s --check-prefix=TP2
// RUN: sed 's/"tp" = 2/"tp" = 4/' %s | pp-opt --pp-shard-tensor-parallel | FileCheck %s --check-prefix=TP4
// RUN: pp-opt %s --pp-shard-tensor-parallel=sequence-parallel=true | FileCheck %s --check-prefix=SP
// RUN: pp-opt %s --pp-shard-tensor-parallel=sequence-parallel=true | FileCheck %s --check-prefix=SP-NONE

// A Llama block: 4 query heads, 2 KV heads repeated to 4 (GQA), SwiGLU MLP
// of width 24.

// At tp=2 every projection is column-parallel (2 Q heads and 1 KV head per
// rank: rank r's KV head r serves its Q heads 2r, 2r+1), o_proj and
// down_proj are row-parallel, one all-reduce per sublayer.
// TP2-LABEL: func.func @llama_block
// TP2-DAG: pp.weight "q_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<16x8xf32>
// TP2-DAG: pp.weight "k_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<16x4xf32>
// TP2-DAG: pp.weight "v_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<16x4xf32>
// TP2-DAG: pp.weight "o_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<8x16xf32>
// TP2-DAG: pp.weight "gate_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<16x12xf32>
// TP2-DAG: pp.weight "up_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<16x12xf32>
// TP2-DAG: pp.weight "down_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<12x16xf32>
// TP2: pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
// TP2-NEXT: pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x16xf32>, tensor<16x4xf32>) -> tensor<2x4x4xf32>
// TP2-NEXT: pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x16xf32>, tensor<16x4xf32>) -> tensor<2x4x4xf32>
// TP2: pp.broadcast %{{.*}} : tensor<2x1x1x4x4xf32> -> tensor<2x1x2x4x4xf32>
// TP2: pp.softmax %{{.*}} dim 3 : tensor<2x2x4x4xf32>
// TP2: %[[O:.*]] = pp.matmul {{.*}} {pp.tp = "row"} : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
// TP2-NEXT: %[[OR:.*]] = pp.all_reduce sum %[[O]]
// TP2-NEXT: %[[H:.*]] = pp.add %{{.*}}, %[[OR]]
// TP2-NEXT: pp.rms_norm %[[H]]
// TP2-NEXT: pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x16xf32>, tensor<16x12xf32>) -> tensor<2x4x12xf32>
// TP2-NEXT: pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x16xf32>, tensor<16x12xf32>) -> tensor<2x4x12xf32>
// TP2: %[[D:.*]] = pp.matmul {{.*}} {pp.tp = "row"} : (tensor<2x4x12xf32>, tensor<12x16xf32>) -> tensor<2x4x16xf32>
// TP2-NEXT: %[[DR:.*]] = pp.all_reduce sum %[[D]]
// TP2-NEXT: %[[Y:.*]] = pp.add %[[H]], %[[DR]]
// TP2-NEXT: return %[[Y]]

// At tp=4 the 2 KV heads do not divide: K and V stay replicated by design,
// are repeated to 4 heads and each rank slices out the one its Q head
// reads, without communication.
// TP4-LABEL: func.func @llama_block
// TP4-DAG: pp.weight "q_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<16x4xf32>
// TP4-DAG: pp.weight "k_proj" from "w.bin" offset 1024 : tensor<16x8xf32>
// TP4-DAG: pp.weight "v_proj" from "w.bin" offset 1536 : tensor<16x8xf32>
// TP4-DAG: pp.weight "o_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<4x16xf32>
// TP4-DAG: pp.weight "down_proj" {{.*}} {sharding = #pp.sharding<@world, {{\[\[}}"tp"], []]>} : tensor<6x16xf32>
// TP4: pp.matmul {{.*}} {pp.tp = "column"} : (tensor<2x4x16xf32>, tensor<16x4xf32>) -> tensor<2x4x4xf32>
// TP4-NEXT: pp.matmul %{{.*}}, %{{.*}} : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
// TP4-NEXT: pp.matmul %{{.*}}, %{{.*}} : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
// TP4: %[[V:.*]] = pp.all_slice %{{.*}} over @world["tp"] dim 1 : tensor<2x4x4x4xf32> -> tensor<2x1x4x4xf32>
// TP4: %[[K:.*]] = pp.all_slice %{{.*}} over @world["tp"] dim 1 : tensor<2x4x4x4xf32> -> tensor<2x1x4x4xf32>
// TP4-NEXT: pp.matmul %{{.*}}, %[[K]] : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<2x1x4x4xf32>
// TP4: pp.matmul %{{.*}}, %[[V]] : (tensor<2x1x4x4xf32>, tensor<2x1x4x4xf32>) -> tensor<2x1x4x4xf32>
// TP4: pp.matmul {{.*}} {pp.tp = "row"} : (tensor<2x4x4xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
// TP4-NEXT: pp.all_reduce sum
// TP4: pp.matmul {{.*}} {pp.tp = "row"} : (tensor<2x4x6xf32>, tensor<6x16xf32>) -> tensor<2x4x16xf32>
// TP4-NEXT: pp.all_reduce sum

// Sequence parallelism: the row-parallel outputs are reduce-scattered
// along the sequence (dim 1), the residual add and the norm run on 2 of
// the 4 positions, the MLP input is all-gathered back, and the result is
// gathered for the return. The replicated input joins the split stream
// by an all_slice.
// SP-LABEL: func.func @llama_block
// SP: %[[XS:.*]] = pp.all_slice %arg0 over @world["tp"] dim 1 : tensor<2x4x16xf32> -> tensor<2x2x16xf32>
// SP: %[[O:.*]] = pp.matmul {{.*}} {pp.tp = "row"} : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
// SP-NEXT: %[[OS:.*]] = pp.reduce_scatter sum %[[O]] over @world["tp"] dim 1 : tensor<2x4x16xf32> -> tensor<2x2x16xf32>
// SP-NEXT: %[[H:.*]] = pp.add %[[XS]], %[[OS]] : (tensor<2x2x16xf32>, tensor<2x2x16xf32>) -> tensor<2x2x16xf32>
// SP-NEXT: %[[N:.*]] = pp.rms_norm %[[H]], %{{.*}} : (tensor<2x2x16xf32>, tensor<16xf32>) -> tensor<2x2x16xf32>
// SP-NEXT: %[[NG:.*]] = pp.all_gather %[[N]] over @world["tp"] dim 1 : tensor<2x2x16xf32> -> tensor<2x4x16xf32>
// SP-NEXT: pp.matmul %[[NG]], %{{.*}} {pp.tp = "column"}
// SP-NEXT: pp.matmul %[[NG]], %{{.*}} {pp.tp = "column"}
// SP: %[[D:.*]] = pp.matmul {{.*}} {pp.tp = "row"}
// SP-NEXT: %[[DS:.*]] = pp.reduce_scatter sum %[[D]] over @world["tp"] dim 1 : tensor<2x4x16xf32> -> tensor<2x2x16xf32>
// SP-NEXT: %[[Y:.*]] = pp.add %[[H]], %[[DS]]
// SP-NEXT: %[[YG:.*]] = pp.all_gather %[[Y]] over @world["tp"] dim 1 : tensor<2x2x16xf32> -> tensor<2x4x16xf32>
// SP-NEXT: return %[[YG]]
// SP-NONE-NOT: pp.all_reduce
pp.mesh @world ["dp" = 1, "pp" = 1, "tp" = 2]
func.func @llama_block(%x: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %g1 = pp.constant dense<1.0> : tensor<16xf32>
  %g2 = pp.constant dense<1.0> : tensor<16xf32>
  %wq = pp.weight "q_proj" from "w.bin" offset 0 : tensor<16x16xf32>
  %wk = pp.weight "k_proj" from "w.bin" offset 1024 : tensor<16x8xf32>
  %wv = pp.weight "v_proj" from "w.bin" offset 1536 : tensor<16x8xf32>
  %wo = pp.weight "o_proj" from "w.bin" offset 2048 : tensor<16x16xf32>
  %wg = pp.weight "gate_proj" from "w.bin" offset 3072 : tensor<16x24xf32>
  %wu = pp.weight "up_proj" from "w.bin" offset 4608 : tensor<16x24xf32>
  %wd = pp.weight "down_proj" from "w.bin" offset 6144 : tensor<24x16xf32>
  %n = pp.rms_norm %x, %g1 epsilon 1.0e-5 : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %q = pp.matmul %n, %wq : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %k = pp.matmul %n, %wk : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  %v = pp.matmul %n, %wv : (tensor<2x4x16xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  %qh = pp.reshape %q : tensor<2x4x16xf32> -> tensor<2x4x4x4xf32>
  %kh = pp.reshape %k : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %vh = pp.reshape %v : tensor<2x4x8xf32> -> tensor<2x4x2x4xf32>
  %qt = pp.transpose %qh perm [0, 2, 1, 3] : tensor<2x4x4x4xf32> -> tensor<2x4x4x4xf32>
  %kt = pp.transpose %kh perm [0, 2, 1, 3] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %vt = pp.transpose %vh perm [0, 2, 1, 3] : tensor<2x4x2x4xf32> -> tensor<2x2x4x4xf32>
  %k5 = pp.reshape %kt : tensor<2x2x4x4xf32> -> tensor<2x2x1x4x4xf32>
  %kb = pp.broadcast %k5 : tensor<2x2x1x4x4xf32> -> tensor<2x2x2x4x4xf32>
  %ke = pp.reshape %kb : tensor<2x2x2x4x4xf32> -> tensor<2x4x4x4xf32>
  %v5 = pp.reshape %vt : tensor<2x2x4x4xf32> -> tensor<2x2x1x4x4xf32>
  %vb = pp.broadcast %v5 : tensor<2x2x1x4x4xf32> -> tensor<2x2x2x4x4xf32>
  %ve = pp.reshape %vb : tensor<2x2x2x4x4xf32> -> tensor<2x4x4x4xf32>
  %kT = pp.transpose %ke perm [0, 1, 3, 2] : tensor<2x4x4x4xf32> -> tensor<2x4x4x4xf32>
  %s = pp.matmul %qt, %kT : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %p = pp.softmax %s dim 3 : tensor<2x4x4x4xf32>
  %o = pp.matmul %p, %ve : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %ot = pp.transpose %o perm [0, 2, 1, 3] : tensor<2x4x4x4xf32> -> tensor<2x4x4x4xf32>
  %of = pp.reshape %ot : tensor<2x4x4x4xf32> -> tensor<2x4x16xf32>
  %a = pp.matmul %of, %wo : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %h = pp.add %x, %a : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %n2 = pp.rms_norm %h, %g2 epsilon 1.0e-5 : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %gate = pp.matmul %n2, %wg : (tensor<2x4x16xf32>, tensor<16x24xf32>) -> tensor<2x4x24xf32>
  %up = pp.matmul %n2, %wu : (tensor<2x4x16xf32>, tensor<16x24xf32>) -> tensor<2x4x24xf32>
  %sg = pp.sigmoid %gate : tensor<2x4x24xf32>
  %act = pp.mul %gate, %sg : (tensor<2x4x24xf32>, tensor<2x4x24xf32>) -> tensor<2x4x24xf32>
  %m = pp.mul %act, %up : (tensor<2x4x24xf32>, tensor<2x4x24xf32>) -> tensor<2x4x24xf32>
  %d = pp.matmul %m, %wd : (tensor<2x4x24xf32>, tensor<24x16xf32>) -> tensor<2x4x16xf32>
  %y = pp.add %h, %d : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}
