//===- Recompute.h - recompute each layer's own values ----------*- C++ -*-===//
//
// `--recompute=full`: a transformer layer keeps only what it hands to
// another layer (or to ops of no layer); every other value of the layer
// that the backward reads is computed again, by copies of the layer's
// forward ops (marked pp.recomputed, so that CSE keeps them apart) placed
// right before the first backward op that reads one of them. Layers are
// those of the ONNX node names (layerIndexOf).
//
// `--recompute=selective` (Korthikanti et al. 2022): only attention's core
// is computed again, the values whose last two dims are both the sequence
// (scores, mask, softmax, and what reads them before the product with V);
// they grow with the sequence squared and cost little to redo. Everything
// else stays saved.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_RECOMPUTE_H
#define PP_DIALECT_PP_TRANSFORMS_RECOMPUTE_H

#include "mlir/IR/Operation.h"

#include <optional>

namespace mlir::pp {

enum class RecomputeKind { None, Full, Selective };

/// "none", "full" or "selective"; nothing for anything else.
std::optional<RecomputeKind> parseRecompute(llvm::StringRef text);

/// Rewrites the backward ops of the block that holds `forward` (the
/// forward ops, in order; every other op of the block is backward) to read
/// recomputed copies of the layers' own values (Full), or of their
/// attention cores (Selective).
void recomputeLayers(ArrayRef<Operation *> forward, RecomputeKind kind);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_RECOMPUTE_H
