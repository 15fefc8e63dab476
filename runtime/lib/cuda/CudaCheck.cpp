//===- CudaCheck.cpp - reporting failed CUDA and cuBLAS calls -------------===//
//
// One line on stderr, exit code 1: the same contract as every other runtime
// error. There is nothing useful to recover after a failed CUDA call.
//
//===----------------------------------------------------------------------===//

#include "pprt/CudaCheck.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pprt {

void cudaFail(const char *call, const char *reason, const char *file,
              int line) {
  // The file name is enough to find the call; full build paths are noise.
  const char *base = std::strrchr(file, '/');
  std::fprintf(stderr, "error: %s failed: %s (%s:%d)\n", call,
               reason ? reason : "unknown error", base ? base + 1 : file, line);
  std::exit(1);
}

} // namespace pprt
