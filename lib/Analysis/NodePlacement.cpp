//===- NodePlacement.cpp - which ranks of a mesh share a node ------------===//

#include "pp/Analysis/NodePlacement.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Calls `fn` on each rank of `ranks`, or on every rank of the mesh when it
/// is empty, until `fn` returns true.
template <typename Fn>
bool anyRank(const ::pp::MeshShape &mesh, const std::vector<int64_t> &ranks,
             Fn fn) {
  if (!ranks.empty()) {
    for (int64_t rank : ranks)
      if (fn(rank))
        return true;
    return false;
  }
  for (int64_t rank = 0, n = mesh.numRanks(); rank < n; ++rank)
    if (fn(rank))
      return true;
  return false;
}

} // namespace

bool mlir::pp::groupSpansNodes(const ::pp::MeshShape &mesh,
                               const std::vector<int64_t> &axes,
                               const std::vector<int64_t> &ranks,
                               int64_t gpusPerNode) {
  return anyRank(mesh, ranks, [&](int64_t rank) {
    int64_t node = nodeOf(rank, gpusPerNode);
    for (int64_t member : mesh.groupOf(rank, axes))
      if (nodeOf(member, gpusPerNode) != node)
        return true;
    return false;
  });
}

bool mlir::pp::messageSpansNodes(const ::pp::MeshShape &mesh,
                                 const std::vector<int64_t> &axes, int64_t peer,
                                 const std::vector<int64_t> &ranks,
                                 int64_t gpusPerNode) {
  return anyRank(mesh, ranks, [&](int64_t rank) {
    std::vector<int64_t> group = mesh.groupOf(rank, axes);
    if (peer < 0 || peer >= int64_t(group.size()) || group[peer] == rank)
      return false;
    return nodeOf(group[peer], gpusPerNode) != nodeOf(rank, gpusPerNode);
  });
}
