// RUN: pp-opt %s --split-input-file --pp-build-schedule='schedule=1f1b microbatches=4' | FileCheck %s --check-prefix=ONEF
// RUN: pp-opt %s --split-input-file --pp-build-schedule='schedule=%S/Inputs/forward-2x2.sched microbatches=2' | FileCheck %s --check-prefix=FILE

// The forward-only 1F1B of 2 ranks and 4 micro-batches, and a hand-written
// schedule file, become the module's pp.schedule.

// ONEF: module attributes {pp.microbatches = 4 : i64, pp.schedule_name = "1f1b"}
// ONEF: pp.schedule "1f1b" microbatches 4 chunks 1 placement "loop" ranks
// ONEF-SAME: ["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1", "F2.0", "SEND F2.0->1", "F3.0", "SEND F3.0->1"]
// ONEF-SAME: ["RECV F0.0<-0", "F0.0", "RECV F1.0<-0", "F1.0", "RECV F2.0<-0", "F2.0", "RECV F3.0<-0", "F3.0"]]
// FILE: pp.schedule "mine" microbatches 2 chunks 1 placement "loop" ranks
// FILE-SAME: ["F0.0", "SEND F0.0->1", "F1.0", "SEND F1.0->1"]
pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
func.func @stage0() attributes {pp.stage = #pp.stage<0>} {
  return
}
func.func @stage1() attributes {pp.stage = #pp.stage<1>} {
  return
}
