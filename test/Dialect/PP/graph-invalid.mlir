// RUN: pp-opt %s -split-input-file -verify-diagnostics

// Every verifier error of the pp graph ops (PPGraphOps.cpp and the
// Elementwise trait), one per split, followed by the few that ODS
// constraints report.

//===----------------------------------------------------------------------===//
// pp.weight
//===----------------------------------------------------------------------===//

func.func @weight_negative_offset() {
  // expected-error @+1 {{'pp.weight' op offset -8 is negative}}
  %0 = pp.weight "w" from "model.onnx" offset -8 : tensor<4xf32>
  return
}

// -----

func.func @weight_no_file() {
  // expected-error @+1 {{'pp.weight' op names no file}}
  %0 = pp.weight "w" from "" offset 0 : tensor<4xf32>
  return
}

// -----

func.func @weight_file_element_type_not_scalar() {
  // expected-error @+1 {{'pp.weight' op file element type must be an integer or floating-point type, got 'tensor<4xf32>'}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_element_type = tensor<4xf32>} : tensor<4xbf16>
  return
}

// -----

func.func @weight_file_element_type_index() {
  // expected-error @+1 {{'pp.weight' op file element type must be an integer or floating-point type, got 'index'}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_element_type = index} : tensor<4xi64>
  return
}

// -----

func.func @weight_region_without_file_shape() {
  // expected-error @+1 {{'pp.weight' op needs both file_shape and region_starts, or neither}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {region_starts = array<i64: 0, 4>} : tensor<4x4xf32>
  return
}

// -----

func.func @weight_region_rank() {
  // expected-error @+1 {{'pp.weight' op file_shape has 1 dims and region_starts 2; both need the result's rank 2}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 32>, region_starts = array<i64: 0, 4>} : tensor<4x4xf32>
  return
}

// -----

func.func @weight_region_negative_start() {
  // expected-error @+1 {{'pp.weight' op region_starts dim 1 is negative}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 12>, region_starts = array<i64: 0, -4>} : tensor<4x4xf32>
  return
}

// -----

func.func @weight_region_outside_file() {
  // expected-error @+1 {{'pp.weight' op region [4, 4] at [0, 10] does not fit in the file tensor [4, 12] (dim 1)}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 12>, region_starts = array<i64: 0, 10>} : tensor<4x4xf32>
  return
}

// -----

// The region's size is the global shape: two tp shards of 4 columns.
pp.mesh @world ["tp" = 2]
func.func @weight_sharded_region_outside_file() {
  // expected-error @+1 {{'pp.weight' op region [4, 8] at [0, 8] does not fit in the file tensor [4, 12] (dim 1)}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 12>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, [[], ["tp"]]>} : tensor<4x4xf32>
  return
}

// -----

func.func @weight_region_sharding_unknown_mesh() {
  // expected-error @+1 {{'pp.weight' op sharding names '@nowhere', which is not a pp.mesh}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 12>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@nowhere, [[], ["tp"]]>} : tensor<4x2xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @weight_region_sharding_unknown_axis() {
  // expected-error @+1 {{'pp.weight' op sharding names axis 'sp', which mesh @world does not have}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 12>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, [[], ["sp"]]>} : tensor<4x2xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @weight_region_sharding_rank() {
  // expected-error @+1 {{'pp.weight' op sharding has 1 dims for a rank-2 result}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {file_shape = array<i64: 4, 12>, region_starts = array<i64: 0, 8>, sharding = #pp.sharding<@world, [["tp"]]>} : tensor<4x2xf32>
  return
}

// -----

// Every sharded weight has a global shape, so it needs its mesh, region or
// not.
func.func @weight_sharding_unknown_mesh() {
  // expected-error @+1 {{'pp.weight' op sharding names '@nowhere', which is not a pp.mesh}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {sharding = #pp.sharding<@nowhere, [[], ["tp"]]>} : tensor<4x2xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @weight_sharding_rank() {
  // expected-error @+1 {{'pp.weight' op sharding has 1 dims for a rank-2 result}}
  %0 = pp.weight "w" from "model.onnx" offset 0 {sharding = #pp.sharding<@world, [["tp"]]>} : tensor<4x2xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise trait
//===----------------------------------------------------------------------===//

// -----

func.func @binary_shapes_do_not_broadcast(%a: tensor<4x8xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'pp.add' op operand shapes 4x8 and 4x3 do not broadcast}}
  %0 = pp.add %a, %b : (tensor<4x8xf32>, tensor<4x3xf32>) -> tensor<4x8xf32>
  return
}

