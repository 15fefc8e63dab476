//===- KernelErrors.h - errors recorded by cuda kernels ---------*- C++ -*-===//
//
// A kernel cannot print and exit like the cpu kernels do, so a gather or
// scatter_add with an index out of range, or a cross-entropy with a label
// out of range, records the first bad value in device memory and the Device
// reports it at the next synchronize.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CUDA_KERNELERRORS_H
#define PPRT_LIB_CUDA_KERNELERRORS_H

#include <cstdint>

namespace pprt::cuda {

/// True (once) when a gather or scatter_add since the last call saw a bad
/// index; `op` names which, `index` is the index as given and `bound` the
/// size of the indexed axis.
bool takeIndexError(const char *&op, int64_t &index, int64_t &bound);

/// True (once) when a crossEntropy since the last call saw a label outside
/// [0, vocab) other than its ignore index.
bool takeLabelError(int64_t &label, int64_t &vocab, int64_t &ignoreIndex);

} // namespace pprt::cuda

#endif // PPRT_LIB_CUDA_KERNELERRORS_H
