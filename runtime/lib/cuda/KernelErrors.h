//===- KernelErrors.h - errors recorded by cuda kernels ---------*- C++ -*-===//
//
// A kernel cannot print and exit like the cpu kernels do, so a gather with an
// index out of range records the first bad index in device memory and the
// Device reports it at the next synchronize.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CUDA_KERNELERRORS_H
#define PPRT_LIB_CUDA_KERNELERRORS_H

#include <cstdint>

namespace pprt::cuda {

/// True (once) when a gather since the last call saw a bad index; `index` is
/// the index as given and `bound` the size of the gathered axis.
bool takeGatherError(int64_t &index, int64_t &bound);

} // namespace pprt::cuda

#endif // PPRT_LIB_CUDA_KERNELERRORS_H