// -----

// The third operand of a select must broadcast with the first two combined.
func.func @select_shapes_do_not_broadcast(%c: tensor<4x1xi1>, %a: tensor<1x8xf32>, %b: tensor<3x1xf32>) {
  // expected-error @+1 {{'pp.select' op operand shapes 4x8 and 3x1 do not broadcast}}
  %0 = pp.select %c, %a, %b : (tensor<4x1xi1>, tensor<1x8xf32>, tensor<3x1xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @binary_wrong_result_shape(%a: tensor<4x1xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'pp.mul' op result shape 4x1 should be 4x8}}
  %0 = pp.mul %a, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x1xf32>
  return
}

// -----

func.func @binary_result_rank_too_high(%a: tensor<8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'pp.sub' op result shape 1x8 should be 8}}
  %0 = pp.sub %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @scalar_result_shape(%a: tensor<f32>, %b: tensor<f32>) {
  // expected-error @+1 {{'pp.add' op result shape 1 should be scalar}}
  %0 = pp.add %a, %b : (tensor<f32>, tensor<f32>) -> tensor<1xf32>
  return
}

// -----

func.func @cast_changes_shape(%x: tensor<4xi64>) {
  // expected-error @+1 {{'pp.cast' op result shape 2x2 should be 4}}
  %0 = pp.cast %x : tensor<4xi64> -> tensor<2x2xf32>
  return
}

// -----

func.func @select_condition_not_i1(%c: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'pp.select' op condition must have i1 elements}}
  %0 = pp.select %c, %a, %a : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_condition_i8(%c: tensor<4xi8>, %a: tensor<4xi8>) {
  // expected-error @+1 {{'pp.select' op condition must have i1 elements}}
  %0 = pp.select %c, %a, %a : (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @binary_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'pp.add' op element types differ: 'f32' and 'f16'}}
  %0 = pp.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @comparison_element_types_differ(%a: tensor<4xi64>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'pp.less' op element types differ: 'i64' and 'i32'}}
  %0 = pp.less %a, %b : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi1>
  return
}

// -----

func.func @select_value_types_differ(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xbf16>) {
  // expected-error @+1 {{'pp.select' op element types differ: 'f32' and 'bf16'}}
  %0 = pp.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>) -> tensor<4xf32>
  return
}

// -----

func.func @and_of_floats(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'pp.and' op needs i1 operands}}
  %0 = pp.and %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @or_of_integers(%a: tensor<4xi64>, %b: tensor<4xi64>) {
  // expected-error @+1 {{'pp.or' op needs i1 operands}}
  %0 = pp.or %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return
}

// -----

func.func @not_of_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{'pp.not' op needs i1 operands}}
  %0 = pp.not %a : tensor<4xi32>
  return
}

// -----

func.func @comparison_result_not_i1(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'pp.equal' op result element type should be 'i1'}}
  %0 = pp.equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @greater_result_not_i1(%a: tensor<4xi64>, %b: tensor<i64>) {
  // expected-error @+1 {{'pp.greater' op result element type should be 'i1'}}
  %0 = pp.greater %a, %b : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  return
}

// -----

func.func @arithmetic_result_i1(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'pp.add' op result element type should be 'f32'}}
  %0 = pp.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @select_result_type(%c: tensor<4xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'pp.select' op result element type should be 'f32'}}
  %0 = pp.select %c, %a, %a : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// Unary ops are also SameOperandsAndResultType, which ODS checks first.
