//===- Weights.cpp - loading weights from their files ---------------------===//
//
// A slice is copied row by row: the innermost dim of the slice is contiguous
// in the file, so each row is one convertElements call over mapped bytes and
// only the pages of the slice are touched.
//
//===----------------------------------------------------------------------===//

#include "pprt/Weights.h"
#include "pprt/DType.h"

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
  if (numElements(sizes, rank) == 0)
    return true;

  const char *base = file.data() + spec.offset;
  size_t inSize = dtypeSize(spec.fileDtype);
  size_t outSize = dtypeSize(spec.dtype);
  if (rank == 0) {
    convertElements(dst, spec.dtype, base, spec.fileDtype, 1);
    return true;
  }
  // Element strides of the whole tensor.
  int64_t strides[kMaxRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= spec.shape[d];
  }
  int64_t rowLen = sizes[rank - 1];
  int64_t numRows = numElements(sizes, rank - 1);
  int64_t index[kMaxRank] = {};
  char *out = static_cast<char *>(dst);
  for (int64_t row = 0; row < numRows; ++row) {
    int64_t src = starts[rank - 1];
    for (int d = 0; d + 1 < rank; ++d)
      src += (starts[d] + index[d]) * strides[d];
    convertElements(out + row * rowLen * outSize, spec.dtype,
                    base + src * inSize, spec.fileDtype, rowLen);
    // Next row: increment the outer index like an odometer.
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return true;
}

} // namespace pprt
