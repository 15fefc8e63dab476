//===- EmitProgram.h - pp IR -> a runnable program --------------*- C++ -*-===//

#ifndef PP_TARGET_EMITPROGRAM_H
#define PP_TARGET_EMITPROGRAM_H

#include "pp/Planner/PlanSearch.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::pp {

struct TargetOptions {
  /// "cpu" (host loops + OpenBLAS) or "cuda" (kernels + cuBLAS).
  std::string target = "cpu";
  /// Folder that receives src/, plan.json, plan.txt and run.
  std::string outputDir;
  /// False for --emit=source: stop after writing sources and the plan.
  bool buildBinary = true;
  /// Hardware preset or JSON file that prices the plan's predicted step.
  std::string hardware = "h100-sxm";
  /// --emit=plan: write plan.txt and plan.json only.
  bool planOnly = false;
  /// The planner's price of this plan (pp-opt --auto or --emit=plan), for
  /// plan.json's "config" and "predicted".
  std::optional<PlanEstimate> planned;
};

/// Writes the program for `module` (one func.func @main over pp graph ops)
/// into options.outputDir and, unless told otherwise, builds OUT/run.
/// Reports problems as diagnostics on the offending op.
LogicalResult emitProgram(ModuleOp module, const TargetOptions &options);

} // namespace mlir::pp

#endif // PP_TARGET_EMITPROGRAM_H
