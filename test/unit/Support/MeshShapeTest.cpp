//===- MeshShapeTest.cpp - rank arithmetic on a device mesh ---------------===//

#include "pp/Support/MeshShape.h"

#include <gtest/gtest.h>

using pp::MeshShape;

namespace {

MeshShape dpPpTp() { return MeshShape({"dp", "pp", "tp"}, {2, 4, 2}); }

TEST(MeshShape, RanksAreRowMajor) {
  MeshShape mesh = dpPpTp();
  EXPECT_EQ(mesh.numRanks(), 16);
  EXPECT_EQ(mesh.rankOf({0, 0, 1}), 1);
  EXPECT_EQ(mesh.rankOf({0, 1, 0}), 2);
  EXPECT_EQ(mesh.rankOf({1, 0, 0}), 8);
  for (int64_t rank = 0; rank < mesh.numRanks(); ++rank)
    EXPECT_EQ(mesh.rankOf(mesh.coordsOf(rank)), rank);
}

TEST(MeshShape, TensorParallelPartnersAreAdjacent) {
  MeshShape mesh = dpPpTp();
  int64_t tp = mesh.axisIndex("tp");
  EXPECT_EQ(mesh.groupOf(5, {tp}), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(mesh.indexInGroup(5, {tp}), 1);
}

TEST(MeshShape, PipelineGroupWalksStages) {
  MeshShape mesh = dpPpTp();
  int64_t pp = mesh.axisIndex("pp");
  EXPECT_EQ(mesh.groupOf(9, {pp}), (std::vector<int64_t>{9, 11, 13, 15}));
  EXPECT_EQ(mesh.indexInGroup(13, {pp}), 2);
}

TEST(MeshShape, MultiAxisGroupFollowsListedOrder) {
  MeshShape mesh = dpPpTp();
  int64_t dp = mesh.axisIndex("dp"), tp = mesh.axisIndex("tp");
  EXPECT_EQ(mesh.groupSize({dp, tp}), 4);
  EXPECT_EQ(mesh.groupOf(2, {dp, tp}), (std::vector<int64_t>{2, 3, 10, 11}));
  EXPECT_EQ(mesh.groupOf(2, {tp, dp}), (std::vector<int64_t>{2, 10, 3, 11}));
  EXPECT_EQ(mesh.indexInGroup(11, {tp, dp}), 3);
}

TEST(MeshShape, EveryRankIsInExactlyOneGroup) {
  MeshShape mesh = dpPpTp();
  int64_t pp = mesh.axisIndex("pp");
  std::vector<int> seen(mesh.numRanks(), 0);
  for (int64_t rank = 0; rank < mesh.numRanks(); ++rank)
    if (mesh.indexInGroup(rank, {pp}) == 0)
      for (int64_t member : mesh.groupOf(rank, {pp}))
        ++seen[member];
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

TEST(MeshShape, UnknownAxisIsMinusOne) {
  EXPECT_EQ(dpPpTp().axisIndex("sp"), -1);
}

} // namespace
