// A hardware description given by path, with round numbers: 4 GPUs per
// node, 100 GB/s and 1 us inside a node, 4 x 80 Gb/s adapters per node
// (10 GB/s per GPU) and 10 us between nodes. Mesh ["dp" = 2, "tp" = 4]:
// each tp group fills one node, each dp group spans two.

// RUN: pp-opt %s --pp-print-cost="hardware=%S/Inputs/tiny-gpu.json per-op" \
// RUN:   -o /dev/null | FileCheck %s

// CHECK: hardware tiny-gpu ({{.*}}tiny-gpu.json): Round numbers for tests
// CHECK-NEXT: peak TFLOP/s: f32 10, bf16 100, f16 100
// CHECK-NEXT: HBM 1000 GB/s, 16.0 GiB per GPU; 4 GPUs per node
// CHECK-NEXT: intra-node test-link: 100 GB/s, 1 us per step
// CHECK-NEXT: inter-node test-net: 10 GB/s per GPU, 10 us per step

// CHECK-LABEL: func @main
// 2 * 64 * 1024 * 1024 FLOPs at 100 TFLOP/s (1.342 us) beat
// (128 KiB + 2 MiB + 128 KiB) at 1 TB/s (2.359 us): memory-bound.
// CHECK: pp.matmul 134217728 2359296 0 - - - - 2.359 mm
// Reduce-scatter in a node: S = 128 KiB, 3/4 of it per rank, 3 steps:
// 3 us + 98304 B / 100 GB/s = 3.983 us.
// CHECK-NEXT: pp.reduce_scatter - - - 131072 98304 4 test-link 3.983 rs
// All-gather in a node, back to 128 KiB.
// CHECK-NEXT: pp.all_gather - - - 131072 98304 4 test-link 3.983 ag
// All-reduce over dp spans both nodes: 2 * 1/2 * 128 KiB in 2 steps:
// 20 us + 131072 B / 10 GB/s = 33.107 us.
// CHECK-NEXT: pp.all_reduce - - - 131072 131072 2 test-net 33.107 ar
// All-to-all in a node: 3/4 of the 128 KiB.
// CHECK-NEXT: pp.all_to_all - - - 131072 98304 4 test-link 3.983 a2a
// 4 FLOPs per element for exp, memory-bound: 256 KiB at 1 TB/s.
// CHECK-NEXT: pp.exp 262144 262144 0 - - - - 0.262 exp
// CHECK-NEXT: totals for @main:
// CHECK-NEXT: ops 6
// CHECK: comm ops 4
// CHECK-NEXT: comm bytes/rank 425984 (416.0 KiB)

pp.mesh @world ["dp" = 2, "tp" = 4]
func.func @main(%x: tensor<64x1024xf16>, %w: tensor<1024x1024xf16>) -> tensor<64x1024xf16> {
  %y = pp.matmul %x, %w : (tensor<64x1024xf16>, tensor<1024x1024xf16>) -> tensor<64x1024xf16> loc("mm")
  %s = pp.reduce_scatter sum %y over @world["tp"] dim 1 : tensor<64x1024xf16> -> tensor<64x256xf16> loc("rs")
  %g = pp.all_gather %s over @world["tp"] dim 1 : tensor<64x256xf16> -> tensor<64x1024xf16> loc("ag")
  %r = pp.all_reduce sum %g over @world["dp"] : tensor<64x1024xf16> loc("ar")
  %t = pp.all_to_all %r over @world["tp"] split 1 concat 0 : tensor<64x1024xf16> -> tensor<256x256xf16> loc("a2a")
  %e = pp.exp %y : tensor<64x1024xf16> loc("exp")
  return %e : tensor<64x1024xf16>
}
