//===- MeshShape.cpp - rank arithmetic on a device mesh ------------------===//

#include "pp/Support/MeshShape.h"

#include <cassert>

namespace pp {

MeshShape::MeshShape(std::vector<std::string> axisNames,
                     std::vector<int64_t> axisSizes)
    : names(std::move(axisNames)), sizes(std::move(axisSizes)) {
  assert(names.size() == sizes.size() && "one name per axis");
}

int64_t MeshShape::numRanks() const {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

int64_t MeshShape::axisIndex(const std::string &name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return static_cast<int64_t>(i);
  return -1;
}

std::vector<int64_t> MeshShape::coordsOf(int64_t rank) const {
  std::vector<int64_t> coords(sizes.size());
  for (size_t i = sizes.size(); i-- > 0;) {
    coords[i] = rank % sizes[i];
    rank /= sizes[i];
  }
  return coords;
}

int64_t MeshShape::rankOf(const std::vector<int64_t> &coords) const {
  int64_t rank = 0;
  for (size_t i = 0; i < sizes.size(); ++i)
    rank = rank * sizes[i] + coords[i];
  return rank;
}

int64_t MeshShape::groupSize(const std::vector<int64_t> &axes) const {
  int64_t n = 1;
  for (int64_t a : axes)
    n *= sizes[a];
  return n;
}

std::vector<int64_t> MeshShape::groupOf(int64_t rank,
                                        const std::vector<int64_t> &axes) const {
  std::vector<int64_t> coords = coordsOf(rank);
  std::vector<int64_t> group;
  int64_t n = groupSize(axes);
  group.reserve(n);
  for (int64_t index = 0; index < n; ++index) {
    int64_t rest = index;
    for (size_t i = axes.size(); i-- > 0;) {
      coords[axes[i]] = rest % sizes[axes[i]];
      rest /= sizes[axes[i]];
    }
    group.push_back(rankOf(coords));
  }
  return group;
}

int64_t MeshShape::indexInGroup(int64_t rank,
                                const std::vector<int64_t> &axes) const {
  std::vector<int64_t> coords = coordsOf(rank);
  int64_t index = 0;
  for (int64_t a : axes)
    index = index * sizes[a] + coords[a];
  return index;
}

} // namespace pp
