//===- Passes.h - pp analysis passes ----------------------------*- C++ -*-===//

#ifndef PP_ANALYSIS_PASSES_H
#define PP_ANALYSIS_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::pp {

#define GEN_PASS_DECL
#include "pp/Analysis/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "pp/Analysis/Passes.h.inc"

} // namespace mlir::pp

#endif // PP_ANALYSIS_PASSES_H
