// RUN: pp-opt %s --split-input-file --pp-build-schedule='schedule=zbv microbatches=4' --verify-diagnostics
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-build-schedule='schedule=interleaved microbatches=3' 2>&1 | FileCheck %s --check-prefix=INTERLEAVED
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-build-schedule='schedule=fancy' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-build-schedule='schedule=%S/Inputs/train-1f1b.sched' 2>&1 | FileCheck %s --check-prefix=TRAIN
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-build-schedule='schedule=%S/Inputs/forward-2x2.sched microbatches=4' 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-build-schedule='schedule=1f1b microbatches=4' 2>&1 | FileCheck %s --check-prefix=LOOP
// RUN: %expect-exit 1 pp-opt %s --split-input-file --pp-build-schedule='schedule=%S/Inputs/forward-v-2x2.sched microbatches=2' 2>&1 | FileCheck %s --check-prefix=VFILE

// Every error of pp-build-schedule. The first RUN line checks the zbv one
// in place; the others are matched on pp-opt's output.

// INTERLEAVED: error: schedule interleaved with 2 pipeline ranks, 2 chunks per rank and 3 micro-batches:
// UNKNOWN: error: schedule 'fancy' is neither
// TRAIN: has backward (B/W) actions; pp compiles inference programs
// SHAPE: schedules 2 ranks x 1 chunks and 2 micro-batches, but the program has 2 pipeline ranks x 2 chunks and 4 micro-batches
// LOOP: error: schedule 1f1b places chunks in a loop, but the stage functions are wired in a v (pp-partition-stages placement=v)
// VFILE: forward-v-2x2.sched places chunks in a v, but the stage functions are wired in a loop (pp-partition-stages placement=loop)

// expected-error @+1 {{schedule zbv places chunks in a v, but the stage functions are wired in a loop (pp-partition-stages placement=loop)}}
module {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @stage0() attributes {pp.stage = #pp.stage<0>} { return }
  func.func @stage1() attributes {pp.stage = #pp.stage<1>} { return }
  func.func @stage2() attributes {pp.stage = #pp.stage<2>} { return }
  func.func @stage3() attributes {pp.stage = #pp.stage<3>} { return }
}

// -----

// expected-error @+1 {{pp-build-schedule needs stage functions and pp.mesh @world with a "pp" axis}}
module {
  func.func @main() { return }
}

// -----

// 1f1b on stages wired in a V (the LOOP line above); zbv needs two chunks.
// expected-error @+1 {{zbv runs exactly 2 virtual stages per rank (got 1)}}
module attributes {pp.placement = "v"} {
  pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
  func.func @stage0() attributes {pp.stage = #pp.stage<0>} { return }
  func.func @stage1() attributes {pp.stage = #pp.stage<1>} { return }
}
