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

/// An attention score at or below this has an exp of exactly 0 beside any
/// score a model produces, so its key may be left out: the compiler's
/// causal detection and the cpu kernel's decode rows both use it.
constexpr float kDeadAttentionScore = -1e30f;

/// The sizes and layouts of one fused attention (KernelDecls.inc). Every
/// operand is read, and the output written, through four strides in
/// elements: batch, head, row, column. Rows are queries for q and out, keys
/// for k and v; columns are the depth, except for the masks, whose rows are
/// queries and columns keys (0 broadcasts). A transposed or head-split
/// tensor is thus read where it lies, without a copy.
struct AttentionShape {
  int64_t batch, heads;
  /// Consecutive query heads that share one key/value head (GQA; 1 for
  /// multi-head attention): head h reads k and v head h / kvGroup.
  int64_t kvGroup;
  int64_t queries, keys, depth, valueDepth;
  int64_t q[4], k[4], v[4], out[4], addend[4], keep[4];
  /// Keys after query i's diagonal (j > i + keys - queries) are left out:
  /// the compiler sets this only where the masks make their scores so
  /// negative (<= kDeadAttentionScore) that their weights are exactly 0.
  bool causal;
  /// Whether `keep` applies before `addend` rather than after.
  bool selectFirst;
  /// Whether `keep` is false where scores are kept, true where `fill`
  /// replaces them (torch.where(mask, fill, scores)).
  bool invertKeep;
};

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

/// Copies `bytes` of a program's constant `host` (a file-scope array) to
/// `dst` on ctx's stream, from a device copy made on the first call (a
/// synchronous upload), so that later calls, and a CUDA graph capturing
/// them, are device-to-device copies.
void uploadConstant(Context &ctx, void *dst, const void *host, size_t bytes);
} // namespace cuda
#endif

} // namespace pprt

#endif // PPRT_KERNELS_H
