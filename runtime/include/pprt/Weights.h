//===- Weights.h - loading weights from their files -------------*- C++ -*-===//
//
// A WeightSpec names a byte range of a file. Before reading, the range is
// checked against the file size and against the tensor's element count, so a
// stale or truncated weights file is an error message, not a crash or
// garbage. Elements are converted from the file's dtype to the program's.
//
// loadWeightSlice reads a rectangular part [starts, starts + sizes) of the
// whole tensor; a tensor-parallel rank reads only its shard this way.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_WEIGHTS_H
#define PPRT_WEIGHTS_H

#include "pp/Support/MappedFile.h"
#include "pprt/Program.h"

#include <map>
#include <memory>
#include <string>

namespace pprt {

/// The compiler's and the runtime's one mmap wrapper (PPSupport).
using pp::MappedFile;

/// Opens each weights file once, relative to a folder.
class WeightFiles {
public:
  explicit WeightFiles(std::string dir) : dir(std::move(dir)) {}
  /// The mapped `file` (relative to the folder unless absolute), or nullptr
  /// with `error`.
  const MappedFile *get(const std::string &file, std::string &error);

private:
  std::string dir;
  std::map<std::string, std::unique_ptr<MappedFile>> files;
};

/// Checks that spec's range lies inside `file` and holds exactly
/// numElements x dtypeSize(fileDtype) bytes.
bool checkWeightRange(const WeightSpec &spec, const MappedFile &file,
                      std::string &error);

/// Reads the whole tensor into `dst` (dense, spec.dtype).
bool loadWeight(const WeightSpec &spec, const MappedFile &file, void *dst,
                std::string &error);

/// Reads the slice starting at `starts` with extents `sizes` (spec.rank
/// each) into `dst` (dense over `sizes`, spec.dtype).
bool loadWeightSlice(const WeightSpec &spec, const MappedFile &file,
                     const int64_t *starts, const int64_t *sizes, void *dst,
                     std::string &error);

} // namespace pprt

#endif // PPRT_WEIGHTS_H
