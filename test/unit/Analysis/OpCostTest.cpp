//===- OpCostTest.cpp - per-op costs, range sums and parameter use -------===//

#include "pp/Analysis/OpCost.h"
#include "pp/Analysis/OpRangeCost.h"
#include "pp/Analysis/ParamUse.h"
#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::pp;

namespace {

// Stage 1 of a ["pp" = 4, "tp" = 4] mesh on 8-GPU nodes runs on ranks
// 4..7: its tp group is inside node 0, its message to stage 2 crosses to
// node 1.
const char *kModule = R"mlir(
pp.mesh @world ["pp" = 4, "tp" = 4]
func.func @stage1(%x: tensor<1x1x8192xf16>, %ids: tensor<1x4xi64>)
    attributes {pp.stage = #pp.stage<1>} {
  %in = pp.recv from @world["pp"] peer 0 tag 0 : tensor<1x1x8192xf16>
  %wq = pp.weight "wq" from "m.bin" offset 0 : tensor<8192x2048xf16>
  %q = pp.matmul %in, %wq : (tensor<1x1x8192xf16>, tensor<8192x2048xf16>) -> tensor<1x1x2048xf16>
  %e = pp.exp %q : tensor<1x1x2048xf16>
  %a = pp.add %q, %e : (tensor<1x1x2048xf16>, tensor<1x1x2048xf16>) -> tensor<1x1x2048xf16>
  %wo = pp.weight "wo" from "m.bin" offset 1 : tensor<2048x8192xf16>
  %o = pp.matmul %a, %wo : (tensor<1x1x2048xf16>, tensor<2048x8192xf16>) -> tensor<1x1x8192xf16>
  %r = pp.all_reduce sum %o over @world["tp"] : tensor<1x1x8192xf16>
  %g = pp.all_gather %q over @world["tp"] dim 2 : tensor<1x1x2048xf16> -> tensor<1x1x8192xf16>
  %rs = pp.reduce_scatter sum %r over @world["tp"] dim 2 : tensor<1x1x8192xf16> -> tensor<1x1x2048xf16>
  %t = pp.all_to_all %g over @world["tp"] split 2 concat 1 : tensor<1x1x8192xf16> -> tensor<1x4x2048xf16>
  pp.send %r to @world["pp"] peer 2 tag 1 : tensor<1x1x8192xf16>
  return
}
func.func @kernels(%s: tensor<2x4x16x16xf32>, %x: tensor<8x16x64xf32>, %ids: tensor<8x16xi64>) {
  %p = pp.softmax %s dim 3 : tensor<2x4x16x16xf32>
  %g = pp.constant dense<1.0> : tensor<64xf32>
  %b = pp.constant dense<0.0> : tensor<64xf32>
  %ln = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  %ln2 = pp.layer_norm %x, %g dim 2 epsilon 1.0e-05 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  %rms = pp.rms_norm %x, %g epsilon 1.0e-06 : (tensor<8x16x64xf32>, tensor<64xf32>) -> tensor<8x16x64xf32>
  %sum = pp.reduce sum %x dims [2] : tensor<8x16x64xf32> -> tensor<8x16xf32>
  %rsh = pp.reshape %x : tensor<8x16x64xf32> -> tensor<128x64xf32>
  %sl = pp.slice %x starts [0, 0, 0] steps [1, 1, 1] : tensor<8x16x64xf32> -> tensor<8x16x32xf32>
  %wte = pp.weight "wte" from "m.bin" offset 0 : tensor<1000x64xf32>
  %emb = pp.gather %wte[%ids] dim 0 : (tensor<1000x64xf32>, tensor<8x16xi64>) -> tensor<8x16x64xf32>
  %tr = pp.transpose %wte perm [1, 0] : tensor<1000x64xf32> -> tensor<64x1000xf32>
  %head = pp.matmul %emb, %tr : (tensor<8x16x64xf32>, tensor<64x1000xf32>) -> tensor<8x16x1000xf32>
  %big = pp.constant dense<1.0> : tensor<256xf32>
  %shape = pp.constant dense<[8, 16, 4, 16]> : tensor<4xi64>
  %loss = pp.cross_entropy %head, %ids ignore_index -100 : (tensor<8x16x1000xf32>, tensor<8x16xi64>) -> tensor<f32>
  %dwte = pp.scatter_add %emb[%ids] dim 0 : (tensor<8x16x64xf32>, tensor<8x16xi64>) -> tensor<1000x64xf32>
  return
}
)mlir";

class OpCostTest : public ::testing::Test {
protected:
  void SetUp() override {
    context.loadDialect<PPDialect, func::FuncDialect>();
    module = parseSourceString<ModuleOp>(kModule, &context);
    ASSERT_TRUE(module);
    llvm::Expected<HardwareSpec> hw = loadHardware("h100-sxm");
    ASSERT_TRUE(bool(hw));
    model.emplace(*hw);
  }