func.func @unary_changes_type(%a: tensor<4xf32>) {
  // expected-error @+1 {{'pp.exp' op requires the same type for all operands and results}}
  %0 = "pp.exp"(%a) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

//===----------------------------------------------------------------------===//
// pp.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_rank_one(%a: tensor<64xf32>, %b: tensor<64x8xf32>) {
  // expected-error @+1 {{'pp.matmul' op operands need rank 2 or more}}
  %0 = pp.matmul %a, %b : (tensor<64xf32>, tensor<64x8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @matmul_rhs_rank_one(%a: tensor<4x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{'pp.matmul' op operands need rank 2 or more}}
  %0 = pp.matmul %a, %b : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_operand_types_differ(%a: tensor<4x64xf32>, %b: tensor<64x8xbf16>) {
  // expected-error @+1 {{'pp.matmul' op element types differ: 'f32' and 'bf16'}}
  %0 = pp.matmul %a, %b : (tensor<4x64xf32>, tensor<64x8xbf16>) -> tensor<4x8xf32>
  return
}

// -----

func.func @matmul_result_type_differs(%a: tensor<4x64xf32>, %b: tensor<64x8xf32>) {
  // expected-error @+1 {{'pp.matmul' op element types differ: 'f32' and 'f16'}}
  %0 = pp.matmul %a, %b : (tensor<4x64xf32>, tensor<64x8xf32>) -> tensor<4x8xf16>
  return
}

// -----

func.func @matmul_inner_dims(%a: tensor<8x16x64xf32>, %b: tensor<32x256xf32>) {
  // expected-error @+1 {{'pp.matmul' op inner dims 64 and 32 do not match}}
  %0 = pp.matmul %a, %b : (tensor<8x16x64xf32>, tensor<32x256xf32>) -> tensor<8x16x256xf32>
  return
}

// -----

func.func @matmul_batch_dims(%a: tensor<8x4x16x32xf32>, %b: tensor<3x32x16xf32>) {
  // expected-error @+1 {{'pp.matmul' op batch dims do not broadcast}}
  %0 = pp.matmul %a, %b : (tensor<8x4x16x32xf32>, tensor<3x32x16xf32>) -> tensor<8x4x16x16xf32>
  return
}

// -----

func.func @matmul_result_shape(%a: tensor<8x1x16x32xf32>, %b: tensor<4x32x16xf32>) {
  // expected-error @+1 {{'pp.matmul' op result shape 8x1x16x16 should be 8x4x16x16}}
  %0 = pp.matmul %a, %b : (tensor<8x1x16x32xf32>, tensor<4x32x16xf32>) -> tensor<8x1x16x16xf32>
  return
}

// -----

func.func @matmul_result_shape_transposed(%a: tensor<3x5xf32>, %b: tensor<5x7xf32>) {
  // expected-error @+1 {{'pp.matmul' op result shape 7x3 should be 3x7}}
  %0 = pp.matmul %a, %b : (tensor<3x5xf32>, tensor<5x7xf32>) -> tensor<7x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// pp.softmax
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_dim_too_large(%s: tensor<8x4x16x16xf32>) {
  // expected-error @+1 {{'pp.softmax' op dim 4 out of range for a rank-4 tensor}}
  %0 = pp.softmax %s dim 4 : tensor<8x4x16x16xf32>
  return
}

// -----

func.func @softmax_negative_dim(%s: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.softmax' op dim -1 out of range for a rank-2 tensor}}
  %0 = pp.softmax %s dim -1 log : tensor<8x16xf32>
  return
}

// -----

func.func @softmax_of_scalar(%s: tensor<f32>) {
  // expected-error @+1 {{'pp.softmax' op dim 0 out of range for a rank-0 tensor}}
  %0 = pp.softmax %s dim 0 : tensor<f32>
  return
}

// -----

func.func @softmax_changes_type(%s: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.softmax' op requires the same type for all operands and results}}
  %0 = "pp.softmax"(%s) {dim = 1 : i64} : (tensor<8x16xf32>) -> tensor<8x16xf16>
  return
}

//===----------------------------------------------------------------------===//
// pp.layer_norm
//===----------------------------------------------------------------------===//

// -----

func.func @layer_norm_dim_out_of_range(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'pp.layer_norm' op dim 3 out of range for a rank-3 tensor}}
  %0 = pp.layer_norm %x, %g dim 3 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @layer_norm_negative_dim(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'pp.layer_norm' op dim -1 out of range for a rank-3 tensor}}
  %0 = pp.layer_norm %x, %g dim -1 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @layer_norm_scale_type(%x: tensor<8x16x64xf32>, %g: tensor<64xf16>) {
  // expected-error @+1 {{'pp.layer_norm' op element types differ: 'f32' and 'f16'}}
  %0 = pp.layer_norm %x, %g dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf16>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @layer_norm_bias_type(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xbf16>) {
  // expected-error @+1 {{'pp.layer_norm' op element types differ: 'f32' and 'bf16'}}
  %0 = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xbf16>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @layer_norm_result_type(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'pp.layer_norm' op element types differ: 'f32' and 'f16'}}
  %0 = pp.layer_norm %x, %g dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf16>
  return
}

// -----

func.func @layer_norm_result_shape(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'pp.layer_norm' op result shape 8x16 should be 8x16x64}}
  %0 = pp.layer_norm %x, %g dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'pp.layer_norm' op scale and bias must have shape 16x64}}
  %0 = pp.layer_norm %x, %g dim 1 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<8x16x64xf32>, %g: tensor<64xf32>, %b: tensor<1x64xf32>) {
  // expected-error @+1 {{'pp.layer_norm' op scale and bias must have shape 64}}
  %0 = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<1x64xf32>) -> tensor<8x16x64xf32>
  return
}

