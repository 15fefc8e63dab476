//===- SchedulePrediction.cpp - the plan's predicted step ----------------===//

#include "SchedulePrediction.h"

#include "pp/Analysis/OpCost.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Schedule/ChromeTrace.h"
#include "pp/Schedule/Simulator.h"
#include "pp/Schedule/SvgTimeline.h"
#include "pp/Schedule/TextFormat.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>

using namespace mlir;
using namespace mlir::pp;
namespace sched = ::pp::schedule;

FailureOr<HardwareSpec> mlir::pp::planHardware(ModuleOp module,
                                              StringRef hardware) {
  llvm::Expected<HardwareSpec> spec = loadHardware(hardware);
  if (!spec)
    return emitError(module.getLoc())
           << "hardware '" << hardware
           << "': " << llvm::toString(spec.takeError());
  return *spec;
}

LogicalResult mlir::pp::predictSchedule(ModuleOp module, StringRef hardware,
                                        bool &hasSchedule,
                                        SchedulePrediction &out, bool draw) {
  auto ops = module.getOps<ScheduleOp>();
  hasSchedule = !ops.empty();
  if (!hasSchedule)
    return success();
  ScheduleOp op = *ops.begin();
  sched::ParseError parseError;
  std::optional<sched::Schedule> schedule =
      sched::parseSchedule(op.getText(), parseError);
  if (!schedule)
    return op.emitError() << "cannot read the schedule: "
                          << parseError.message;
  FailureOr<HardwareSpec> spec = planHardware(module, hardware);
  if (failed(spec))
    return failure();
  OpCostModel model(*spec);
  out.hardware = spec->name;

  std::map<int64_t, func::FuncOp> stages;
  for (auto func : module.getOps<func::FuncOp>())
    if (auto stage = func->getAttrOfType<StageAttr>("pp.stage"))
      stages[stage.getIndex()] = func;
  auto mesh = module.lookupSymbol<MeshOp>("world");
  int64_t ranks = mesh ? mesh.getNumRanks() : 1;
  bool spansNodes = ranks > spec->gpusPerNode;

  sched::CostModel costs;
  double messageBytes = 0;
  auto secondsOf = [&](func::FuncOp func) {
    double seconds = 0;
    if (!func)
      return seconds;
    func.walk([&](Operation *inner) {
      // Stage-to-stage messages are the simulator's to place.
      if (isa<RecvOp>(inner))
        return;
      if (auto send = dyn_cast<SendOp>(inner)) {
        auto type = cast<ShapedType>(send.getInput().getType());
        messageBytes = std::max<double>(
            messageBytes,
            type.getNumElements() * type.getElementTypeBitWidth() / 8.0);
        return;
      }
      OpCost cost = model.cost(inner);
      seconds += cost.computeTime + (cost.comm ? cost.comm->time : 0);
    });
    return seconds;
  };
  for (auto &[index, func] : stages) {
    // A training stage's activation leaves as a result (pp-stage-training).
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      if (func.getResultAttr(i, PPDialect::StageOutputAttrHelper::getNameStr())) {
        auto type = cast<ShapedType>(func.getResultTypes()[i]);
        messageBytes = std::max<double>(
            messageBytes,
            type.getNumElements() * type.getElementTypeBitWidth() / 8.0);
      }
    sched::StageCost stage;
    stage.forward = secondsOf(func) * 1e3;
    // Training: B and W from their own functions.
    stage.inputGrad = secondsOf(module.lookupSymbol<func::FuncOp>(
                          (func.getName() + "_b").str())) *
                      1e3;
    stage.weightGrad = secondsOf(module.lookupSymbol<func::FuncOp>(
                           (func.getName() + "_w").str())) *
                       1e3;
    out.training |= stage.inputGrad > 0 || stage.weightGrad > 0;
    costs.stages.push_back(stage);
    out.stageMs.push_back(stage.forward);
  }
  if (int64_t(costs.stages.size()) != schedule->stages.numStages())
    return op.emitError() << "the schedule has "
                          << schedule->stages.numStages()
                          << " stages but the module " << costs.stages.size();
  // The cost model's message time, in the simulator's unit (ms).
  out.messageMs = model
                      .collective(CommKind::PointToPoint, messageBytes, 2,
                                  spansNodes)
                      .time *
                  1e3;
  costs.comm.latency = out.messageMs;

  sched::SimulationResult result = sched::simulateSchedule(*schedule, costs);
  if (!result.completed)
    return op.emitError() << result.deadlockMessage();
  out.stepMs = result.stepTime;
  out.bubble = result.bubbleFraction;
  if (!draw)
    return success();

  sched::SvgOptions svg;
  svg.numRanks = schedule->numRanks();
  svg.numChunks = schedule->stages.numChunks();
  svg.title = llvm::formatv("{0} on {1}: {2} ranks, {3} micro-batches - "
                            "predicted step {4:F3} ms, bubble {5:F1}%",
                            schedule->name, out.hardware,
                            schedule->numRanks(), schedule->microbatches,
                            out.stepMs, out.bubble * 100)
                  .str();
  out.svg = sched::renderTimelineSvg(result.timeline, svg);
  sched::TraceOptions trace;
  trace.numRanks = schedule->numRanks();
  out.trace = sched::chromeTraceJson(result.timeline, trace);
  return success();
}
