//===- StagePlacement.cpp - how a module's stages sit on the "pp" axis ----===//

#include "pp/Dialect/PP/IR/StagePlacement.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
namespace sched = ::pp::schedule;

FailureOr<sched::Placement> mlir::pp::getStagePlacement(ModuleOp module) {
  Attribute attr = module->getAttr(kPlacementAttrName);
  if (!attr)
    return sched::Placement::Loop;
  auto name = llvm::dyn_cast<StringAttr>(attr);
  std::optional<sched::Placement> placement =
      name ? sched::parsePlacement(name.getValue().str()) : std::nullopt;
  if (!placement)
    return module.emitError()
           << kPlacementAttrName << " must be \"loop\" or \"v\", got " << attr;
  return *placement;
}

void mlir::pp::setStagePlacement(ModuleOp module, sched::Placement placement) {
  module->setAttr(kPlacementAttrName,
                  Builder(module.getContext())
                      .getStringAttr(sched::placementName(placement)));
}
