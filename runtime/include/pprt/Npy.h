//===- Npy.h - reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The exchange format of `run --input` and `--output-dir`. Versions 1.0-3.0,
// little-endian, C order, dtypes f2 f4 f8 i1 i4 i8 u1 b1. Anything else is
// rejected with a message rather than guessed at.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_NPY_H
#define PPRT_NPY_H

#include "pprt/Program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pprt {

/// A dense row-major host array.
struct HostArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
};

/// Reads `path`; false with a one-line `error` (naming the file) when it is
/// unreadable, not .npy, Fortran-ordered, big-endian, of an unsupported
/// dtype, or shorter than its header says.
bool readNpy(const std::string &path, HostArray &array, std::string &error);

/// Writes `data` (`rank` dims of `shape`, dense) as a version 1.0 file. BF16
/// has no .npy dtype and is rejected; convert to f32 first.
bool writeNpy(const std::string &path, DType dtype, const int64_t *shape,
              int rank, const void *data, std::string &error);

} // namespace pprt

#endif // PPRT_NPY_H
