//===- Launch.h - launch shapes shared by the cuda kernels ------*- C++ -*-===//
//
// Grid-stride loops everywhere: a capped grid covers any size, and kernels
// stay correct for element counts beyond 2^31.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CUDA_LAUNCH_H
#define PPRT_LIB_CUDA_LAUNCH_H

#include <cstdint>

namespace pprt::cuda {

constexpr int kThreads = 256;

/// Blocks for a grid-stride loop over `n` items (at least 1).
inline unsigned gridFor(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks < 1)
    blocks = 1;
  return static_cast<unsigned>(blocks < 65536 ? blocks : 65536);
}

/// Blocks for one-block-per-row kernels (which loop if rows exceed it).
inline unsigned rowGrid(int64_t rows) {
  if (rows < 1)
    return 1;
  return static_cast<unsigned>(rows < (1 << 30) ? rows : (1 << 30));
}

} // namespace pprt::cuda

#endif // PPRT_LIB_CUDA_LAUNCH_H
