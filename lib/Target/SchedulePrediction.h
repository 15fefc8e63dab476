//===- SchedulePrediction.h - the plan's predicted step ---------*- C++ -*-===//
//
// Prices each stage function with the cost model (roofline per op, ring
// formulas per collective, on the chosen hardware), the stage-to-stage
// messages with its point-to-point formula, and simulates the module's
// pp.schedule with those costs: the step time and bubble plan.txt prints,
// and the schedule.svg / predicted-trace.json beside the program, which
// `run --trace` measures in the same format.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_SCHEDULEPREDICTION_H
#define PP_LIB_TARGET_SCHEDULEPREDICTION_H

#include "pp/Analysis/Hardware.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::pp {

struct SchedulePrediction {
  std::string hardware;
  std::vector<double> stageMs;  ///< forward of one micro-batch, per stage
  double messageMs = 0;         ///< one stage-to-stage activation
  double stepMs = 0;
  double bubble = 0;
  bool training = false;  ///< F, B and W of each stage priced
  std::string svg;    ///< the simulated timeline
  std::string trace;  ///< the same, as a Chrome/Perfetto trace
};

/// The hardware a plan is predicted on: a preset or a file, or an error at
/// `module` that names it.
FailureOr<HardwareSpec> planHardware(ModuleOp module, llvm::StringRef hardware);

/// The prediction for `module`'s pp.schedule, or failure with a diagnostic
/// (unknown hardware, unreadable schedule). `hasSchedule` is false, and
/// nothing is predicted, when the module has no pp.schedule.
/// `draw`: also render the timeline (svg, trace), which takes most of the
/// time for thousands of micro-batches.
LogicalResult predictSchedule(ModuleOp module, llvm::StringRef hardware,
                              bool &hasSchedule, SchedulePrediction &out,
                              bool draw = true);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_SCHEDULEPREDICTION_H
