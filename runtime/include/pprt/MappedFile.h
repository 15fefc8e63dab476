//===- MappedFile.h - a read-only memory-mapped file ------------*- C++ -*-===//
//
// Weights are read through mmap so that loading a shard touches only the
// pages of that shard and the page cache is shared between ranks.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_MAPPEDFILE_H
#define PPRT_MAPPEDFILE_H

#include <cstdint>
#include <string>

namespace pprt {

class MappedFile {
public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  /// Maps `path`; false with a one-line `error` naming it.
  bool open(const std::string &path, std::string &error);

  const char *data() const { return bytes; }
  uint64_t size() const { return length; }
  const std::string &path() const { return filePath; }

private:
  const char *bytes = nullptr;
  uint64_t length = 0;
  std::string filePath;
};

} // namespace pprt

#endif // PPRT_MAPPEDFILE_H
