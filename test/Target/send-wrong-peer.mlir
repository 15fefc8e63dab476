// RUN: rm -rf %t && not pp-opt %s --target=cpu --emit=source -o %t 2>&1 | FileCheck %s

// The emitter sends only to the pipeline rank that runs the next stage:
// with 2 pipeline ranks, stage 1 runs on rank 1.

// CHECK: error: peer 0 does not run stage 1; pipeline rank 1 does
module attributes {pp.batch = {factor = 1 : i64, size = 2 : i64}, pp.inputs = [tensor<2xf32>], pp.input_attrs = [{pp.name = "x"}]} {
  pp.mesh @world ["pp" = 2]
  func.func @stage0(%x: tensor<2xf32> {pp.input_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
    pp.send %x to @world["pp"] peer 0 tag 0 : tensor<2xf32>
    return
  }
  func.func @stage1() -> (tensor<2xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<1>} {
    %h = pp.recv from @world["pp"] peer 0 tag 0 : tensor<2xf32>
    return %h : tensor<2xf32>
  }
}
