//===- NodePlacement.h - which ranks of a mesh share a node -----*- C++ -*-===//
//
// Ranks fill nodes in order: rank r is on node r / gpusPerNode. Mesh ranks
// are row-major with "tp" last (pp/Support/MeshShape.h), so tensor-parallel
// groups of up to a node's size stay inside one node, while pipeline and
// data-parallel partners are further apart. A communication op crosses the
// network when any of the groups (or sender/peer pairs) it runs for has
// ranks on two nodes; the slowest group sets the pace.
//
//===----------------------------------------------------------------------===//

#ifndef PP_ANALYSIS_NODEPLACEMENT_H
#define PP_ANALYSIS_NODEPLACEMENT_H

#include "pp/Support/MeshShape.h"

#include <cstdint>
#include <vector>

namespace mlir::pp {

/// The node rank `rank` runs on.
inline int64_t nodeOf(int64_t rank, int64_t gpusPerNode) {
  return gpusPerNode > 0 ? rank / gpusPerNode : 0;
}

/// Whether the group over `axes` of any rank in `ranks` (every rank of the
/// mesh when empty) has members on two nodes.
bool groupSpansNodes(const ::pp::MeshShape &mesh,
                     const std::vector<int64_t> &axes,
                     const std::vector<int64_t> &ranks, int64_t gpusPerNode);

/// Whether a message from any rank in `ranks` (every rank when empty) to
/// index `peer` of its group over `axes` leaves the sender's node. A rank
/// whose group index is `peer` itself sends nothing and is skipped.
bool messageSpansNodes(const ::pp::MeshShape &mesh,
                       const std::vector<int64_t> &axes, int64_t peer,
                       const std::vector<int64_t> &ranks, int64_t gpusPerNode);

} // namespace mlir::pp

#endif // PP_ANALYSIS_NODEPLACEMENT_H