//===----------------------------------------------------------------------===//
// pp.reduce
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_dim_out_of_range(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op dim 3 out of range for a rank-3 tensor}}
  %0 = pp.reduce sum %x dims [3] : tensor<8x16x64xf32> -> tensor<8x16x64xf32>
  return
}

// -----

func.func @reduce_negative_dim(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op dim -1 out of range for a rank-3 tensor}}
  %0 = pp.reduce mean %x dims [-1] : tensor<8x16x64xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @reduce_dims_unsorted(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op dims must be sorted and unique}}
  %0 = pp.reduce max %x dims [2, 0] : tensor<8x16x64xf32> -> tensor<16xf32>
  return
}

// -----

func.func @reduce_dims_repeated(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op dims must be sorted and unique}}
  %0 = pp.reduce min %x dims [1, 1] : tensor<8x16x64xf32> -> tensor<8x64xf32>
  return
}

// -----

func.func @reduce_changes_type(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op element types differ: 'f32' and 'f64'}}
  %0 = pp.reduce sum %x dims [2] : tensor<8x16x64xf32> -> tensor<8x16xf64>
  return
}

// -----

func.func @reduce_result_shape(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op result shape 8x16x1 should be 8x16}}
  %0 = pp.reduce mean %x dims [2] : tensor<8x16x64xf32> -> tensor<8x16x1xf32>
  return
}

// -----

func.func @reduce_keepdims_result_shape(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reduce' op result shape 8x16 should be 8x16x1}}
  %0 = pp.reduce mean %x dims [2] keepdims : tensor<8x16x64xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @reduce_all_result_shape(%x: tensor<4x6xi64>) {
  // expected-error @+1 {{'pp.reduce' op result shape 1 should be scalar}}
  %0 = pp.reduce prod %x dims [0, 1] : tensor<4x6xi64> -> tensor<1xi64>
  return
}

//===----------------------------------------------------------------------===//
// pp.reshape
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_changes_type(%x: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.reshape' op element types differ: 'f32' and 'i32'}}
  %0 = pp.reshape %x : tensor<8x16xf32> -> tensor<128xi32>
  return
}

// -----

func.func @reshape_element_count(%x: tensor<8x16x64xf32>) {
  // expected-error @+1 {{'pp.reshape' op cannot reshape 8192 elements into 4096}}
  %0 = pp.reshape %x : tensor<8x16x64xf32> -> tensor<8x16x2x16xf32>
  return
}

// -----

func.func @reshape_scalar_into_two(%x: tensor<i64>) {
  // expected-error @+1 {{'pp.reshape' op cannot reshape 1 elements into 2}}
  %0 = pp.reshape %x : tensor<i64> -> tensor<2xi64>
  return
}

//===----------------------------------------------------------------------===//
// pp.transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_perm_too_short(%x: tensor<8x16x4xf32>) {
  // expected-error @+1 {{'pp.transpose' op perm has 2 entries for a rank-3 tensor}}
  %0 = pp.transpose %x perm [1, 0] : tensor<8x16x4xf32> -> tensor<16x8x4xf32>
  return
}

// -----

