// RUN: pp-opt %s --pp-partition-stages="num-stages=2" | FileCheck %s --check-prefix=BALANCED
// RUN: pp-opt %s --pp-partition-stages="num-stages=3 stage-layers=1,1,2" | FileCheck %s --check-prefix=MANUAL
// RUN: pp-opt %s --pp-partition-stages="num-stages=2 dp=2 tp=4" | FileCheck %s --check-prefix=MESH
// RUN: %expect-exit 1 pp-opt %s --pp-partition-stages="num-stages=2 hardware=tpu-v9" 2>&1 | FileCheck %s --check-prefix=HW
// HW: error: {{.*}}tpu-v9
// RUN: pp-opt %s --pp-partition-stages="num-stages=2 virtual-stages=2 placement=v" | FileCheck %s --check-prefix=V

// The placement is recorded on the module for the passes after: a loop by
// default, a V when asked (the stage numbers stay in model order).
// BALANCED: module attributes {pp.placement = "loop"}
// V: module attributes {pp.placement = "v"}
// V-COUNT-2: pp.matmul {{.*}} {pp.stage = #pp.stage<{{[0-3]}}>}

// Four layers named /layers.N/ between an embedding and a head. The mask
// built from an input (no weight) is off the stream and gets no stage.

// Balanced by roofline time on h100-sxm: at these tiny sizes every op is
// memory-bound, so two layers each, the embedding and the head included.
// BALANCED: pp.mesh @world ["dp" = 1, "pp" = 2, "tp" = 1]
// BALANCED-LABEL: func.func @main
// BALANCED-SAME: pp.layer_source = "names"
// BALANCED-SAME: pp.stage_layers = array<i64: 2, 2>
// BALANCED: pp.cast %{{.*}} : tensor<2x4xi64> -> tensor<2x4xf32>
// BALANCED-NEXT: pp.reshape %{{.*}} : tensor
// BALANCED-NEXT: pp.gather {{.*}} {pp.stage = #pp.stage<0>}
// BALANCED-COUNT-2: pp.matmul {{.*}} {pp.stage = #pp.stage<0>}
// BALANCED: pp.add {{.*}} {pp.stage = #pp.stage<0>}
// BALANCED-NEXT: pp.matmul {{.*}} {pp.stage = #pp.stage<1>}
// BALANCED-NEXT: pp.add {{.*}} {pp.stage = #pp.stage<1>}
// BALANCED-NEXT: pp.matmul {{.*}} {pp.stage = #pp.stage<1>}
// BALANCED-NEXT: pp.add {{.*}} {pp.stage = #pp.stage<1>}
// BALANCED-NEXT: pp.matmul {{.*}} {pp.stage = #pp.stage<1>} : (tensor<2x4x8xf32>, tensor<8x16xf32>)

// MANUAL: pp.stage_layers = array<i64: 1, 1, 2>
// MANUAL: pp.gather {{.*}} {pp.stage = #pp.stage<0>}
// MANUAL-NEXT: pp.matmul {{.*}} {pp.stage = #pp.stage<0>}
// MANUAL-NEXT: pp.mul {{.*}} {pp.stage = #pp.stage<0>}
// MANUAL-NEXT: pp.add {{.*}} {pp.stage = #pp.stage<0>}
// MANUAL-NEXT: pp.matmul {{.*}} {pp.stage = #pp.stage<1>}
// MANUAL-NEXT: pp.add {{.*}} {pp.stage = #pp.stage<1>}
// MANUAL-NEXT: pp.matmul {{.*}} {pp.stage = #pp.stage<2>}

// MESH: pp.mesh @world ["dp" = 2, "pp" = 2, "tp" = 4]

func.func @main(%ids: tensor<2x4xi64>, %m: tensor<2x4xi64>) -> tensor<2x4x16xf32> {
  %emb = pp.weight "emb" from "w.bin" offset 0 : tensor<16x8xf32> loc("/emb/w")
  %w0 = pp.weight "w0" from "w.bin" offset 512 : tensor<8x8xf32> loc("/layers.0/w")
  %w1 = pp.weight "w1" from "w.bin" offset 768 : tensor<8x8xf32> loc("/layers.1/w")
  %w2 = pp.weight "w2" from "w.bin" offset 1024 : tensor<8x8xf32> loc("/layers.2/w")
  %w3 = pp.weight "w3" from "w.bin" offset 1280 : tensor<8x8xf32> loc("/layers.3/w")
  %head = pp.weight "head" from "w.bin" offset 1536 : tensor<8x16xf32> loc("/head/w")
  %mask = pp.cast %m : tensor<2x4xi64> -> tensor<2x4xf32> loc("/mask/Cast")
  %mask3 = pp.reshape %mask : tensor<2x4xf32> -> tensor<2x4x1xf32> loc("/mask/Reshape")
  %x = pp.gather %emb[%ids] dim 0 : (tensor<16x8xf32>, tensor<2x4xi64>) -> tensor<2x4x8xf32> loc("/emb/Gather")
  %h0 = pp.matmul %x, %w0 : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32> loc("/layers.0/mm")
  %g0 = pp.mul %h0, %mask3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32> loc("/layers.0/mask")
  %x1 = pp.add %x, %g0 : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32> loc("/layers.0/add")
  %h1 = pp.matmul %x1, %w1 : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32> loc("/layers.1/mm")
  %x2 = pp.add %x1, %h1 : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32> loc("/layers.1/add")
  %h2 = pp.matmul %x2, %w2 : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32> loc("/layers.2/mm")
  %x3 = pp.add %x2, %h2 : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32> loc("/layers.2/add")
  %h3 = pp.matmul %x3, %w3 : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32> loc("/layers.3/mm")
  %x4 = pp.add %x3, %h3 : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32> loc("/layers.3/add")
  %y = pp.matmul %x4, %head : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32> loc("/head/mm")
  return %y : tensor<2x4x16xf32>
}

