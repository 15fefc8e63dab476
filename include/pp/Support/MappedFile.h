//===- MappedFile.h - a read-only memory-mapped file ------------*- C++ -*-===//
//
// The one mmap wrapper of the compiler and the runtime. The ONNX reader maps
// a model while it decodes it (TensorRefs keep only path and range, so
// nothing stays mapped); the runtime maps weight files so that loading a
// shard touches only that shard's pages and ranks share the page cache.
// Plain C++ (PPSupport): the runtime links it without MLIR or LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SUPPORT_MAPPEDFILE_H
#define PP_SUPPORT_MAPPEDFILE_H

#include <cstdint>
#include <string>

namespace pp {

class MappedFile {
public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  /// Maps the regular file `path` (private, read-only; it may be larger
  /// than memory); false with a one-line `error` naming it.
  bool open(const std::string &path, std::string &error);

  /// The bytes; never null ("" for an empty or unopened file).
  const char *data() const { return bytes ? bytes : ""; }
  uint64_t size() const { return length; }
  const std::string &path() const { return filePath; }

private:
  const char *bytes = nullptr;
  uint64_t length = 0;
  std::string filePath;
};

} // namespace pp

#endif // PP_SUPPORT_MAPPEDFILE_H
