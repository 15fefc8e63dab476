//===- StashLayout.h - one stash slot's byte layout -------------*- C++ -*-===//
//
// A training stage's F saves values for its B and W, and its B carries
// values to its W; all of them live in one stash slot per micro-batch.
// pp-stage-training lays the slot out, and pp-convert-float-type lays it
// out again once the values' types have narrowed.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_STASHLAYOUT_H
#define PP_DIALECT_PP_TRANSFORMS_STASHLAYOUT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pp {

/// Every slot entry starts at a multiple of this many bytes.
constexpr int64_t kStashAlign = 64;

/// Gives F's saved results, B's saved arguments and carried results and W's
/// arguments their `pp.stash_offset`, and F its `pp.stash_bytes`.
void layOutStash(func::FuncOp f, func::FuncOp b, func::FuncOp w);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_STASHLAYOUT_H
