// RUN: pp-opt %s --verify-roundtrip | FileCheck %s
// RUN: pp-opt %s --mlir-print-op-generic | pp-opt | FileCheck %s

// Happy paths of every pp op and attribute: each parses, verifies, prints
// in the custom form and survives a round trip through the generic form.

// CHECK: pp.mesh @world ["dp" = 2, "pp" = 4, "tp" = 2]
pp.mesh @world ["dp" = 2, "pp" = 4, "tp" = 2]
// CHECK: pp.mesh @line ["x" = 8]
pp.mesh @line ["x" = 8]

// CHECK-LABEL: func.func @send_to_next_stage
func.func @send_to_next_stage(%h: tensor<4x16x64xf32>) {
  // CHECK: pp.send %{{.*}} to @world["pp"] peer 1 tag 0 : tensor<4x16x64xf32>
  pp.send %h to @world["pp"] peer 1 tag 0 : tensor<4x16x64xf32>
  return
}

// CHECK-LABEL: func.func @recv_from_previous_stage
func.func @recv_from_previous_stage() -> tensor<4x16x64xf32> {
  // CHECK: %[[H:.*]] = pp.recv from @world["pp"] peer 0 tag 0 : tensor<4x16x64xf32>
  %h = pp.recv from @world["pp"] peer 0 tag 0 : tensor<4x16x64xf32>
  // CHECK: return %[[H]]
  return %h : tensor<4x16x64xf32>
}

// CHECK-LABEL: func.func @all_reduce_kinds
func.func @all_reduce_kinds(%x: tensor<4x64xf32>, %i: tensor<8xi32>) {
  // CHECK: pp.all_reduce sum %{{.*}} over @world["tp"] : tensor<4x64xf32>
  %0 = pp.all_reduce sum %x over @world["tp"] : tensor<4x64xf32>
  // CHECK: pp.all_reduce max %{{.*}} over @world["tp"] : tensor<4x64xf32>
  %1 = pp.all_reduce max %x over @world["tp"] : tensor<4x64xf32>
  // CHECK: pp.all_reduce min %{{.*}} over @world["dp", "tp"] : tensor<8xi32>
  %2 = pp.all_reduce min %i over @world["dp", "tp"] : tensor<8xi32>
  // CHECK: pp.all_reduce avg %{{.*}} over @world["dp"] : tensor<4x64xf32>
  %3 = pp.all_reduce avg %x over @world["dp"] : tensor<4x64xf32>
  return
}

// CHECK-LABEL: func.func @all_gather_columns
func.func @all_gather_columns(%x: tensor<4x32xbf16>) -> tensor<4x64xbf16> {
  // CHECK: pp.all_gather %{{.*}} over @world["tp"] dim 1 : tensor<4x32xbf16> -> tensor<4x64xbf16>
  %0 = pp.all_gather %x over @world["tp"] dim 1 : tensor<4x32xbf16> -> tensor<4x64xbf16>
  return %0 : tensor<4x64xbf16>
}

// CHECK-LABEL: func.func @all_gather_over_two_axes
func.func @all_gather_over_two_axes(%x: tensor<2x8xf16>) -> tensor<8x8xf16> {
  // CHECK: pp.all_gather %{{.*}} over @world["dp", "tp"] dim 0 : tensor<2x8xf16> -> tensor<8x8xf16>
  %0 = pp.all_gather %x over @world["dp", "tp"] dim 0 : tensor<2x8xf16> -> tensor<8x8xf16>
  return %0 : tensor<8x8xf16>
}

// CHECK-LABEL: func.func @reduce_scatter_sequence
func.func @reduce_scatter_sequence(%x: tensor<4x16x64xf32>) -> tensor<4x8x64xf32> {
  // CHECK: pp.reduce_scatter sum %{{.*}} over @world["tp"] dim 1 : tensor<4x16x64xf32> -> tensor<4x8x64xf32>
  %0 = pp.reduce_scatter sum %x over @world["tp"] dim 1 : tensor<4x16x64xf32> -> tensor<4x8x64xf32>
  return %0 : tensor<4x8x64xf32>
}