func.func @transpose_perm_repeats(%x: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.transpose' op perm is not a permutation}}
  %0 = pp.transpose %x perm [0, 0] : tensor<8x16xf32> -> tensor<8x8xf32>
  return
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.transpose' op perm is not a permutation}}
  %0 = pp.transpose %x perm [0, 2] : tensor<8x16xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @transpose_perm_negative(%x: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.transpose' op perm is not a permutation}}
  %0 = pp.transpose %x perm [-1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @transpose_changes_type(%x: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.transpose' op element types differ: 'f32' and 'bf16'}}
  %0 = pp.transpose %x perm [1, 0] : tensor<8x16xf32> -> tensor<16x8xbf16>
  return
}

// -----

func.func @transpose_result_shape(%x: tensor<8x16x4x16xf32>) {
  // expected-error @+1 {{'pp.transpose' op result shape 8x16x4x16 should be 8x4x16x16}}
  %0 = pp.transpose %x perm [0, 2, 1, 3] : tensor<8x16x4x16xf32> -> tensor<8x16x4x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// pp.slice
//===----------------------------------------------------------------------===//

// -----

func.func @slice_starts_rank(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op starts, steps and result need the input's rank}}
  %0 = pp.slice %x starts [0] steps [1, 1] : tensor<16x64xf32> -> tensor<16x32xf32>
  return
}

// -----

func.func @slice_steps_rank(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op starts, steps and result need the input's rank}}
  %0 = pp.slice %x starts [0, 0] steps [1, 1, 1] : tensor<16x64xf32> -> tensor<16x32xf32>
  return
}

// -----

func.func @slice_result_rank(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op starts, steps and result need the input's rank}}
  %0 = pp.slice %x starts [0, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<1024xf32>
  return
}

// -----

func.func @slice_changes_type(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op element types differ: 'f32' and 'f16'}}
  %0 = pp.slice %x starts [0, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<16x32xf16>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op step of dim 1 is zero}}
  %0 = pp.slice %x starts [0, 0] steps [1, 0] : tensor<16x64xf32> -> tensor<16x32xf32>
  return
}

// -----

// A zero step is wrong even when the result is empty along that dim.
func.func @slice_zero_step_empty(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op step of dim 0 is zero}}
  %0 = pp.slice %x starts [0, 0] steps [0, 1] : tensor<16x64xf32> -> tensor<0x64xf32>
  return
}

// -----

func.func @slice_past_the_end(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 1 reads elements 48..79 of 64}}
  %0 = pp.slice %x starts [0, 48] steps [1, 1] : tensor<16x64xf32> -> tensor<16x32xf32>
  return
}

// -----

func.func @slice_negative_start(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 0 reads elements -1..14 of 16}}
  %0 = pp.slice %x starts [-1, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<16x64xf32>
  return
}

// -----

func.func @slice_start_at_the_end(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 0 reads elements 16..16 of 16}}
  %0 = pp.slice %x starts [16, 0] steps [1, 1] : tensor<16x64xf32> -> tensor<1x64xf32>
  return
}

// -----

func.func @slice_negative_step_runs_off(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 0 reads elements 5..-5 of 16}}
  %0 = pp.slice %x starts [5, 0] steps [-2, 1] : tensor<16x64xf32> -> tensor<6x64xf32>
  return
}

// -----

func.func @slice_strided_past_the_end(%x: tensor<16x64xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 1 reads elements 1..65 of 64}}
  %0 = pp.slice %x starts [0, 1] steps [1, 2] : tensor<16x64xf32> -> tensor<16x33xf32>
  return
}

// -----

// The first and last elements are in range only because 16 * step wraps
// around to 16; element 1 would be at 2^60 + 1.
func.func @slice_step_overflows(%x: tensor<17xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 0 overflows 64-bit indices (start 0, step 1152921504606846977, 17 elements)}}
  %0 = pp.slice %x starts [0] steps [1152921504606846977] : tensor<17xf32> -> tensor<17xf32>
  return
}

// -----

func.func @slice_negative_step_overflows(%x: tensor<8xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 0 overflows 64-bit indices (start 0, step -9223372036854775807, 3 elements)}}
  %0 = pp.slice %x starts [0] steps [-9223372036854775807] : tensor<8xf32> -> tensor<3xf32>
  return
}

// -----

func.func @slice_start_plus_offset_overflows(%x: tensor<8xf32>) {
  // expected-error @+1 {{'pp.slice' op dim 0 overflows 64-bit indices (start 9223372036854775807, step 1, 2 elements)}}
  %0 = pp.slice %x starts [9223372036854775807] steps [1] : tensor<8xf32> -> tensor<2xf32>
  return
}

//===----------------------------------------------------------------------===//
// pp.concat
//===----------------------------------------------------------------------===//

// -----

