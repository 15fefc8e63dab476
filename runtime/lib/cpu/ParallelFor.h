//===- ParallelFor.h - rows of a cpu kernel on the OpenMP team --*- C++ -*-===//
//
// The kernels' one way to use threads: independent rows split statically
// over the calling thread's OpenMP team (the team the generated loops and
// oneDNN use too). Small jobs stay on one thread, where starting the team
// would cost more than it saves.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_CPU_PARALLELFOR_H
#define PPRT_CPU_PARALLELFOR_H

#include "pprt/Kernels.h"

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace pprt::cpu {

/// Calls body(begin, end) on contiguous ranges that cover [0, rows), one
/// per thread; `rowElements` is the work per row, for the threshold.
template <typename Body>
void parallelRanges(int64_t rows, int64_t rowElements, const Body &body) {
  if (rows <= 1 || rows * rowElements < kParallelMinElements ||
      omp_get_max_threads() == 1) {
    body(int64_t(0), rows);
    return;
  }
#pragma omp parallel
  {
    int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    int64_t begin = rows * t / threads, end = rows * (t + 1) / threads;
    if (begin < end)
      body(begin, end);
  }
}

/// Calls body(row) for every row in [0, rows).
template <typename Body>
void parallelFor(int64_t rows, int64_t rowElements, const Body &body) {
  parallelRanges(rows, rowElements, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      body(r);
  });
}

} // namespace pprt::cpu

#endif // PPRT_CPU_PARALLELFOR_H
