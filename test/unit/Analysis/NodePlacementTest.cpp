//===- NodePlacementTest.cpp - which groups leave a node -----------------===//

#include "pp/Analysis/NodePlacement.h"

#include <gtest/gtest.h>

using namespace mlir::pp;

namespace {

TEST(NodePlacement, TensorParallelStaysInsideANode) {
  // 16 ranks on two 8-GPU nodes: tp groups {0..3}, {4..7}, ...
  ::pp::MeshShape mesh({"pp", "tp"}, {4, 4});
  EXPECT_FALSE(groupSpansNodes(mesh, {1}, {}, 8));
  EXPECT_TRUE(groupSpansNodes(mesh, {0}, {}, 8));
  EXPECT_FALSE(groupSpansNodes(mesh, {0, 1}, {}, 16));
}

TEST(NodePlacement, UnevenGroupsSpanWhereTheyCrossABoundary) {
  // tp = 3 with 8 GPUs per node: the group {6, 7, 8} crosses.
  ::pp::MeshShape mesh({"dp", "tp"}, {4, 3});
  EXPECT_TRUE(groupSpansNodes(mesh, {1}, {}, 8));
  EXPECT_FALSE(groupSpansNodes(mesh, {1}, {0, 1, 2, 3, 4, 5}, 8));
}

TEST(NodePlacement, MessagesBetweenStages) {
  ::pp::MeshShape mesh({"pp", "tp"}, {4, 4});
  // Stage 0 (ranks 0..3) to stage 1 (4..7): one node.
  EXPECT_FALSE(messageSpansNodes(mesh, {0}, 1, {0, 1, 2, 3}, 8));
  // Stage 1 (4..7) to stage 2 (8..11): across.
  EXPECT_TRUE(messageSpansNodes(mesh, {0}, 2, {4, 5, 6, 7}, 8));
  // Without knowing the senders, some rank's message to stage 1 crosses.
  EXPECT_TRUE(messageSpansNodes(mesh, {0}, 1, {}, 8));
  // A rank does not send to itself.
  EXPECT_FALSE(messageSpansNodes(mesh, {0}, 2, {8, 9, 10, 11}, 8));
}

} // namespace