func.func @concat_no_inputs() {
  // expected-error @+1 {{'pp.concat' op needs at least one input}}
  %0 = "pp.concat"() {dim = 0 : i64} : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_dim_out_of_range(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.concat' op dim 2 out of range for a rank-2 tensor}}
  %0 = pp.concat %a, %a dim 2 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @concat_negative_dim(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.concat' op dim -1 out of range for a rank-2 tensor}}
  %0 = pp.concat %a, %a dim -1 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @concat_input_types_differ(%a: tensor<4x8xf32>, %b: tensor<4x8xf16>) {
  // expected-error @+1 {{'pp.concat' op element types differ: 'f32' and 'f16'}}
  %0 = pp.concat %a, %b dim 1 : (tensor<4x8xf32>, tensor<4x8xf16>) -> tensor<4x16xf32>
  return
}

// -----

func.func @concat_ranks_differ(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'pp.concat' op inputs have different ranks}}
  %0 = pp.concat %a, %b dim 0 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<5x8xf32>
  return
}

// -----

func.func @concat_other_dim_differs(%a: tensor<8x4x16x8xf32>, %b: tensor<8x2x16x8xf32>) {
  // expected-error @+1 {{'pp.concat' op inputs differ in dim 1 (4 vs 2)}}
  %0 = pp.concat %a, %b dim 3 : (tensor<8x4x16x8xf32>, tensor<8x2x16x8xf32>) -> tensor<8x4x16x16xf32>
  return
}

// -----

func.func @concat_result_type_differs(%a: tensor<2xi64>, %b: tensor<3xi64>) {
  // expected-error @+1 {{'pp.concat' op element types differ: 'i64' and 'i32'}}
  %0 = pp.concat %a, %b dim 0 : (tensor<2xi64>, tensor<3xi64>) -> tensor<5xi32>
  return
}

// -----

// With one input, a result type mismatch used to reach the folder, which
// replaces the result with the input.
func.func @concat_single_input_type_differs(%a: tensor<2xf32>) {
  // expected-error @+1 {{'pp.concat' op element types differ: 'f32' and 'i64'}}
  %0 = pp.concat %a dim 0 : (tensor<2xf32>) -> tensor<2xi64>
  return
}

// -----

func.func @concat_result_shape(%a: tensor<8x4x16x8xf32>, %b: tensor<8x4x16x1xf32>) {
  // expected-error @+1 {{'pp.concat' op result shape 8x4x16x16 should be 8x4x16x9}}
  %0 = pp.concat %a, %b dim 3 : (tensor<8x4x16x8xf32>, tensor<8x4x16x1xf32>) -> tensor<8x4x16x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// pp.gather
//===----------------------------------------------------------------------===//

// -----

func.func @gather_dim_out_of_range(%w: tensor<128x64xf32>, %i: tensor<8xi64>) {
  // expected-error @+1 {{'pp.gather' op dim 2 out of range for a rank-2 tensor}}
  %0 = pp.gather %w[%i] dim 2 : (tensor<128x64xf32>, tensor<8xi64>) -> tensor<8x64xf32>
  return
}

// -----

func.func @gather_negative_dim(%w: tensor<128x64xf32>, %i: tensor<8xi64>) {
  // expected-error @+1 {{'pp.gather' op dim -1 out of range for a rank-2 tensor}}
  %0 = pp.gather %w[%i] dim -1 : (tensor<128x64xf32>, tensor<8xi64>) -> tensor<128x8xf32>
  return
}

// -----

func.func @gather_of_scalar(%s: tensor<f32>, %i: tensor<i64>) {
  // expected-error @+1 {{'pp.gather' op dim 0 out of range for a rank-0 tensor}}
  %0 = pp.gather %s[%i] dim 0 : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @gather_i32_indices(%w: tensor<128x64xf32>, %i: tensor<8xi32>) {
  // expected-error @+1 {{'pp.gather' op indices must be i64}}
  %0 = pp.gather %w[%i] dim 0 : (tensor<128x64xf32>, tensor<8xi32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @gather_float_indices(%w: tensor<128x64xf32>, %i: tensor<8xf32>) {
  // expected-error @+1 {{'pp.gather' op indices must be i64}}
  %0 = pp.gather %w[%i] dim 0 : (tensor<128x64xf32>, tensor<8xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @gather_changes_type(%w: tensor<128x64xf32>, %i: tensor<8xi64>) {
  // expected-error @+1 {{'pp.gather' op element types differ: 'f32' and 'i64'}}
  %0 = pp.gather %w[%i] dim 0 : (tensor<128x64xf32>, tensor<8xi64>) -> tensor<8x64xi64>
  return
}

// -----

func.func @gather_result_shape(%w: tensor<128x64xf32>, %i: tensor<8x16xi64>) {
  // expected-error @+1 {{'pp.gather' op result shape 8x16x128 should be 8x16x64}}
  %0 = pp.gather %w[%i] dim 0 : (tensor<128x64xf32>, tensor<8x16xi64>) -> tensor<8x16x128xf32>
  return
}

// -----

// A scalar index removes the dim.
func.func @gather_scalar_index_keeps_dim(%shape: tensor<3xi64>, %i: tensor<i64>) {
  // expected-error @+1 {{'pp.gather' op result shape 1 should be scalar}}
  %0 = pp.gather %shape[%i] dim 0 : (tensor<3xi64>, tensor<i64>) -> tensor<1xi64>
  return
}

//===----------------------------------------------------------------------===//
// pp.broadcast
//===----------------------------------------------------------------------===//

// -----

func.func @broadcast_incompatible(%x: tensor<3x16xf32>) {
  // expected-error @+1 {{'pp.broadcast' op cannot broadcast 3x16 to 8x16}}
  %0 = pp.broadcast %x : tensor<3x16xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @broadcast_to_lower_rank(%x: tensor<1x16xf32>) {
  // expected-error @+1 {{'pp.broadcast' op cannot broadcast 1x16 to 16}}
  %0 = pp.broadcast %x : tensor<1x16xf32> -> tensor<16xf32>
  return
}

// -----

// Broadcasting only stretches: it never shrinks a dim to 1.
func.func @broadcast_shrinks(%x: tensor<8x16xf32>) {
  // expected-error @+1 {{'pp.broadcast' op cannot broadcast 8x16 to 1x16}}
  %0 = pp.broadcast %x : tensor<8x16xf32> -> tensor<1x16xf32>
  return
}

// -----

func.func @broadcast_changes_type(%x: tensor<1x16xf32>) {
  // expected-error @+1 {{'pp.broadcast' op element types differ: 'f32' and 'f64'}}
  %0 = pp.broadcast %x : tensor<1x16xf32> -> tensor<8x16xf64>
  return
}

//===----------------------------------------------------------------------===//
// pp.trilu
//===----------------------------------------------------------------------===//

// -----

func.func @trilu_rank_one(%x: tensor<16xf32>) {
  // expected-error @+1 {{'pp.trilu' op needs rank 2 or more}}
  %0 = pp.trilu %x lower k 0 : tensor<16xf32>
  return
}

// -----

func.func @trilu_changes_type(%x: tensor<16x16xf32>) {
  // expected-error @+1 {{'pp.trilu' op requires the same type for all operands and results}}
  %0 = "pp.trilu"(%x) {k = 0 : i64} : (tensor<16x16xf32>) -> tensor<16x16xi1>
  return
}

// -----

func.func @trilu_bad_keyword(%x: tensor<16x16xf32>) {
  // expected-error @+1 {{expected 'lower'}}
  %0 = pp.trilu %x diagonal k 0 : tensor<16x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// ODS constraints shared by all graph ops
//===----------------------------------------------------------------------===//

// -----

func.func @dynamic_shape(%x: tensor<?x16xf32>) {
  // expected-error @+1 {{'pp.relu' op operand #0 must be statically shaped tensor of any type values}}
  %0 = pp.relu %x : tensor<?x16xf32>
  return
}

// -----

func.func @unranked(%x: tensor<*xf32>, %w: tensor<16x4xf32>) {
  // expected-error @+1 {{'pp.matmul' op operand #0 must be statically shaped tensor of any type values}}
  %0 = "pp.matmul"(%x, %w) : (tensor<*xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @constant_type_mismatch() {
  // expected-error @+1 {{'pp.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "pp.constant"() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi32>
  return
}

// -----

func.func @reduce_unknown_kind(%x: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'kind' [sum, mean, max, min, prod]}}
  %0 = pp.reduce avg %x dims [0] : tensor<4xf32> -> tensor<f32>
  return
}

// -----

func.func @scatter_add_dim(%u: tensor<3x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'pp.scatter_add' op dim 2 out of range for a rank-2 tensor}}
  %0 = pp.scatter_add %u[%i] dim 2 : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<8x4xf32>
  return
}

// -----

func.func @scatter_add_indices(%u: tensor<3x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+1 {{'pp.scatter_add' op indices must be i64}}
  %0 = pp.scatter_add %u[%i] dim 0 : (tensor<3x4xf32>, tensor<3xi32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @scatter_add_updates(%u: tensor<3x5xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'pp.scatter_add' op updates shape 3x5 should be 3x4}}
  %0 = pp.scatter_add %u[%i] dim 0 : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<8x4xf32>
  return
}

// -----

func.func @scatter_add_types(%u: tensor<3x4xf16>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'pp.scatter_add' op element types differ: 'f32' and 'f16'}}
  %0 = pp.scatter_add %u[%i] dim 0 : (tensor<3x4xf16>, tensor<3xi64>) -> tensor<8x4xf32>
  return
}

// -----

func.func @cross_entropy_scalar_logits(%x: tensor<f32>, %l: tensor<i64>) {
  // expected-error @+1 {{'pp.cross_entropy' op logits need rank 1 or more}}
  %0 = pp.cross_entropy %x, %l ignore_index -100 : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_int_logits(%x: tensor<4x8xi32>, %l: tensor<4xi64>) {
  // expected-error @+1 {{'pp.cross_entropy' op logits must be floats}}
  %0 = pp.cross_entropy %x, %l ignore_index -100 : (tensor<4x8xi32>, tensor<4xi64>) -> tensor<i32>
  return
}

// -----

func.func @cross_entropy_label_type(%x: tensor<4x8xf32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{'pp.cross_entropy' op labels must be i64}}
  %0 = pp.cross_entropy %x, %l ignore_index -100 : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_label_shape(%x: tensor<4x8xf32>, %l: tensor<8xi64>) {
  // expected-error @+1 {{'pp.cross_entropy' op labels shape 8 should be 4}}
  %0 = pp.cross_entropy %x, %l ignore_index -100 : (tensor<4x8xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_result_type(%x: tensor<4x8xf32>, %l: tensor<4xi64>) {
  // expected-error @+1 {{'pp.cross_entropy' op element types differ: 'f32' and 'f16'}}
  %0 = pp.cross_entropy %x, %l ignore_index -100 : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<f16>
  return
}

// -----

func.func @cross_entropy_result_shape(%x: tensor<4x8xf32>, %l: tensor<4xi64>) {
  // expected-error @+1 {{'pp.cross_entropy' op result shape 4 should be scalar}}
  %0 = pp.cross_entropy %x, %l ignore_index -100 : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<4xf32>
  return
}

// -----

// pp.step_slice, pp.cache_write

func.func @step_slice_other_dim(%x: tensor<16x8xf32>) {
  // expected-error @+1 {{'pp.step_slice' op result and input differ at dim 1, not only at 0}}
  %0 = pp.step_slice %x dim 0 : tensor<16x8xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @step_slice_more_rows(%x: tensor<16x8xf32>) {
  // expected-error @+1 {{'pp.step_slice' op result has 32 rows at dim 0, more than the 16 of input}}
  %0 = pp.step_slice %x dim 0 : tensor<16x8xf32> -> tensor<32x8xf32>
  return
}

// -----

func.func @step_slice_bad_dim(%x: tensor<16x8xf32>) {
  // expected-error @+1 {{'pp.step_slice' op dim 2 is outside rank 2}}
  %0 = pp.step_slice %x dim 2 : tensor<16x8xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @step_slice_rank(%x: tensor<16x8xf32>) {
  // expected-error @+1 {{'pp.step_slice' op result and input need one element type and rank}}
  %0 = pp.step_slice %x dim 0 : tensor<16x8xf32> -> tensor<1x8xf16>
  return
}

// -----

func.func @cache_write_result(%c: tensor<2x16x8xf32>, %u: tensor<2x1x8xf32>) {
  // expected-error @+1 {{'pp.cache_write' op result must have the cache's type}}
  %0 = pp.cache_write %c, %u dim 1 : (tensor<2x16x8xf32>, tensor<2x1x8xf32>) -> tensor<2x1x8xf32>
  return
}

// -----

func.func @cache_write_update(%c: tensor<2x16x8xf32>, %u: tensor<4x1x8xf32>) {
  // expected-error @+1 {{'pp.cache_write' op update and cache differ at dim 0, not only at 1}}
  %0 = pp.cache_write %c, %u dim 1 : (tensor<2x16x8xf32>, tensor<4x1x8xf32>) -> tensor<2x16x8xf32>
  return
}
