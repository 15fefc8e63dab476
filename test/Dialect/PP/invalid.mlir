// RUN: pp-opt %s -split-input-file -verify-diagnostics

// Every verifier error of the pp dialect, one per split.

// expected-error @+1 {{'pp.mesh' op needs at least one axis}}
pp.mesh @m []

// -----

// expected-error @+1 {{'pp.mesh' op axis 'tp' is declared twice}}
pp.mesh @m ["tp" = 2, "tp" = 4]

// -----

// expected-error @+1 {{'pp.mesh' op axis 'tp' has size 0; sizes must be at least 1}}
pp.mesh @m ["tp" = 0]

// -----

// expected-error @+1 {{'pp.mesh' op axis names must not be empty}}
pp.mesh @m ["" = 2]

// -----

// expected-error @+1 {{'pp.mesh' op has 2 axis names but 1 sizes}}
"pp.mesh"() {sym_name = "m", axes = ["a", "b"], shape = array<i64: 2>} : () -> ()

// -----

func.func @unknown_mesh(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.all_reduce' op '@nowhere' does not name a pp.mesh}}
  %0 = pp.all_reduce sum %x over @nowhere["tp"] : tensor<4xf32>
  return
}

// -----

func.func private @not_a_mesh_fn()
func.func @not_a_mesh(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.all_reduce' op '@not_a_mesh_fn' does not name a pp.mesh}}
  %0 = pp.all_reduce sum %x over @not_a_mesh_fn["tp"] : tensor<4xf32>
  return
}

// -----

pp.mesh @world ["pp" = 4, "tp" = 2]
func.func @unknown_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.all_reduce' op mesh @world has no axis 'dp' (axes: pp, tp)}}
  %0 = pp.all_reduce sum %x over @world["dp"] : tensor<4xf32>
  return
}

// -----

pp.mesh @world ["pp" = 4, "tp" = 2]
func.func @axis_twice(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.all_reduce' op axis 'tp' is listed twice}}
  %0 = pp.all_reduce sum %x over @world["tp", "tp"] : tensor<4xf32>
  return
}

// -----

pp.mesh @world ["pp" = 4, "tp" = 2]
func.func @no_axes(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.all_reduce' op names no mesh axes to form a group over}}
  %0 = pp.all_reduce sum %x over @world[] : tensor<4xf32>
  return
}

// -----

pp.mesh @world ["pp" = 8, "tp" = 2]
func.func @peer_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.send' op peer 9 out of range for group of 8}}
  pp.send %x to @world["pp"] peer 9 tag 0 : tensor<4xf32>
  return
}

// -----

