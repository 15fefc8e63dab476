//===- TensorParallelRewrites.h - IR rewrites of pp-shard-tensor-parallel -===//
//
// Rewrites that turn model idioms into shapes that ShardTensorParallel.cpp
// shards with its ordinary anchors.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_TENSORPARALLELREWRITES_H
#define PP_DIALECT_PP_TRANSFORMS_TENSORPARALLELREWRITES_H

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pp {

/// Rewrites every `slice(matmul(x, W) [+ b])` along the last dim (GPT-2's
/// fused c_attn split into Q, K, V) into `matmul(x, W') [+ b']` per slice,
/// where W' is a `pp.weight` region of W's columns and b' the same part of
/// b. Each projection then shards as its own column-parallel matmul.
void splitFusedProjections(func::FuncOp func);

/// Turns `gather`, a lookup by ids into a weight whose rows are now split
/// over the group `mesh[axes]` in blocks of `localRows` (of `rows`), into
/// what one rank of a vocab-parallel embedding computes: ids outside the
/// rank's block look up row 0 and are masked to zero afterwards, so the
/// returned value is the rank's partial sum of the full lookup. Ops are
/// inserted around `gather`, whose other uses now read the result.
Value maskVocabParallelLookup(GatherOp gather, int64_t rows, int64_t localRows,
                              FlatSymbolRefAttr mesh, ArrayAttr axes);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_TENSORPARALLELREWRITES_H
