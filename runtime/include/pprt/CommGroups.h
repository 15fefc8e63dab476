//===- CommGroups.h - the rank groups a Comm backend talks to ---*- C++ -*-===//
//
// Generated code names a group by an AxisMask and a peer by its index in the
// group; backends need global ranks. This resolves a mask once per rank
// with pp::MeshShape (the compiler's own arithmetic) and caches it, and
// checks masks and peers so that a bad call is an error naming the op, not
// a hang.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_COMMGROUPS_H
#define PPRT_COMMGROUPS_H

#include "pp/Support/MeshShape.h"
#include "pprt/Comm.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace pprt {

/// pp::MeshShape of a program's mesh (no axes: one rank).
pp::MeshShape meshShapeOf(const MeshSpec &mesh);
/// The mask of every axis of `mesh`: the group of all ranks, in rank order.
AxisMask allAxesMask(const MeshSpec &mesh);

/// One rank's group over some axes.
struct CommGroup {
  AxisMask axes = 0;
  std::vector<int64_t> ranks; ///< global ranks in group order
  int64_t index = 0;          ///< this rank's position in `ranks`
  std::string names;          ///< "tp" or "dp,tp", for messages

  int64_t size() const { return static_cast<int64_t>(ranks.size()); }
  /// "ranks [2, 3]" for messages.
  std::string describe() const;
};

/// The groups of one rank, resolved lazily.
class CommGroups {
public:
  CommGroups(const MeshSpec &mesh, int rank);

  int rank() const { return myRank; }
  const pp::MeshShape &mesh() const { return shape; }
  /// The group over `axes`; a mask naming axes the mesh does not have ends
  /// the program with an error naming `op` and `what`.
  const CommGroup &get(AxisMask axes, const char *op, const char *what);
  /// The global rank of member `peer`, which must exist and not be this
  /// rank (a rank cannot wait for itself).
  int64_t peerRank(const CommGroup &group, int64_t peer, const char *op,
                   const char *what) const;

private:
  pp::MeshShape shape;
  int myRank;
  std::array<std::unique_ptr<CommGroup>, (1u << kMaxMeshAxes)> groups;
};

} // namespace pprt

#endif // PPRT_COMMGROUPS_H
