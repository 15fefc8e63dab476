//===- MappedFile.cpp - a read-only memory-mapped file --------------------===//
//
// The descriptor is closed as soon as the file is mapped: the mapping
// outlives it. mmap rejects length 0, so an empty file simply has no bytes.
//
//===----------------------------------------------------------------------===//

#include "pp/Support/MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pp {

MappedFile::~MappedFile() {
  if (bytes)
    munmap(const_cast<char *>(bytes), length);
}

bool MappedFile::open(const std::string &path, std::string &error) {
  filePath = path;
  // O_NONBLOCK: a FIFO named as a model or weight file must not hang the
  // open; fstat then refuses it as not a regular file.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
  if (length > 0) {
    void *p = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      error = path + ": cannot map: " + std::strerror(errno);
      ::close(fd);
      length = 0;
      return false;
    }
    bytes = static_cast<const char *>(p);
  }
  ::close(fd);
  return true;
}

} // namespace pp
