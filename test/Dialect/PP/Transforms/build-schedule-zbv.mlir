// RUN: pp-opt %s --pp-build-schedule='schedule=zbv microbatches=2' | FileCheck %s
// RUN: pp-opt %s --pp-build-schedule='schedule=%S/Inputs/forward-v-2x2.sched microbatches=2' | FileCheck %s --check-prefix=FILE

// Stages wired in a V take zbv's forward-only order: its compute order
// without B and W, messages placed for the forwards. Rank 1 runs both
// chunks of a micro-batch back to back (F0.0 then F0.1: the turn of the V
// needs no message); a schedule file with placement=v fits as well.

// CHECK: pp.schedule "zbv" microbatches 2 chunks 2 placement "v" ranks
// CHECK-SAME: ["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1", "RECV F0.1<-1", "F0.1", "RECV F1.1<-1", "F1.1"]
// CHECK-SAME: ["RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "F0.1", "SEND F0.1->0", "F1.0", "F1.1", "SEND F1.1->0"]]
// FILE: pp.schedule "v-by-hand" microbatches 2 chunks 2 placement "v"
module attributes {pp.placement = "v"} {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @stage0() attributes {pp.stage = #pp.stage<0>} { return }
  func.func @stage1() attributes {pp.stage = #pp.stage<1>} { return }
  func.func @stage2() attributes {pp.stage = #pp.stage<2>} { return }
  func.func @stage3() attributes {pp.stage = #pp.stage<3>} { return }
}
