// Which ranks run a stage comes from the module's placement (StageMap).
// Stages in a V over ["pp" = 8] on 4-GPU nodes (tiny-gpu.json): stage 8
// is chunk 1 of rank 7, the rank of stage 7, so its recv from rank 7 is
// the turn of the V and costs nothing (no comm op); stage 12 runs on rank 3
// (in a loop it would be rank 4, in the other node), so its message to
// stage 13 on rank 2 stays inside node 0.

// RUN: pp-opt %s --pp-print-cost="hardware=%S/Inputs/tiny-gpu.json per-op" \
// RUN:   -o /dev/null | FileCheck %s

// CHECK-LABEL: func @stage8
// CHECK-NOT: pp.recv
// CHECK: comm ops          0
// CHECK-LABEL: func @stage12
// 1 us + 65536 B / 100 GB/s = 1.655 us.
// CHECK: pp.send - - - 65536 65536 8 test-link 1.655 down
module attributes {pp.placement = "v"} {
  pp.mesh @world ["dp" = 1, "pp" = 8, "tp" = 1]
  func.func @stage8() -> tensor<16x1024xf32> attributes {pp.stage = #pp.stage<8>} {
    %x = pp.recv from @world["pp"] peer 7 tag 7 : tensor<16x1024xf32> loc("turn")
    return %x : tensor<16x1024xf32>
  }
  func.func @stage12(%y: tensor<16x1024xf32>) attributes {pp.stage = #pp.stage<12>} {
    pp.send %y to @world["pp"] peer 2 tag 12 : tensor<16x1024xf32> loc("down")
    return
  }
}
