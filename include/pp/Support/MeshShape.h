//===- MeshShape.h - rank arithmetic on a device mesh -----------*- C++ -*-===//
//
// Pure C++ (no MLIR) so that the compiler, the generated programs and the
// runtime agree on one definition of ranks, coordinates and groups.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SUPPORT_MESHSHAPE_H
#define PP_SUPPORT_MESHSHAPE_H

#include <cstdint>
#include <string>
#include <vector>

namespace pp {

/// A grid of ranks, row-major over named axes.
class MeshShape {
public:
  MeshShape(std::vector<std::string> axisNames, std::vector<int64_t> sizes);

  int64_t numRanks() const;
  int64_t numAxes() const { return static_cast<int64_t>(sizes.size()); }
  int64_t axisSize(int64_t axis) const { return sizes[axis]; }
  const std::string &axisName(int64_t axis) const { return names[axis]; }
  /// Index of the axis called `name`, or -1.
  int64_t axisIndex(const std::string &name) const;

  std::vector<int64_t> coordsOf(int64_t rank) const;
  int64_t rankOf(const std::vector<int64_t> &coords) const;

  /// Number of ranks in a group spanned by `axes` (product of their sizes).
  int64_t groupSize(const std::vector<int64_t> &axes) const;
  /// The ranks that share every coordinate of `rank` outside `axes`, in
  /// group order (row-major over `axes` in the order given).
  std::vector<int64_t> groupOf(int64_t rank,
                               const std::vector<int64_t> &axes) const;
  /// Position of `rank` inside its group over `axes`.
  int64_t indexInGroup(int64_t rank, const std::vector<int64_t> &axes) const;

private:
  std::vector<std::string> names;
  std::vector<int64_t> sizes;
};

} // namespace pp

#endif // PP_SUPPORT_MESHSHAPE_H
