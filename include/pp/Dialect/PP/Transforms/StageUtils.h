//===- StageUtils.h - the residual stream of a model ------------*- C++ -*-===//
//
// Shared by the stage partitioner, the stage splitter and the training
// program's recompute.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_STAGEUTILS_H
#define PP_DIALECT_PP_TRANSFORMS_STAGEUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::pp {

/// Which values of a function are on the residual stream, and where a
/// pipeline may cut it.
struct StreamInfo {
  /// Ops whose results depend on a graph input and on a weight, in order.
  SmallVector<Operation *> streamOps;
  llvm::DenseSet<Value> streamValues;
  /// Positions c in [0, streamOps.size()] such that exactly one stream
  /// value is defined before streamOps[c] and read at or after it (0 and
  /// the end are always included: nothing crosses them).
  SmallVector<size_t> cutPoints;

  /// The stream values defined before position `c` and read at or after
  /// it (by a stream op or the function's return).
  SmallVector<Value> liveAcross(size_t c) const;

  llvm::DenseMap<Operation *, size_t> position;
};

StreamInfo analyzeStream(func::FuncOp func);

/// The transformer layer an op belongs to by its ONNX node name: the first
/// path component of the form `word.N` ("/model/layers.17/mlp/Mul" -> 17)
/// of its name location (the first one inside a fused location), or -1.
int64_t layerIndexOf(Operation *op);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_STAGEUTILS_H
