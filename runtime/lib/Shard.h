//===- Shard.h - the part of a tensor that one rank holds -------*- C++ -*-===//
//
// A TensorSpec or WeightSpec with shardAxes splits dim d into equal
// contiguous parts over mesh axis shardAxes[d]; a rank holds the block at
// starts[d] = coord[shardAxes[d]] * size[d]. Inputs are cut into blocks
// after reading, outputs are pasted together from blocks on rank 0, and
// weights are read as blocks straight from the file (loadWeightSlice).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_SHARD_H
#define PPRT_LIB_SHARD_H

#include "pprt/Program.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pprt {

struct Block {
  int rank = 0;
  int64_t starts[kMaxRank] = {};
  int64_t sizes[kMaxRank] = {};

  int64_t numElements() const;
};

/// The block of a `rank`-dim tensor of `shape` held by the rank at `coords`
/// (shardAxes null: the whole tensor).
Block shardBlock(const int64_t *shape, int rank, const int *shardAxes,
                 const std::vector<int64_t> &coords,
                 const std::vector<int64_t> &axisSizes);

/// Checks shardAxes against the mesh: each entry -1 or an axis other than
/// `stageAxis`, no axis twice, and the dim divisible by the axis size.
bool checkShardAxes(const std::string &what, const int64_t *shape, int rank,
                    const int *shardAxes, const MeshSpec &mesh, int stageAxis,
                    std::string &error);

/// The shape a weight's shardAxes split: its region, or the file tensor.
const int64_t *weightShape(const WeightSpec &spec);

/// Copies `block` out of a dense tensor of `shape` into dense `dst`.
void copyBlockOut(void *dst, const void *whole, const int64_t *shape,
                  const Block &block, size_t elemSize);
/// Copies dense `src` into `block` of a dense tensor of `shape`.
void copyBlockIn(void *whole, const void *src, const int64_t *shape,
                 const Block &block, size_t elemSize);

} // namespace pprt

#endif // PPRT_LIB_SHARD_H
