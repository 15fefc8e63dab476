//===- ShardTest.cpp - blocks of sharded tensors --------------------------===//

#include "Shard.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace pprt;

namespace {

TEST(Shard, BlockOfARankAndRoundTrip) {
  // [4, 6] split: dim 0 over axis 0 (size 2), dim 1 over axis 2 (size 3).
  const int64_t shape[2] = {4, 6};
  const int axes[2] = {0, 2};
  std::vector<int64_t> sizes = {2, 5, 3};
  Block b = shardBlock(shape, 2, axes, {1, 4, 2}, sizes);
  EXPECT_EQ(b.starts[0], 2);
  EXPECT_EQ(b.sizes[0], 2);
  EXPECT_EQ(b.starts[1], 4);
  EXPECT_EQ(b.sizes[1], 2);
  EXPECT_EQ(b.numElements(), 4);

  std::vector<int> whole(24);
  std::iota(whole.begin(), whole.end(), 0);
  int part[4];
  copyBlockOut(part, whole.data(), shape, b, sizeof(int));
  EXPECT_EQ(part[0], 16);
  EXPECT_EQ(part[1], 17);
  EXPECT_EQ(part[2], 22);
  EXPECT_EQ(part[3], 23);

  std::vector<int> pasted(24, -1);
  copyBlockIn(pasted.data(), part, shape, b, sizeof(int));
  EXPECT_EQ(pasted[16], 16);
  EXPECT_EQ(pasted[23], 23);
  EXPECT_EQ(pasted[15], -1);

  Block whole1 = shardBlock(shape, 2, nullptr, {0, 0, 0}, sizes);
  EXPECT_EQ(whole1.numElements(), 24);
}

TEST(Shard, ChecksAgainstTheMesh) {
  MeshSpec mesh = {};
  mesh.numAxes = 2;
  mesh.axisNames[0] = "pp";
  mesh.axisNames[1] = "tp";
  mesh.axisSizes[0] = 2;
  mesh.axisSizes[1] = 4;
  const int64_t shape[2] = {6, 8};
  std::string error;
  const int good[2] = {-1, 1};
  EXPECT_TRUE(checkShardAxes("w", shape, 2, good, mesh, 0, error)) << error;
  const int uneven[2] = {1, -1};
  EXPECT_FALSE(checkShardAxes("w", shape, 2, uneven, mesh, 0, error));
  EXPECT_EQ(error, "w: dim 0 of size 6 does not divide into 4 parts");
  const int twice[2] = {1, 1};
  EXPECT_FALSE(checkShardAxes("w", shape, 2, twice, mesh, 0, error));
  const int missing[2] = {3, -1};
  EXPECT_FALSE(checkShardAxes("w", shape, 2, missing, mesh, 0, error));
  EXPECT_EQ(error, "w: dim 0 is split over mesh axis 3, which does not exist");
}

} // namespace
