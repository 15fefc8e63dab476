//===- Autodiff.h - forward, B and W functions -------------------*- C++ -*-===//
//
// The core of pp-autodiff (docs/autodiff.md), shared with
// pp-stage-training, which differentiates each pipeline stage.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_AUTODIFF_H
#define PP_DIALECT_PP_TRANSFORMS_AUTODIFF_H

#include "pp/Dialect/PP/Transforms/Recompute.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::pp {

/// Splits every function with a body into a forward @f, B @f_b and W @f_w,
/// and records which weights train (pp.trainability). With `cotangents`,
/// each float result that is not marked pp.loss gets a cotangent argument
/// in B; a pp.loss result's cotangent is 1. With `recompute`, B and W
/// recompute each layer's own values from what the layer hands on, or its
/// attention core (Recompute.h), instead of the forward saving them. Emits
/// an error and fails on what docs/autodiff.md lists.
LogicalResult differentiate(ModuleOp module, ArrayRef<std::string> trainable,
                            ArrayRef<std::string> frozen, bool cotangents,
                            RecomputeKind recompute = RecomputeKind::None);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_AUTODIFF_H
