//===- StagePlacement.h - how stages sit on the "pp" axis -------*- C++ -*-===//
//
// pp-partition-stages records the placement of the virtual stages (the
// schedule library's loop or V) on the module as `pp.placement`. The stage
// splitter wires send/recv peers from it, the cost model finds the ranks of
// a stage with it, and the emitter hands it to the runtime; each builds the
// StageMap from it rather than computing ranks by hand.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_STAGEPLACEMENT_H
#define PP_DIALECT_PP_IR_STAGEPLACEMENT_H

#include "mlir/IR/BuiltinOps.h"
#include "pp/Schedule/StageMap.h"

namespace mlir::pp {

/// The module attribute: "loop" or "v". A module without it is a loop.
inline constexpr llvm::StringLiteral kPlacementAttrName = "pp.placement";

/// The placement recorded on `module`; fails with an error on the module
/// when pp.placement is neither "loop" nor "v".
FailureOr<::pp::schedule::Placement> getStagePlacement(ModuleOp module);

void setStagePlacement(ModuleOp module, ::pp::schedule::Placement placement);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_IR_STAGEPLACEMENT_H
