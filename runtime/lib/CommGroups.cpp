//===- CommGroups.cpp - the rank groups a Comm backend talks to -----------===//

#include "pprt/CommGroups.h"
#include "pprt/Watchdog.h"

namespace pprt {

pp::MeshShape meshShapeOf(const MeshSpec &mesh) {
  std::vector<std::string> names;
  std::vector<int64_t> sizes;
  for (int a = 0; a < mesh.numAxes; ++a) {
    names.push_back(mesh.axisNames[a] ? mesh.axisNames[a] : "?");
    sizes.push_back(mesh.axisSizes[a]);
  }
  return pp::MeshShape(std::move(names), std::move(sizes));
}

AxisMask allAxesMask(const MeshSpec &mesh) {
  return mesh.numAxes <= 0 ? 0 : (AxisMask(1) << mesh.numAxes) - 1;
}

std::string CommGroup::describe() const {
  std::string s = "ranks [";
  for (size_t i = 0; i < ranks.size(); ++i)
    s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s + "]";
}

CommGroups::CommGroups(const MeshSpec &mesh, int rank)
    : shape(meshShapeOf(mesh)), myRank(rank) {}

const CommGroup &CommGroups::get(AxisMask axes, const char *op,
                                 const char *what) {
  int64_t numAxes = shape.numAxes();
  if (axes >> numAxes) {
    std::string message = "rank " + std::to_string(myRank) + ": " + op +
                          " over axis mask " + std::to_string(axes) +
                          ", but the mesh has " + std::to_string(numAxes) +
                          " axes";
    if (what && *what)
      message += std::string(": ") + what;
    commFatal(message);
  }
  std::unique_ptr<CommGroup> &slot = groups[axes];
  if (!slot) {
    auto group = std::make_unique<CommGroup>();
    group->axes = axes;
    std::vector<int64_t> list;
    for (int64_t a = 0; a < numAxes; ++a)
      if (axes & (AxisMask(1) << a)) {
        list.push_back(a);
        group->names += (group->names.empty() ? "" : ",") + shape.axisName(a);
      }
    group->ranks = shape.groupOf(myRank, list);
    group->index = shape.indexInGroup(myRank, list);
    slot = std::move(group);
  }
  return *slot;
}

int64_t CommGroups::peerRank(const CommGroup &group, int64_t peer,
                             const char *op, const char *what) const {
  std::string problem;
  if (peer < 0 || peer >= group.size())
    problem = "peer " + std::to_string(peer) + " is outside the group of " +
              std::to_string(group.size()) + " over " +
              (group.names.empty() ? std::string("no axes") : group.names);
  else if (peer == group.index)
    problem = "peer " + std::to_string(peer) + " is this rank itself";
  if (problem.empty())
    return group.ranks[peer];
  std::string message =
      "rank " + std::to_string(myRank) + ": " + op + ": " + problem;
  if (what && *what)
    message += std::string(": ") + what;
  commFatal(message);
}

int64_t indexInGroup(const Context &ctx, AxisMask axes) {
  if (!ctx.mesh)
    return 0;
  pp::MeshShape shape = meshShapeOf(*ctx.mesh);
  std::vector<int64_t> list;
  for (int64_t a = 0; a < shape.numAxes(); ++a)
    if (axes & (AxisMask(1) << a))
      list.push_back(a);
  return shape.indexInGroup(ctx.rank, list);
}

} // namespace pprt
