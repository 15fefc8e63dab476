//===- AutoPlan.h - pp-opt --auto and the planner's prediction --*- C++ -*-===//

#ifndef PP_LIB_DRIVER_AUTOPLAN_H
#define PP_LIB_DRIVER_AUTOPLAN_H

#include "pp/Import/OnnxImporter.h"
#include "pp/Planner/PlanSearch.h"

#include "mlir/IR/DialectRegistry.h"

#include <optional>

namespace mlir::pp {

struct DriverOptions;

/// The search's settings from the flags (--gpus, --global-batch, ...).
SearchOptions searchOptionsFrom(const DriverOptions &opts,
                                const HardwareSpec &hardware);

/// Imports the model and profiles it on `hardware` (training widens it to
/// f32 first, as the compile does); failure after a diagnostic.
FailureOr<ModelProfile> profileInput(const DriverOptions &opts,
                                     DialectRegistry &registry,
                                     const ImportOptions &importOptions,
                                     const HardwareSpec &hardware);

/// --auto: searches, prints the ranked table and the rejections to stdout,
/// and returns the best plan, or nothing (after an error) when none fits.
std::optional<PlanEstimate> choosePlan(const DriverOptions &opts,
                                       const ModelProfile &profile,
                                       const HardwareSpec &hardware);

} // namespace mlir::pp

#endif // PP_LIB_DRIVER_AUTOPLAN_H
