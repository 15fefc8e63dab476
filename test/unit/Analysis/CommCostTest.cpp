//===- CommCostTest.cpp - ring formulas and link choice ------------------===//

#include "pp/Analysis/CommCost.h"

#include <gtest/gtest.h>

using namespace mlir::pp;

namespace {

/// Round numbers: 100 GB/s and 1 us inside a node, 10 GB/s and 5 us
/// between nodes.
HardwareSpec roundHardware() {
  HardwareSpec hw;
  hw.gpusPerNode = 8;
  hw.intraNode = {"nvlink", 100e9, 1e-6};
  hw.interNode = {"ib", 10e9, 5e-6};
  return hw;
}

TEST(CommCost, AllReduceLlama70BDecodeToken) {
  // One token of hidden 8192 in f16 is 16 KiB; at TP=4 a ring all-reduce
  // moves 2*3/4 of it through every rank: 24 KiB.
  HardwareSpec hw = roundHardware();
  CommCost cost = commCost(hw, CommKind::AllReduce, 1 * 1 * 8192 * 2, 4,
                           /*spansNodes=*/false);
  EXPECT_EQ(cost.messageBytes, 16384);
  EXPECT_EQ(cost.bytesPerRank, 24576);
  EXPECT_EQ(cost.steps, 6);
  EXPECT_DOUBLE_EQ(cost.time, 6 * 1e-6 + 24576 / 100e9);
}

TEST(CommCost, GatherScatterAndAllToAllMoveNMinusOneOverN) {
  HardwareSpec hw = roundHardware();
  for (CommKind kind :
       {CommKind::AllGather, CommKind::ReduceScatter, CommKind::AllToAll}) {
    CommCost cost = commCost(hw, kind, 64000, 4, false);
    EXPECT_EQ(cost.bytesPerRank, 48000) << commKindName(kind).str();
    EXPECT_EQ(cost.steps, 3);
    EXPECT_DOUBLE_EQ(cost.time, 3e-6 + 48000 / 100e9);
  }
  CommCost eight = commCost(hw, CommKind::ReduceScatter, 8000, 8, false);
  EXPECT_EQ(eight.bytesPerRank, 7000);
  EXPECT_EQ(eight.steps, 7);
}

TEST(CommCost, PointToPointIsLatencyPlusBytesOverBandwidth) {
  HardwareSpec hw = roundHardware();
  CommCost intra = commCost(hw, CommKind::PointToPoint, 16384, 2, false);
  EXPECT_EQ(intra.bytesPerRank, 16384);
  EXPECT_EQ(intra.steps, 1);
  EXPECT_DOUBLE_EQ(intra.time, 1e-6 + 16384 / 100e9);
  CommCost inter = commCost(hw, CommKind::PointToPoint, 16384, 2, true);
  EXPECT_TRUE(inter.spansNodes);
  EXPECT_DOUBLE_EQ(inter.time, 5e-6 + 16384 / 10e9);
}

TEST(CommCost, SpanningNodesUsesTheNetwork) {
  HardwareSpec hw = roundHardware();
  CommCost cost = commCost(hw, CommKind::AllReduce, 1 << 20, 16, true);
  EXPECT_DOUBLE_EQ(cost.bytesPerRank, 2.0 * 15 / 16 * (1 << 20));
  EXPECT_DOUBLE_EQ(cost.time, 30 * 5e-6 + cost.bytesPerRank / 10e9);
}

TEST(CommCost, OneRankCostsNothing) {
  HardwareSpec hw = roundHardware();
  for (CommKind kind : {CommKind::AllReduce, CommKind::AllGather,
                        CommKind::ReduceScatter, CommKind::AllToAll}) {
    CommCost cost = commCost(hw, kind, 4096, 1, false);
    EXPECT_EQ(cost.bytesPerRank, 0);
    EXPECT_EQ(cost.time, 0);
  }
}

} // namespace
