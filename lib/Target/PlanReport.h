//===- PlanReport.h - plan.json and plan.txt --------------------*- C++ -*-===//

#ifndef PP_LIB_TARGET_PLANREPORT_H
#define PP_LIB_TARGET_PLANREPORT_H

#include "ProgramWriter.h"

namespace mlir::pp {

struct PlanInfo {
  std::string model;
  std::string target;
  /// Op handles are cheap values; mutable because their accessors are not const.
  mutable func::FuncOp main;
  ProgramSummary summary;
};

/// The machine-readable plan.
void writePlanJson(const PlanInfo &plan, llvm::raw_ostream &os);
/// The same plan as a table a person reads.
void writePlanText(const PlanInfo &plan, llvm::raw_ostream &os);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_PLANREPORT_H