// CHECK-LABEL: func.func @all_to_all_moves_split
func.func @all_to_all_moves_split(%x: tensor<4x8xf32>) -> tensor<32x1xf32> {
  // CHECK: pp.all_to_all %{{.*}} over @line["x"] split 1 concat 0 : tensor<4x8xf32> -> tensor<32x1xf32>
  %0 = pp.all_to_all %x over @line["x"] split 1 concat 0 : tensor<4x8xf32> -> tensor<32x1xf32>
  return %0 : tensor<32x1xf32>
}

// CHECK-LABEL: func.func @all_to_all_same_dim
func.func @all_to_all_same_dim(%x: tensor<16xf32>) -> tensor<16xf32> {
  // CHECK: pp.all_to_all %{{.*}} over @line["x"] split 0 concat 0 : tensor<16xf32> -> tensor<16xf32>
  %0 = pp.all_to_all %x over @line["x"] split 0 concat 0 : tensor<16xf32> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// CHECK-LABEL: func.func @attributes
// CHECK-SAME: pp.stage = #pp.stage<3>
// CHECK-SAME: w = #pp.sharding<@world, {{\[\[}}], ["tp"]]>
// CHECK-SAME: y = #pp.sharding<@world, {{\[\[}}], []], partial sum ["tp"]>
// CHECK-SAME: z = #pp.sharding<@world, {{\[\[}}"dp"], [], ["tp", "pp"]], partial max ["x"]>
func.func @attributes() attributes {
    pp.stage = #pp.stage<3>,
    w = #pp.sharding<@world, [[], ["tp"]]>,
    y = #pp.sharding<@world, [[], []], partial sum ["tp"]>,
    z = #pp.sharding<@world, [["dp"], [], ["tp", "pp"]], partial max ["x"]>} {
  return
}

// CHECK-LABEL: func.func @all_slice_keeps_own_part
func.func @all_slice_keeps_own_part(%x: tensor<4x16x64xf32>) -> tensor<4x16x32xf32> {
  // CHECK: pp.all_slice %{{.*}} over @world["tp"] dim 2 : tensor<4x16x64xf32> -> tensor<4x16x32xf32>
  %0 = pp.all_slice %x over @world["tp"] dim 2 : tensor<4x16x64xf32> -> tensor<4x16x32xf32>
  return %0 : tensor<4x16x32xf32>
}

// CHECK-LABEL: func.func @group_index_of_rank
func.func @group_index_of_rank() -> (tensor<i64>, tensor<i64>) {
  // CHECK: pp.group_index over @world["tp"] : tensor<i64>
  %0 = pp.group_index over @world["tp"] : tensor<i64>
  // CHECK: pp.group_index over @world["pp", "tp"] : tensor<i64>
  %1 = pp.group_index over @world["pp", "tp"] : tensor<i64>
  return %0, %1 : tensor<i64>, tensor<i64>
}

// A tp shard of the Q columns of a fused [64, 192] weight: the region is
// the global [64, 64] block, of which this rank holds 32 columns.
// CHECK-LABEL: func.func @sharded_weight_region
func.func @sharded_weight_region() -> tensor<64x32xf32> {
  // CHECK: pp.weight "c_attn.weight" from "model.onnx" offset 0 {file_shape = array<i64: 64, 192>, region_starts = array<i64: 0, 0>, sharding = #pp.sharding<@world, {{\[\[}}], ["tp"]]>} : tensor<64x32xf32>
  %q = pp.weight "c_attn.weight" from "model.onnx" offset 0 {file_shape = array<i64: 64, 192>, region_starts = array<i64: 0, 0>, sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<64x32xf32>
  return %q : tensor<64x32xf32>
}
