//===- BuildSchedule.cpp - the pipeline schedule as a pp.schedule op -----===//
//
// The schedule library (lib/Schedule) generates, parses and verifies; this
// pass checks that the schedule fits the program (ranks on the "pp" axis,
// chunks per rank from the stage functions, their placement, micro-batches)
// and can run today (forward-only), then records it in the module.
//
// Inference runs the forward-only form of a generator: its compute order
// with the B and W passes left out, then SEND/RECV placed for what remains
// (as for zb-h1). For zbv that keeps the V's order of forwards, so the
// turn's two chunks run back to back on the last rank.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/MeshNames.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/StagePlacement.h"
#include "pp/Schedule/Generators.h"
#include "pp/Schedule/TextFormat.h"
#include "pp/Schedule/Verifier.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mlir::pp {
#define GEN_PASS_DEF_BUILDSCHEDULEPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;
namespace sched = ::pp::schedule;

namespace {

struct BuildSchedulePass
    : public mlir::pp::impl::BuildSchedulePassBase<BuildSchedulePass> {
  using BuildSchedulePassBase::BuildSchedulePassBase;

  void runOnOperation() override;
  FailureOr<sched::Schedule> makeSchedule(int64_t ranks, int64_t chunks,
                                          sched::Placement placement);
};

FailureOr<sched::Schedule>
BuildSchedulePass::makeSchedule(int64_t ranks, int64_t chunks,
                                sched::Placement placement) {
  ModuleOp module = getOperation();
  std::optional<sched::ScheduleKind> kind = sched::parseScheduleKind(schedule);
  if (kind) {
    sched::GeneratorOptions options;
    options.kind = *kind;
    options.ranks = ranks;
    options.microbatches = microbatches;
    options.virtualStages = chunks;
    options.forwardOnly = !training;
    if (sched::schedulePlacement(*kind) != placement)
      return module.emitError()
             << "schedule " << schedule << " places chunks in a "
             << sched::placementName(sched::schedulePlacement(*kind))
             << ", but the stage functions are wired in a "
             << sched::placementName(placement)
             << " (pp-partition-stages placement="
             << sched::placementName(placement) << ")";
    std::string error = sched::checkGeneratorOptions(options);
    std::optional<sched::Schedule> s;
    if (error.empty())
      s = sched::generateSchedule(options, error);
    if (!s)
      return module.emitError()
             << "schedule " << schedule << " with " << ranks
             << " pipeline ranks, " << chunks << " chunks per rank and "
             << int64_t(microbatches) << " micro-batches: " << error;
    return *s;
  }
  auto file = llvm::MemoryBuffer::getFile(schedule);
  if (!file)
    return module.emitError()
           << "schedule '" << schedule << "' is neither "
           << sched::scheduleKindList() << " nor a readable file";
  sched::ParseError error;
  std::optional<sched::Schedule> s =
      sched::parseSchedule((*file)->getBuffer().str(), error);
  if (!s)
    return module.emitError() << schedule << ":" << error.format();
  if (s->isTraining() && !training)
    return module.emitError()
           << schedule
           << " has backward (B/W) actions; pp compiles inference programs, "
              "which run forward-only schedules";
  if (training && !s->isTraining())
    return module.emitError()
           << schedule
           << " is forward-only; a training program runs F, B and W actions";
  if (s->numRanks() != ranks || s->stages.numChunks() != chunks ||
      s->microbatches != microbatches)
    return module.emitError()
           << schedule << " schedules " << s->numRanks() << " ranks x "
           << s->stages.numChunks() << " chunks and " << s->microbatches
           << " micro-batches, but the program has " << ranks
           << " pipeline ranks x " << chunks << " chunks and "
           << int64_t(microbatches) << " micro-batches";
  if (s->stages.placement() != placement)
    return module.emitError() << schedule << " places chunks in a "
                              << sched::placementName(s->stages.placement())
                              << ", but the stage functions are wired in a "
                              << sched::placementName(placement)
                              << " (pp-partition-stages placement="
                              << sched::placementName(placement) << ")";
  std::vector<std::string> problems = sched::verifySchedule(*s);
  if (!problems.empty())
    return module.emitError() << schedule << ": " << problems.front();
  return *s;
}

void BuildSchedulePass::runOnOperation() {
  ModuleOp module = getOperation();
  if (microbatches < 1) {
    module.emitError() << "microbatches must be at least 1";
    return signalPassFailure();
  }
  int64_t stages = 0;
  for (auto func : module.getOps<func::FuncOp>())
    if (func->hasAttr(PPDialect::StageAttrHelper::getNameStr()))
      ++stages;
  auto mesh = module.lookupSymbol<MeshOp>(kMeshName);
  int64_t axis = mesh ? mesh.getAxisIndex(kPipelineAxis) : -1;
  if (!stages || axis < 0) {
    module.emitError() << "pp-build-schedule needs stage functions and "
                          "pp.mesh @world with a \"pp\" axis (run "
                          "pp-partition-stages and pp-split-stages)";
    return signalPassFailure();
  }
  int64_t ranks = mesh.getShape()[axis];
  if (stages % ranks != 0) {
    module.emitError() << stages << " stages do not divide over " << ranks
                       << " pipeline ranks";
    return signalPassFailure();
  }
  FailureOr<sched::Placement> placement = getStagePlacement(module);
  if (failed(placement))
    return signalPassFailure();
  FailureOr<sched::Schedule> s =
      makeSchedule(ranks, stages / ranks, *placement);
  if (failed(s))
    return signalPassFailure();

  for (auto old : llvm::make_early_inc_range(module.getOps<ScheduleOp>()))
    old.erase();
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Attribute> lists;
  for (const std::vector<sched::Action> &rank : s->ranks) {
    SmallVector<StringRef> names;
    std::vector<std::string> storage;
    for (const sched::Action &action : rank)
      storage.push_back(sched::formatAction(action));
    for (const std::string &name : storage)
      names.push_back(name);
    lists.push_back(b.getStrArrayAttr(names));
  }
  std::string name = s->name.empty() ? std::string("custom") : s->name;
  ScheduleOp::create(b, 
      module.getLoc(), name, s->microbatches, s->stages.numChunks(),
      sched::placementName(s->stages.placement()), b.getArrayAttr(lists));
  module->setAttr(PPDialect::MicrobatchesAttrHelper::getNameStr(),
                  b.getI64IntegerAttr(s->microbatches));
  module->setAttr(PPDialect::ScheduleNameAttrHelper::getNameStr(),
                  b.getStringAttr(name));
}

} // namespace