pp.mesh @world ["pp" = 8, "tp" = 2]
func.func @negative_peer() -> tensor<4xf32> {
  // expected-error @+1 {{'pp.recv' op peer -1 out of range for group of 8}}
  %0 = pp.recv from @world["pp"] peer -1 tag 0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

pp.mesh @world ["pp" = 4]
func.func @negative_send_tag(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.send' op tag -3 is negative}}
  pp.send %x to @world["pp"] peer 1 tag -3 : tensor<4xf32>
  return
}

// -----

pp.mesh @world ["pp" = 4]
func.func @negative_recv_tag() -> tensor<4xf32> {
  // expected-error @+1 {{'pp.recv' op tag -1 is negative}}
  %0 = pp.recv from @world["pp"] peer 1 tag -1 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

pp.mesh @world ["pp" = 4]
func.func @dynamic_recv() -> tensor<?xf32> {
  // expected-error @+1 {{'pp.recv' op result #0 must be statically shaped tensor of any type values}}
  %0 = pp.recv from @world["pp"] peer 1 tag 0 : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

pp.mesh @world ["tp" = 2]
func.func @avg_of_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{'pp.all_reduce' op reduction 'avg' needs a floating-point element type, got 'i32'}}
  %0 = pp.all_reduce avg %x over @world["tp"] : tensor<4xi32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_reduce_changes_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pp.all_reduce' op failed to verify that all of {input, result} have same type}}
  %0 = "pp.all_reduce"(%x) {kind = 0 : i32, mesh = @world, axes = ["tp"]} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @gather_dim_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_gather' op dim 2 out of range for a rank-2 tensor}}
  %0 = pp.all_gather %x over @world["tp"] dim 2 : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @gather_wrong_size(%x: tensor<4x384xf32>) {
  // expected-error @+1 {{'pp.all_gather' op result shape 4x700 should be 4x768 (gathering dim 1 over a group of 2)}}
  %0 = pp.all_gather %x over @world["tp"] dim 1 : tensor<4x384xf32> -> tensor<4x700xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @gather_changes_element_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_gather' op result element type 'f16' differs from input element type 'f32'}}
  %0 = pp.all_gather %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x16xf16>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @scatter_dim_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.reduce_scatter' op dim -1 out of range for a rank-2 tensor}}
  %0 = pp.reduce_scatter sum %x over @world["tp"] dim -1 : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @scatter_not_divisible(%x: tensor<4x7xf32>) {
  // expected-error @+1 {{'pp.reduce_scatter' op dim 1 of size 7 does not divide by the group size 2}}
  %0 = pp.reduce_scatter sum %x over @world["tp"] dim 1 : tensor<4x7xf32> -> tensor<4x3xf32>
  return
}

// -----

pp.mesh @world ["tp" = 4]
func.func @scatter_wrong_size(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.reduce_scatter' op result shape 4x4 should be 4x2 (scattering dim 1 over a group of 4)}}
  %0 = pp.reduce_scatter sum %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @scatter_avg_of_integers(%x: tensor<4x8xi64>) {
  // expected-error @+1 {{'pp.reduce_scatter' op reduction 'avg' needs a floating-point element type, got 'i64'}}
  %0 = pp.reduce_scatter avg %x over @world["tp"] dim 1 : tensor<4x8xi64> -> tensor<4x4xi64>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @scatter_changes_element_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.reduce_scatter' op result element type 'bf16' differs from input element type 'f32'}}
  %0 = pp.reduce_scatter sum %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x4xbf16>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_to_all_split_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_to_all' op split dim 5 out of range for a rank-2 tensor}}
  %0 = pp.all_to_all %x over @world["tp"] split 5 concat 0 : tensor<4x8xf32> -> tensor<8x4xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_to_all_concat_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_to_all' op concat dim 2 out of range for a rank-2 tensor}}
  %0 = pp.all_to_all %x over @world["tp"] split 1 concat 2 : tensor<4x8xf32> -> tensor<8x4xf32>
  return
}

// -----

pp.mesh @world ["tp" = 3]
func.func @all_to_all_not_divisible(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_to_all' op dim 1 of size 8 does not divide by the group size 3}}
  %0 = pp.all_to_all %x over @world["tp"] split 1 concat 0 : tensor<4x8xf32> -> tensor<12x2xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_to_all_wrong_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_to_all' op result shape 4x8 should be 8x4 (moving a split of dim 1 to dim 0 over a group of 2)}}
  %0 = pp.all_to_all %x over @world["tp"] split 1 concat 0 : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_to_all_changes_element_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_to_all' op result element type 'i32' differs from input element type 'f32'}}
  %0 = pp.all_to_all %x over @world["tp"] split 1 concat 0 : tensor<4x8xf32> -> tensor<8x4xi32>
  return
}

// -----

// expected-error @+1 {{mesh axis 'tp' is used more than once in a sharding}}
func.func @sharding_axis_twice() attributes {s = #pp.sharding<@world, [["tp"], ["tp"]]>}

// -----

// expected-error @+1 {{mesh axis 'tp' is used more than once in a sharding}}
func.func @sharding_split_and_partial() attributes {s = #pp.sharding<@world, [["tp"]], partial sum ["tp"]>}

// -----

// expected-error @+1 {{mesh axes must be strings, got 3 : i64}}
func.func @sharding_axis_not_string() attributes {s = #pp.sharding<@world, [[3]]>}

// -----

// expected-error @+1 {{each dimension needs a list of mesh axes}}
func.func @sharding_dim_not_list() attributes {s = #pp.sharding<@world, ["tp"]>}

// -----

// expected-error @+1 {{unknown reduction 'prod'}}
func.func @sharding_unknown_reduction() attributes {s = #pp.sharding<@world, [[]], partial prod ["tp"]>}

// -----

// expected-error @+1 {{stage index -1 is negative}}
func.func @negative_stage() attributes {pp.stage = #pp.stage<-1>}

// -----

pp.mesh @world ["tp" = 3]
func.func @all_slice_not_divisible(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_slice' op dim 1 of size 8 does not divide by the group size 3}}
  %0 = pp.all_slice %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x2xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_slice_wrong_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_slice' op result shape 4x8 should be 4x4 (slicing dim 1 over a group of 2)}}
  %0 = pp.all_slice %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_slice_dim_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_slice' op dim 2 out of range for a rank-2 tensor}}
  %0 = pp.all_slice %x over @world["tp"] dim 2 : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @all_slice_changes_element_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'pp.all_slice' op result element type 'f16' differs from input element type 'f32'}}
  %0 = pp.all_slice %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x4xf16>
  return
}

// -----

func.func @group_index_unknown_mesh() {
  // expected-error @+1 {{'pp.group_index' op '@world' does not name a pp.mesh}}
  %0 = pp.group_index over @world["tp"] : tensor<i64>
  return
}

// -----

pp.mesh @world ["pp" = 2, "tp" = 2]
func.func @group_index_unknown_axis() {
  // expected-error @+1 {{'pp.group_index' op mesh @world has no axis 'dp' (axes: pp, tp)}}
  %0 = pp.group_index over @world["dp"] : tensor<i64>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @group_index_axis_twice() {
  // expected-error @+1 {{'pp.group_index' op axis 'tp' is listed twice}}
  %0 = pp.group_index over @world["tp", "tp"] : tensor<i64>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @group_index_no_axes() {
  // expected-error @+1 {{'pp.group_index' op names no mesh axes to form a group over}}
  %0 = pp.group_index over @world[] : tensor<i64>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @group_index_not_scalar() {
  // expected-error @+1 {{'pp.group_index' op result #0 must be 0D tensor of 64-bit signless integer values}}
  %0 = pp.group_index over @world["tp"] : tensor<1xi64>
  return
}

// -----

pp.mesh @world ["tp" = 2]
func.func @group_index_not_i64() {
  // expected-error @+1 {{'pp.group_index' op result #0 must be 0D tensor of 64-bit signless integer values}}
  %0 = pp.group_index over @world["tp"] : tensor<i32>
  return
}
