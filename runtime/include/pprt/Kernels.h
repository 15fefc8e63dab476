//===- Kernels.h - the runtime's kernels, cpu and cuda ----------*- C++ -*-===//
//
// Generated programs call these for everything except elementwise chains,
// which the compiler fuses into loops (cpu) or kernels (cuda) of their own.
// Both targets declare the same functions from KernelDecls.inc, so the
// generated code differs only in the namespace it uses. The cuda ones run
// asynchronously on the Context's stream (and cuBLAS handle).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_KERNELS_H
#define PPRT_KERNELS_H

#include "pprt/Program.h"

namespace pprt {

enum class ReduceKind : int32_t { Sum, Mean, Max, Min, Prod };

/// Below this many elements a cpu loop (a kernel's or a generated one) runs
/// on one thread: starting the OpenMP team would cost more than it saves.
constexpr int64_t kParallelMinElements = int64_t(1) << 15;

/// Host kernels: oneDNN for float matmul (OpenBLAS for double), OpenMP
/// loops for the rest. Typed kernels exist for float and double; reduce and
/// matmul also for int32_t and int64_t (shape math and index tensors).
namespace cpu {
#include "pprt/KernelDecls.inc"
} // namespace cpu

#if defined(__CUDACC__)
/// Device kernels: cuBLAS for matmul. Typed kernels exist for float,
/// __half and __nv_bfloat16, accumulating in float.
namespace cuda {
#include "pprt/KernelDecls.inc"
} // namespace cuda
#endif

} // namespace pprt

#endif // PPRT_KERNELS_H
