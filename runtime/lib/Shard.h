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

/// The block of the file tensor that a region weight is (regionStarts set).
Block regionBlock(const WeightSpec &spec);

/// Calls visitRow(wholeOffset, blockOffset, rowLength), in elements, for
/// every row of `block` within a dense row-major tensor of `shape`: the
/// innermost dim is contiguous both there and in the dense block. A 0-dim
/// block is one row of one element.
template <typename VisitRow>
void forEachRow(const int64_t *shape, const Block &block, VisitRow visitRow) {
  int rank = block.rank;
  if (block.numElements() == 0)
    return;
  if (rank == 0) {
    visitRow(int64_t(0), int64_t(0), int64_t(1));
    return;
  }
  int64_t strides[kMaxRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
  int64_t rowLen = block.sizes[rank - 1];
  int64_t numRows = block.numElements() / rowLen;
  int64_t index[kMaxRank] = {};
  for (int64_t row = 0; row < numRows; ++row) {
    int64_t offset = block.starts[rank - 1];
    for (int d = 0; d + 1 < rank; ++d)
      offset += (block.starts[d] + index[d]) * strides[d];
    visitRow(offset, row * rowLen, rowLen);
    // Next row: increment the outer index like an odometer.
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < block.sizes[d])
        break;
      index[d] = 0;
    }
  }
}

/// Copies `block` out of a dense tensor of `shape` into dense `dst`.
void copyBlockOut(void *dst, const void *whole, const int64_t *shape,
                  const Block &block, size_t elemSize);
/// Copies dense `src` into `block` of a dense tensor of `shape`.
void copyBlockIn(void *whole, const void *src, const int64_t *shape,
                 const Block &block, size_t elemSize);

} // namespace pprt

#endif // PPRT_LIB_SHARD_H
