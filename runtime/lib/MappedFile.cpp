//===- MappedFile.cpp - a read-only memory-mapped file --------------------===//
//
// Private read-only mapping; the file may be larger than memory.
//
//===----------------------------------------------------------------------===//

#include "pprt/MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pprt {

MappedFile::~MappedFile() {
  if (bytes)
    munmap(const_cast<char *>(bytes), length);
}

bool MappedFile::open(const std::string &path, std::string &error) {
  filePath = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
    ::close(fd);
    return false;
  }
  length = static_cast<uint64_t>(st.st_size);
  // mmap rejects length 0; an empty file simply has no bytes.
  if (length > 0) {
    void *p = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      error = path + ": mmap failed: " + std::strerror(errno);
      ::close(fd);
      length = 0;
      return false;
    }
    bytes = static_cast<const char *>(p);
  }
  ::close(fd);
  return true;
}

} // namespace pprt
