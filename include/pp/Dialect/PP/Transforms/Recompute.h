//===- Recompute.h - recompute each layer's own values ----------*- C++ -*-===//
//
// `--recompute=full`: a transformer layer keeps only what it hands to
// another layer (or to ops of no layer); every other value of the layer
// that the backward reads is computed again, by copies of the layer's
// forward ops (marked pp.recomputed, so that CSE keeps them apart) placed
// right before the first backward op that reads one of them. Layers are
// those of the ONNX node names (layerIndexOf).
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_RECOMPUTE_H
#define PP_DIALECT_PP_TRANSFORMS_RECOMPUTE_H

#include "mlir/IR/Operation.h"

namespace mlir::pp {

/// Rewrites the backward ops of the block that holds `forward` (the
/// forward ops, in order; every other op of the block is backward) to read
/// recomputed copies of the layers' own values.
void recomputeLayers(ArrayRef<Operation *> forward);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_RECOMPUTE_H
