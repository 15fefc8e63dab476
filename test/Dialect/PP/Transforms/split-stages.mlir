// RUN: pp-opt %s --split-input-file --pp-split-stages --verify-diagnostics | FileCheck %s

// Two stages: the residual stream crosses by send/recv with tag 0; the mask
// (built from an input, off the stream) is recomputed by the stage that
// reads it; inputs and outputs keep their graph positions.

// CHECK: pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
// CHECK-LABEL: func.func @stage0
// CHECK-SAME: (%[[IDS:.*]]: tensor<2x4xi64> {pp.input_index = 0 : i64, pp.name = "ids"})
// CHECK-SAME: attributes {pp.stage = #pp.stage<0>}
// CHECK: %[[X:.*]] = pp.gather %{{.*}}[%[[IDS]]]
// CHECK: %[[H:.*]] = pp.add %[[X]]
// CHECK-NEXT: pp.send %[[H]] to @world["pp"] peer 1 tag 0 : tensor<2x4x8xf32>
// CHECK-NEXT: return
// CHECK-LABEL: func.func @stage1
// CHECK-SAME: (%[[M:.*]]: tensor<2x4xi64> {pp.input_index = 1 : i64, pp.name = "mask"})
// CHECK-SAME: -> (tensor<2x4x8xf32> {pp.name = "y", pp.output_index = 0 : i64})
// CHECK-NEXT: %[[IN:.*]] = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2x4x8xf32>
// CHECK: %[[MASK:.*]] = pp.cast %[[M]]
// CHECK-NEXT: %[[MASK3:.*]] = pp.reshape %[[MASK]]
// CHECK-NEXT: %[[H:.*]] = pp.matmul %[[IN]], %{{.*}} : (tensor
// CHECK-NEXT: %[[G:.*]] = pp.mul %[[H]], %[[MASK3]] : (tensor
// CHECK-NEXT: %[[Y:.*]] = pp.add %[[IN]], %[[G]] : (tensor
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: func.func @main
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @main(%ids: tensor<2x4xi64> {pp.name = "ids"}, %m: tensor<2x4xi64> {pp.name = "mask"}) -> (tensor<2x4x8xf32> {pp.name = "y"}) {
  %emb = pp.weight "emb" from "w.bin" offset 0 : tensor<16x8xf32>
  %w0 = pp.weight "w0" from "w.bin" offset 512 : tensor<8x8xf32>
  %w1 = pp.weight "w1" from "w.bin" offset 768 : tensor<8x8xf32>
  %mask = pp.cast %m : tensor<2x4xi64> -> tensor<2x4xf32>
  %mask3 = pp.reshape %mask : tensor<2x4xf32> -> tensor<2x4x1xf32>
  %x = pp.gather %emb[%ids] dim 0 {pp.stage = #pp.stage<0>} : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32>
  %h0 = pp.matmul %x, %w0 {pp.stage = #pp.stage<0>} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %x1 = pp.add %x, %h0 {pp.stage = #pp.stage<0>} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %h1 = pp.matmul %x1, %w1 {pp.stage = #pp.stage<1>} : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %g1 = pp.mul %h1, %mask3 {pp.stage = #pp.stage<1>} : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y = pp.add %x1, %g1 {pp.stage = #pp.stage<1>} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// Two values crossing one boundary: not a residual-stream cut.
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %w0 = pp.weight "w0" from "w.bin" offset 0 : tensor<8x8xf32>
  // expected-error @+1 {{stage 1 reads more than one value from earlier stages; only the residual stream may cross a boundary}}
  %a = pp.matmul %x, %w0 {pp.stage = #pp.stage<0>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  %b = pp.matmul %a, %w0 {pp.stage = #pp.stage<0>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  %c = pp.add %a, %b {pp.stage = #pp.stage<1>} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %c : tensor<2x8xf32>
}

// -----

pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %w0 = pp.weight "w0" from "w.bin" offset 0 : tensor<8x8xf32>
  // expected-error @+1 {{stream op has no pp.stage; run pp-partition-stages}}
  %a = pp.matmul %x, %w0 : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  return %a : tensor<2x8xf32>
}

// -----

// expected-error @+1 {{pp-split-stages needs @main and pp.mesh @world with a "pp" axis; run pp-partition-stages first}}
module {
  func.func @main() {
    return
  }
}
