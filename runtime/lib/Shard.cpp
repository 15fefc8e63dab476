//===- Shard.cpp - the part of a tensor that one rank holds ---------------===//

#include "Shard.h"

#include <cstring>

namespace pprt {

int64_t Block::numElements() const {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d)
    n *= sizes[d];
  return n;
}

Block shardBlock(const int64_t *shape, int rank, const int *shardAxes,
                 const std::vector<int64_t> &coords,
                 const std::vector<int64_t> &axisSizes) {
  Block block;
  block.rank = rank;
  for (int d = 0; d < rank; ++d) {
    int axis = shardAxes ? shardAxes[d] : -1;
    if (axis < 0) {
      block.sizes[d] = shape[d];
      continue;
    }
    block.sizes[d] = shape[d] / axisSizes[axis];
    block.starts[d] = coords[axis] * block.sizes[d];
  }
  return block;
}

bool checkShardAxes(const std::string &what, const int64_t *shape, int rank,
                    const int *shardAxes, const MeshSpec &mesh, int stageAxis,
                    std::string &error) {
  if (!shardAxes)
    return true;
  bool used[kMaxMeshAxes] = {};
  for (int d = 0; d < rank; ++d) {
    int axis = shardAxes[d];
    if (axis == -1)
      continue;
    std::string dim = what + ": dim " + std::to_string(d);
    if (axis < 0 || axis >= mesh.numAxes) {
      error = dim + " is split over mesh axis " + std::to_string(axis) +
              ", which does not exist";
      return false;
    }
    if (axis == stageAxis) {
      error = dim + " is split over the stage axis";
      return false;
    }
    if (used[axis]) {
      error = dim + " is split over mesh axis " + std::to_string(axis) +
              ", which already splits another dim";
      return false;
    }
    used[axis] = true;
    if (shape[d] % mesh.axisSizes[axis] != 0) {
      error = dim + " of size " + std::to_string(shape[d]) +
              " does not divide into " + std::to_string(mesh.axisSizes[axis]) +
              " parts";
      return false;
    }
  }
  return true;
}

const int64_t *weightShape(const WeightSpec &spec) {
  return spec.regionSizes ? spec.regionSizes : spec.shape;
}

Block regionBlock(const WeightSpec &spec) {
  Block block;
  block.rank = spec.rank;
  for (int d = 0; d < spec.rank; ++d) {
    block.starts[d] = spec.regionStarts[d];
    block.sizes[d] = spec.regionSizes[d];
  }
  return block;
}

void copyBlockOut(void *dst, const void *whole, const int64_t *shape,
                  const Block &block, size_t elemSize) {
  forEachRow(shape, block, [&](int64_t at, int64_t to, int64_t length) {
    std::memcpy(static_cast<char *>(dst) + to * elemSize,
                static_cast<const char *>(whole) + at * elemSize,
                length * elemSize);
  });
}

void copyBlockIn(void *whole, const void *src, const int64_t *shape,
                 const Block &block, size_t elemSize) {
  forEachRow(shape, block, [&](int64_t at, int64_t from, int64_t length) {
    std::memcpy(static_cast<char *>(whole) + at * elemSize,
                static_cast<const char *>(src) + from * elemSize,
                length * elemSize);
  });
}

} // namespace pprt
