// RUN: pp-opt %s --split-input-file --pp-split-stages --verify-diagnostics | FileCheck %s

// Four stages over two pipeline ranks placed in a V (pp.placement = "v"):
// stages 0 and 3 run on rank 0, stages 1 and 2 on rank 1. Peers come from
// the StageMap: down the V, back up it, and at the turn (1 -> 2) rank 1
// sends to itself, which the runtime hands over in memory.

// CHECK-LABEL: func.func @stage0
// CHECK: pp.send %{{.*}} to @world["pp"] peer 1 tag 0
// CHECK-LABEL: func.func @stage1
// CHECK: pp.recv from @world["pp"] peer 0 tag 0
// CHECK: pp.send %{{.*}} to @world["pp"] peer 1 tag 1
// CHECK-LABEL: func.func @stage2
// CHECK: pp.recv from @world["pp"] peer 1 tag 1
// CHECK: pp.send %{{.*}} to @world["pp"] peer 0 tag 2
// CHECK-LABEL: func.func @stage3
// CHECK: pp.recv from @world["pp"] peer 1 tag 2
// CHECK-NOT: pp.send
module attributes {pp.placement = "v"} {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x8xf32>
    %h0 = pp.matmul %x, %w {pp.stage = #pp.stage<0>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h1 = pp.matmul %h0, %w {pp.stage = #pp.stage<1>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h2 = pp.matmul %h1, %w {pp.stage = #pp.stage<2>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h3 = pp.matmul %h2, %w {pp.stage = #pp.stage<3>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    return %h3 : tensor<2x8xf32>
  }
}

// -----

// The same stages in a loop: 0 and 2 on rank 0, 1 and 3 on rank 1.

// CHECK-LABEL: pp.placement = "loop"
// CHECK-LABEL: func.func @stage1
// CHECK: pp.send %{{.*}} to @world["pp"] peer 0 tag 1
// CHECK-LABEL: func.func @stage2
// CHECK: pp.recv from @world["pp"] peer 1 tag 1
// CHECK: pp.send %{{.*}} to @world["pp"] peer 1 tag 2
module attributes {pp.placement = "loop"} {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x8xf32>
    %h0 = pp.matmul %x, %w {pp.stage = #pp.stage<0>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h1 = pp.matmul %h0, %w {pp.stage = #pp.stage<1>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h2 = pp.matmul %h1, %w {pp.stage = #pp.stage<2>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h3 = pp.matmul %h2, %w {pp.stage = #pp.stage<3>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    return %h3 : tensor<2x8xf32>
  }
}

// -----

// expected-error @+1 {{pp.placement must be "loop" or "v", got "w"}}
module attributes {pp.placement = "w"} {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x8xf32>
    %h0 = pp.matmul %x, %w {pp.stage = #pp.stage<0>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h1 = pp.matmul %h0, %w {pp.stage = #pp.stage<1>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    return %h1 : tensor<2x8xf32>
  }
}

// -----

// expected-error @+1 {{3 stages do not divide over 2 pipeline ranks}}
module {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @main(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %w = pp.weight "w" from "w.bin" offset 0 : tensor<8x8xf32>
    %h0 = pp.matmul %x, %w {pp.stage = #pp.stage<0>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h1 = pp.matmul %h0, %w {pp.stage = #pp.stage<1>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    %h2 = pp.matmul %h1, %w {pp.stage = #pp.stage<2>} : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
    return %h2 : tensor<2x8xf32>
  }
}
