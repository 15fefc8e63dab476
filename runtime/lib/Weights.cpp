//===- Weights.cpp - loading weights from their files ---------------------===//
//
// A slice is copied row by row (forEachRow, as blocks of inputs and outputs
// are): the innermost dim of the slice is contiguous in the file, so each row
// is one convertElements call over mapped bytes and only the pages of the
// slice are touched.
//
//===----------------------------------------------------------------------===//

#include "pprt/Weights.h"
#include "Shard.h"
#include "pprt/DType.h"

#include <algorithm>
#include <string>

namespace pprt {

const MappedFile *WeightFiles::get(const std::string &file,
                                   std::string &error) {
  auto it = files.find(file);
  if (it != files.end())
    return it->second.get();
  std::string path = file;
  if (!file.empty() && file[0] != '/' && !dir.empty())
    path = dir + "/" + file;
  auto mapped = std::make_unique<MappedFile>();
  if (!mapped->open(path, error))
    return nullptr;
  return (files[file] = std::move(mapped)).get();
}

namespace {
std::string shapeString(const int64_t *shape, int rank) {
  std::string s = "[";
  for (int d = 0; d < rank; ++d)
    s += (d ? "," : "") + std::to_string(shape[d]);
  return s + "]";
}
} // namespace

bool checkWeightRange(const WeightSpec &spec, const MappedFile &file,
                      std::string &error) {
  std::string what =
      std::string("weight ") + spec.name + " (" + file.path() + ")";
  if (spec.rank < 0 || spec.rank > kMaxRank) {
    error = what + ": rank " + std::to_string(spec.rank) + " is invalid";
    return false;
  }
  uint64_t count = 1;
  for (int d = 0; d < spec.rank; ++d) {
    if (spec.shape[d] < 0) {
      error = what + ": negative dim in shape " +
              shapeString(spec.shape, spec.rank);
      return false;
    }
    count *= static_cast<uint64_t>(spec.shape[d]);
  }
  uint64_t expected = count * dtypeSize(spec.fileDtype);
  if (spec.length != expected) {
    error = what + ": length " + std::to_string(spec.length) +
            " bytes does not match shape " +
            shapeString(spec.shape, spec.rank) + " of " +
            dtypeName(spec.fileDtype) + " (" + std::to_string(expected) +
            " bytes)";
    return false;
  }
  // Written so that offset + length cannot overflow.
  if (spec.offset > file.size() || spec.length > file.size() - spec.offset) {
    error = what + ": bytes [" + std::to_string(spec.offset) + ", " +
            std::to_string(spec.offset) + "+" + std::to_string(spec.length) +
            ") run past the end of the file (" + std::to_string(file.size()) +
            " bytes)";
    return false;
  }
  return true;
}

bool loadWeight(const WeightSpec &spec, const MappedFile &file, void *dst,
                std::string &error) {
  int64_t starts[kMaxRank] = {};
  return loadWeightSlice(spec, file, starts, spec.shape, dst, error);
}

bool loadWeightSlice(const WeightSpec &spec, const MappedFile &file,
                     const int64_t *starts, const int64_t *sizes, void *dst,
                     std::string &error) {
  if (!checkWeightRange(spec, file, error))
    return false;
  int rank = spec.rank;
  for (int d = 0; d < rank; ++d) {
    if (starts[d] < 0 || sizes[d] < 0 || starts[d] > spec.shape[d] ||
        sizes[d] > spec.shape[d] - starts[d]) {
      error = std::string("weight ") + spec.name + ": slice starts " +
              shapeString(starts, rank) + " sizes " + shapeString(sizes, rank) +
              " is outside shape " + shapeString(spec.shape, rank);
      return false;
    }
  }
  const char *base = file.data() + spec.offset;
  size_t inSize = dtypeSize(spec.fileDtype);
  size_t outSize = dtypeSize(spec.dtype);
  Block block;
  block.rank = rank;
  std::copy(starts, starts + rank, block.starts);
  std::copy(sizes, sizes + rank, block.sizes);
  char *out = static_cast<char *>(dst);
  forEachRow(spec.shape, block, [&](int64_t at, int64_t to, int64_t length) {
    convertElements(out + to * outSize, spec.dtype, base + at * inSize,
                    spec.fileDtype, length);
  });
  return true;
}

} // namespace pprt
