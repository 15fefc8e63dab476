//===- BufferPlan.h - where every intermediate lives ------------*- C++ -*-===//
//
// Assigns each tensor the program computes an offset in one arena, reusing
// memory once a tensor's last reader has run (first fit over a free list).
// Reshapes alias their input, and values fused into an elementwise loop need
// no memory at all. Kernels that need working memory (cross-entropy's per-row
// losses) get scratch that lives only while the op runs. The plan is made at
// compile time, so the cuda program does a single cudaMalloc and no per-op
// allocation.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_BUFFERPLAN_H
#define PP_LIB_TARGET_BUFFERPLAN_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::pp {

struct BufferPlan {
  /// Arena offset of each value that owns storage.
  llvm::DenseMap<Value, uint64_t> offsets;
  /// Values that share another value's storage (reshape results).
  llvm::DenseMap<Value, Value> aliasOf;
  /// Arena offset of the scratch of each op that asked for some.
  llvm::DenseMap<Operation *, uint64_t> scratchOffsets;
  uint64_t arenaBytes = 0;

  /// The value that owns `v`'s storage (v itself unless it is an alias).
  Value storageOf(Value v) const;
};

/// Bytes of a statically shaped tensor value.
uint64_t tensorBytes(Value v);

/// Plans `ops` (in execution order). `needsStorage(v)` says whether a result
/// gets arena memory; `isAlias(op)` marks ops whose result is a view of
/// operand 0; `fused` values live in registers only; `scratchBytes(op)` is
/// the working memory op's kernel needs (0 for none).
BufferPlan planBuffers(ArrayRef<Operation *> ops,
                       function_ref<bool(Value)> needsStorage,
                       function_ref<bool(Operation *)> isAlias,
                       function_ref<uint64_t(Operation *)> scratchBytes,
                       const llvm::DenseSet<Value> &fused);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_BUFFERPLAN_H