  /// The ops of function `name`, in order, without its return.
  SmallVector<Operation *> opsOf(StringRef name) {
    auto func = module->lookupSymbol<func::FuncOp>(name);
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front().without_terminator())
      ops.push_back(&op);
    return ops;
  }

  /// The `n`-th op called `opName` in function `func`.
  Operation *find(StringRef func, StringRef opName, int n = 0) {
    for (Operation *op : opsOf(func))
      if (op->getName().getStringRef() == opName && n-- == 0)
        return op;
    ADD_FAILURE() << "no " << opName.str();
    return nullptr;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::optional<OpCostModel> model;
};

TEST_F(OpCostTest, MatmulColumnShard) {
  OpCost cost = model->cost(find("stage1", "pp.matmul"));
  // 2 * M * N * K = 2 * 1 * 2048 * 8192.
  EXPECT_EQ(cost.flops, 33554432);
  // x (16 KiB) + weight (32 MiB) + result (4 KiB), all f16.
  EXPECT_EQ(cost.memoryBytes, 16384 + 33554432 + 4096);
  EXPECT_EQ(cost.activationBytes, 4096);
  EXPECT_EQ(cost.paramBytes, 0);
  // Decode is memory-bound: bytes / 3.35 TB/s beats flops / 989.5 TFLOP/s.
  EXPECT_DOUBLE_EQ(cost.computeTime, (16384 + 33554432 + 4096) / 3350e9);
  EXPECT_FALSE(cost.comm);
}

TEST_F(OpCostTest, WeightsHoldParameters) {
  OpCost cost = model->cost(find("stage1", "pp.weight"));
  EXPECT_EQ(cost.paramBytes, 8192 * 2048 * 2);
  EXPECT_EQ(cost.flops, 0);
  EXPECT_EQ(cost.memoryBytes, 0);
  EXPECT_EQ(cost.time(), 0);
  // 256 f32 = 1 KiB counts; a shape tensor does not.
  EXPECT_EQ(model->cost(find("kernels", "pp.constant", 2)).paramBytes, 1024);
  EXPECT_EQ(model->cost(find("kernels", "pp.constant", 3)).paramBytes, 0);
  EXPECT_EQ(model->cost(find("kernels", "pp.constant", 0)).paramBytes, 0);
}

TEST_F(OpCostTest, ElementwiseCountsPerElement) {
  EXPECT_EQ(model->cost(find("stage1", "pp.add")).flops, 2048);
  EXPECT_EQ(model->cost(find("stage1", "pp.exp")).flops, 4 * 2048);
  EXPECT_EQ(model->cost(find("stage1", "pp.add")).memoryBytes, 3 * 4096);
}

TEST_F(OpCostTest, NormalisationAndReduction) {
  EXPECT_EQ(model->cost(find("kernels", "pp.softmax")).flops, 8 * 2048);
  EXPECT_EQ(model->cost(find("kernels", "pp.layer_norm")).flops, 7 * 8192);
  EXPECT_EQ(model->cost(find("kernels", "pp.layer_norm", 1)).flops, 6 * 8192);
  EXPECT_EQ(model->cost(find("kernels", "pp.rms_norm")).flops, 4 * 8192);
  // Cross-entropy reads the logits and labels once and writes a scalar.
  OpCost loss = model->cost(find("kernels", "pp.cross_entropy"));
  EXPECT_EQ(loss.flops, 7 * 8 * 16 * 1000);
  EXPECT_EQ(loss.memoryBytes, 8 * 16 * 1000 * 4 + 8 * 16 * 8 + 4);
  OpCost sum = model->cost(find("kernels", "pp.reduce"));
  EXPECT_EQ(sum.flops, 8192);
  EXPECT_EQ(sum.memoryBytes, 8192 * 4 + 128 * 4);
}

TEST_F(OpCostTest, DataMovement) {
  OpCost reshape = model->cost(find("kernels", "pp.reshape"));
  EXPECT_EQ(reshape.memoryBytes, 0);
  EXPECT_EQ(reshape.activationBytes, 0);
  EXPECT_EQ(model->cost(find("kernels", "pp.slice")).memoryBytes,
            2 * 8 * 16 * 32 * 4);
  // Indices plus the picked rows read and written: not the whole table.
  EXPECT_EQ(model->cost(find("kernels", "pp.gather")).memoryBytes,
            8 * 16 * 8 + 2 * 8 * 16 * 64 * 4);
  // Zeroing the table, the updates and indices read, and the rows they land
  // on read and written.
  OpCost scatter = model->cost(find("kernels", "pp.scatter_add"));
  EXPECT_EQ(scatter.flops, 8 * 16 * 64);
  EXPECT_EQ(scatter.memoryBytes,
            1000 * 64 * 4 + 8 * 16 * 8 + 3 * 8 * 16 * 64 * 4);
  EXPECT_EQ(scatter.activationBytes, 1000 * 64 * 4);
  OpCost transpose = model->cost(find("kernels", "pp.transpose"));
  EXPECT_EQ(transpose.flops, 0);
  EXPECT_EQ(transpose.memoryBytes, 2 * 64000 * 4);
}

