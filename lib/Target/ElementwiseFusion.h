//===- ElementwiseFusion.h - chains of elementwise ops as loops -*- C++ -*-===//
//
// An elementwise op with a single reader that is itself elementwise is
// computed inside its reader's loop instead of in memory. What remains is a
// set of roots, each a tree of ops whose leaves are buffers or scalar
// constants, emitted as one loop (cpu) or one kernel (cuda).
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_ELEMENTWISEFUSION_H
#define PP_LIB_TARGET_ELEMENTWISEFUSION_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

#include <string>

namespace mlir::pp {

bool isElementwise(Operation *op);

/// Splat constants that elementwise code spells as literals.
bool isInlinedConstant(Value v);

/// Values computed inside their reader's loop.
llvm::DenseSet<Value> findFusedValues(ArrayRef<Operation *> ops);

/// One fused loop: the root op and the leaves it reads from memory.
struct FusedLoop {
  Operation *root;
  llvm::SetVector<Value> leaves;
  /// The scalar computation, with `leaf{k}` naming the k-th leaf's element;
  /// one statement per line ending in the assignment of `result`.
  std::string body;
};

/// Builds the loop for `root` given the fused set. With `vectorMath`, float
/// exp, tanh and erf are pprt/VecMath.h's, which vectorise (cpu).
FusedLoop buildFusedLoop(Operation *root, const llvm::DenseSet<Value> &fused,
                         bool vectorMath);

/// Where a fused loop walks: the result's dims, size-1 dims dropped and
/// neighbours merged wherever the result and every leaf step through them
/// contiguously (or not at all). Same-shape operands become one flat dim; a
/// bias broadcast over [B, S, N] becomes rows x N.
struct LoopSpace {
  llvm::SmallVector<int64_t> dims; ///< at least one
  /// Per leaf, its element stride along each of `dims` (0: broadcast).
  llvm::SmallVector<llvm::SmallVector<int64_t>> leafStrides;
};

LoopSpace coalesceLoopSpace(ArrayRef<int64_t> shape,
                            ArrayRef<llvm::SmallVector<int64_t>> leafShapes);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_ELEMENTWISEFUSION_H
