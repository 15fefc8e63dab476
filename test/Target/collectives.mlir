// RUN: rm -rf %t && pp-opt %s --target=cpu --emit=source -o %t/cpu
// RUN: FileCheck %s --check-prefixes=CHECK,CPU < %t/cpu/src/program.cpp
// RUN: pp-opt %s --target=cuda --emit=source -o %t/cuda
// RUN: FileCheck %s --check-prefixes=CHECK,CUDA < %t/cuda/src/program.cu

// Collectives call the runtime's Comm with the group as a mask of mesh axes
// (dp = 1u, pp = 2u, tp = 4u). all_reduce works in place on a copy;
// all_slice and group_index need no communication, only the rank's index
// in its group.

// CUDA: __global__ void setIndex0(int64_t *out, int64_t value) { *out = value; }
// CHECK-LABEL: void runModel(
// CHECK:       // all_reduce: pp.all_reduce
// CHECK:         copyStrided(ctx, (char *)outputs[0] + 0, dstStrides, (const char *)inputs[0] + (0) * 4, srcStrides, shape, 1, 4);
// CHECK:       pprt::allReduce(ctx, outputs[0], 32, pprt::DType::F32, pprt::CollectiveOp::Sum, 4u, "all_reduce (pp.all_reduce)");
// CHECK-NEXT:  // all_gather: pp.all_gather
// CHECK-NEXT:  pprt::allGather(ctx, outputs[1], inputs[0], 128, 1u, "all_gather (pp.all_gather)");
// CHECK-NEXT:  // reduce_scatter: pp.reduce_scatter
// CHECK-NEXT:  pprt::reduceScatter(ctx, (arena + 0), inputs[0], 8, pprt::DType::F32, pprt::CollectiveOp::Max, 5u, "reduce_scatter (pp.reduce_scatter)");
// CHECK-NEXT:  // all_slice: pp.all_slice
// CHECK-NEXT:  {
// CHECK-NEXT:    static const int64_t shape[] = {4, 4};
// CHECK-NEXT:    static const int64_t dstStrides[] = {4, 1};
// CHECK-NEXT:    static const int64_t srcStrides[] = {8, 1};
// CHECK-NEXT:    copyStrided(ctx, (char *)outputs[3] + 0, dstStrides, (const char *)inputs[0] + (pprt::indexInGroup(ctx, 4u) * 4) * 4, srcStrides, shape, 2, 4);
// CHECK-NEXT:  }
// CHECK-NEXT:  // group_index: pp.group_index
// CPU-NEXT:    *(int64_t *)outputs[4] = pprt::indexInGroup(ctx, 4u);
// CUDA-NEXT:   setIndex0<<<1, 1, 0, (cudaStream_t)ctx.stream>>>((int64_t *)outputs[4], pprt::indexInGroup(ctx, 4u));
// CUDA-NEXT:   PPRT_CUDA_CHECK(cudaGetLastError());

pp.mesh @world ["dp" = 2, "pp" = 1, "tp" = 2]
func.func @main(%x: tensor<4x8xf32> {pp.name = "x"}) -> (tensor<4x8xf32> {pp.name = "sum"}, tensor<8x8xf32> {pp.name = "gathered"}, tensor<2x8xf32> {pp.name = "scattered"}, tensor<4x4xf32> {pp.name = "own"}, tensor<i64> {pp.name = "index"}) {
  %0 = pp.all_reduce sum %x over @world["tp"] : tensor<4x8xf32> loc("all_reduce")
  %1 = pp.all_gather %x over @world["dp"] dim 0 : tensor<4x8xf32> -> tensor<8x8xf32> loc("all_gather")
  %2 = pp.reduce_scatter max %x over @world["dp", "tp"] dim 0 : tensor<4x8xf32> -> tensor<1x8xf32> loc("reduce_scatter")
  %3 = pp.all_slice %x over @world["tp"] dim 1 : tensor<4x8xf32> -> tensor<4x4xf32> loc("all_slice")
  %4 = pp.group_index over @world["tp"] : tensor<i64> loc("group_index")
  %5 = pp.concat %2, %2 dim 0 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %0, %1, %5, %3, %4 : tensor<4x8xf32>, tensor<8x8xf32>, tensor<2x8xf32>, tensor<4x4xf32>, tensor<i64>
}
