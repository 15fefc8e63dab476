//===- fuzz_npy.cpp - libFuzzer entry point for .npy reading --------------===//
//
// Writes the input bytes to a file and reads it back as `run --input` does.
// A clean error is fine; a crash, a sanitizer report, an allocation the file
// cannot back, or an array whose bytes disagree with its shape is a bug.
//
//===----------------------------------------------------------------------===//

#include "pprt/Npy.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

const std::string &npyPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/pp-fuzz-npy.XXXXXX";
    if (!mkdtemp(dir))
      abort();
    return std::string(dir) + "/input.npy";
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *file = fopen(npyPath().c_str(), "wb");
  if (!file)
    abort();
  fwrite(data, 1, size, file);
  fclose(file);

  pprt::HostArray array;
  std::string error;
  if (!pprt::readNpy(npyPath(), array, error))
    return 0;
  size_t expected =
      static_cast<size_t>(array.numElements()) * pprt::dtypeSize(array.dtype);
  if (array.data.size() != expected || array.data.size() > size)
    abort();
  return 0;
}
