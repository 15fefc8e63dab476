//===- MeshNames.h - the names of the device mesh and its axes -*- C++ -*-===//
//
// pp-partition-stages creates one mesh, and every pass that places or
// shards work addresses it and its axes by these names.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_MESHNAMES_H
#define PP_DIALECT_PP_IR_MESHNAMES_H

#include "llvm/ADT/StringRef.h"

namespace mlir::pp {

/// The symbol of the `pp.mesh` that holds every rank.
inline constexpr llvm::StringLiteral kMeshName = "world";
/// Its axes, major to minor: data-parallel replicas, pipeline stages and
/// tensor-parallel ranks (adjacent ranks share a stage's tensors).
inline constexpr llvm::StringLiteral kDataAxis = "dp";
inline constexpr llvm::StringLiteral kPipelineAxis = "pp";
inline constexpr llvm::StringLiteral kTensorAxis = "tp";

} // namespace mlir::pp

#endif // PP_DIALECT_PP_IR_MESHNAMES_H
