//===- AttentionFusion.h - attention as one flash-style kernel --*- C++ -*-===//
//
// Finds the attention pattern the importer produces,
//
//   out = softmax(mask(scale * (Q K^T))) V
//
// and has the runtime's `attention` kernel compute it (KernelDecls.inc):
// the scores, the softmax and the head split and merge copies around it are
// then never materialised. The mask is an addend (ALiBi-free additive
// masks: causal or padding), a select against a constant fill (torch.where
// with finfo.min), or both, in either order. Q, K and V are read through
// the transposes, reshapes, slices and broadcasts (GQA's expand) that lead
// to them, and the output is written through the transpose that merges the
// heads, wherever those have no other reader.
//
// A constant mask that hides exactly the keys after each query's diagonal
// lets the kernel skip them (causal), halving its work on a full sequence.
// Attention whose probabilities something else reads (training keeps them
// for the backward pass) is left unfused.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_ATTENTIONFUSION_H
#define PP_LIB_TARGET_ATTENTIONFUSION_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

#include "pprt/Kernels.h"

#include <optional>
#include <vector>

namespace mlir::pp {

/// An operand read in place: element (i_0, ..., i_n) is at `base`'s
/// storage + offset + sum_d (i_d / groups[d]) * strides[d]. A group g > 1 is
/// a dim whose g consecutive indices read the same data (GQA's repeated
/// key/value heads).
struct StridedView {
  Value base;
  int64_t offset = 0;
  llvm::SmallVector<int64_t> shape, strides, groups;
};

/// One attention: what the kernel reads and writes, and its sizes and
/// strides as the runtime takes them.
struct AttentionSite {
  /// The op whose result the kernel writes (the matmul with V, or the
  /// transpose that merges the heads).
  Operation *root = nullptr;
  StridedView q, k, v, out;
  Value addend, keep;
  pprt::AttentionShape shape{};
  double scale = 1, fill = 0;
  /// Values the kernel computes or reads through, which need neither an
  /// emitter nor memory of their own.
  llvm::SmallVector<Value> absorbed;
};

/// The attentions among `ops` (execution order) whose element type
/// `hasKernel` accepts. `fused` holds the elementwise fusion's values;
/// `isAlias` says which ops' results are views of operand 0 already.
std::vector<AttentionSite>
findAttentions(ArrayRef<Operation *> ops, const llvm::DenseSet<Value> &fused,
               function_ref<bool(Type)> hasKernel,
               function_ref<bool(Operation *)> isAlias);

/// The view of `view`'s elements in row-major order as `shape`, when
/// strides can express it (a split or merge of dims that step evenly, or
/// of a repeated dim into its neighbour); null otherwise.
std::optional<StridedView> reshapeView(const StridedView &view,
                                       ArrayRef<int64_t> shape);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_ATTENTIONFUSION_H
