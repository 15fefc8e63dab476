// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t
// RUN: FileCheck %s < %t/src/program.cpp

// A generation step's row offsets are the step's position, a host value:
// pp.step_slice reads rows ctx.position.. of its input, and pp.cache_write
// copies the chunk into the cache argument (its input buffer) at
// ctx.position, with no output copy of the cache.

// CHECK-LABEL: void runStage0(
// CHECK:       // table: pp.step_slice
// CHECK:       pprt::cpu::copyStrided(ctx, (char *)(arena + {{[0-9]+}}) + 0, dstStrides, (const char *)weights[0] + (ctx.position * 8) * 4, srcStrides, shape, 2, 4);
// CHECK:       // write: pp.cache_write
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {2, 1, 8};
// CHECK-NEXT:    static const int64_t dstStrides[] = {128, 8, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {8, 8, 1};
// CHECK-NEXT:    pprt::cpu::copyStrided(ctx, (char *)inputs[1] + (ctx.position * 8) * 4, dstStrides
// CHECK: .decode = nullptr

module attributes {pp.inputs = [tensor<2x1x8xf32>, tensor<2x16x8xf32>], pp.input_attrs = [{pp.name = "x"}, {pp.name = "cache", pp.generation = "kv_cache"}]} {
  pp.mesh @world ["pp" = 1]
  func.func @stage0(%x: tensor<2x1x8xf32> {pp.input_index = 0 : i64}, %cache: tensor<2x16x8xf32> {pp.input_index = 1 : i64}) -> (tensor<2x16x8xf32> {pp.output_index = 0 : i64}) attributes {pp.stage = #pp.stage<0>} {
    %table = pp.weight "table" from "m.onnx" offset 0 : tensor<16x8xf32>
    %row = pp.step_slice %table dim 0 : tensor<16x8xf32> -> tensor<1x8xf32> loc("table")
    %y = pp.add %x, %row : (tensor<2x1x8xf32>, tensor<1x8xf32>) -> tensor<2x1x8xf32>
    %c = pp.cache_write %cache, %y dim 1 : (tensor<2x16x8xf32>, tensor<2x1x8xf32>) -> tensor<2x16x8xf32> loc("write")
    %z = pp.mul %c, %c : (tensor<2x16x8xf32>, tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
    return %z : tensor<2x16x8xf32>
  }
}