TEST_F(OpCostTest, CollectivesInsideANode) {
  OpCost reduce = model->cost(find("stage1", "pp.all_reduce"));
  ASSERT_TRUE(reduce.comm);
  EXPECT_EQ(reduce.comm->kind, CommKind::AllReduce);
  EXPECT_EQ(reduce.comm->messageBytes, 16384);
  EXPECT_EQ(reduce.comm->bytesPerRank, 24576);
  EXPECT_EQ(reduce.comm->groupSize, 4);
  EXPECT_FALSE(reduce.comm->spansNodes);
  EXPECT_DOUBLE_EQ(reduce.time(), 6 * 0.5e-6 + 24576 / 450e9);
  EXPECT_EQ(reduce.memoryBytes, 0);

  OpCost gather = model->cost(find("stage1", "pp.all_gather"));
  EXPECT_EQ(gather.comm->messageBytes, 16384);
  EXPECT_EQ(gather.comm->bytesPerRank, 12288);
  OpCost scatter = model->cost(find("stage1", "pp.reduce_scatter"));
  EXPECT_EQ(scatter.comm->messageBytes, 16384);
  EXPECT_EQ(scatter.comm->bytesPerRank, 12288);
  OpCost exchange = model->cost(find("stage1", "pp.all_to_all"));
  EXPECT_EQ(exchange.comm->kind, CommKind::AllToAll);
  EXPECT_EQ(exchange.comm->bytesPerRank, 12288);
}

TEST_F(OpCostTest, MessagesBetweenStagesPickTheirLink) {
  OpCost recv = model->cost(find("stage1", "pp.recv"));
  ASSERT_TRUE(recv.comm);
  EXPECT_FALSE(recv.comm->spansNodes);
  EXPECT_DOUBLE_EQ(recv.time(), 0.5e-6 + 16384 / 450e9);
  OpCost send = model->cost(find("stage1", "pp.send"));
  ASSERT_TRUE(send.comm);
  EXPECT_TRUE(send.comm->spansNodes);
  EXPECT_DOUBLE_EQ(send.time(), 2.7e-6 + 16384 / 50e9);
}

TEST_F(OpCostTest, MatmulPrecision) {
  EXPECT_EQ(model->matmulPrecision(Float16Type::get(&context)), Precision::f16);
  EXPECT_EQ(model->matmulPrecision(BFloat16Type::get(&context)),
            Precision::bf16);
  EXPECT_EQ(model->matmulPrecision(Float32Type::get(&context)), Precision::f32);
  EXPECT_EQ(model->matmulPrecision(Float8E4M3FNType::get(&context)),
            Precision::fp8);
  llvm::Expected<HardwareSpec> a100 = loadHardware("a100-80gb");
  ASSERT_TRUE(bool(a100));
  OpCostModel ampere(*a100);
  EXPECT_EQ(ampere.matmulPrecision(Float8E4M3FNType::get(&context)),
            Precision::f16);
  // A compute-bound matmul runs at the tensor-core peak.
  EXPECT_DOUBLE_EQ(model->rooflineTime(989.5e12, Precision::bf16, 1), 1.0);
}

TEST_F(OpCostTest, RangesAreDifferencesOfPrefixSums) {
  SmallVector<Operation *> ops = opsOf("stage1");
  OpRangeCost costs(*model, ops);
  ASSERT_EQ(costs.size(), ops.size());
  double flops = 0, time = 0;
  for (size_t i = 2; i < 8; ++i) {
    flops += costs.opCost(i).flops;
    time += costs.opCost(i).time();
  }
  CostSummary range = costs.range(2, 8);
  EXPECT_EQ(range.numOps, 6);
  EXPECT_EQ(range.flops, flops);
  EXPECT_NEAR(range.time(), time, 1e-15);
  EXPECT_EQ(range.numCommOps, 1);
  EXPECT_EQ(costs.total().numCommOps, 6);
  EXPECT_EQ(costs.total().paramBytes, 2 * 8192 * 2048 * 2);
  EXPECT_EQ(costs.indexOf(ops[3]), 3);
  EXPECT_EQ(costs.range(4, 4).numOps, 0);
}

TEST_F(OpCostTest, ParamsUsedThroughTransposeCountOnce) {
  // The gather reads wte, the head reads it transposed: one table.
  Operation *gather = find("kernels", "pp.gather");
  Operation *head = find("kernels", "pp.matmul");
  EXPECT_EQ(paramBytesUsedBy({gather, head}), 1000 * 64 * 4);
  EXPECT_EQ(paramBytesUsedBy({head}), 1000 * 64 * 4);
  // Small constants are not parameters; layer norm reads two of them.
  EXPECT_EQ(paramBytesUsedBy({find("kernels", "pp.layer_norm")}), 0);
  // A matmul reading the stream and one weight.
  EXPECT_EQ(paramBytesUsedBy({find("stage1", "pp.matmul")}), 8192 * 2048 * 2);
  EXPECT_EQ(paramBytesUsedBy({find("stage1", "pp.add")}), 0);
}

} // namespace
