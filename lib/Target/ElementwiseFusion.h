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

/// Builds the loop for `root` given the fused set.
FusedLoop buildFusedLoop(Operation *root, const llvm::DenseSet<Value> &fused);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_ELEMENTWISEFUSION_H
