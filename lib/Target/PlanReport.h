//===- PlanReport.h - plan.json and plan.txt --------------------*- C++ -*-===//
//
// What the compiled program will do on each rank: the mesh, the stages
// (layers, FLOPs, weights, activations, what crosses to the next stage),
// each rank's memory, and every weight with how it is split. The weight
// bytes per rank are the ones the runtime loads (`run --report-memory`
// prints the same figures).
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_PLANREPORT_H
#define PP_LIB_TARGET_PLANREPORT_H

#include "GenerationPrediction.h"
#include "ProgramWriter.h"
#include "SchedulePrediction.h"

#include "pp/Planner/PlanSearch.h"

#include <optional>

namespace mlir::pp {

struct PlanInfo {
  std::string model;
  std::string target;
  ProgramSummary summary;
  /// From pp-partition-stages (empty when the module was not partitioned).
  std::vector<int64_t> stageLayers, stageFlops;
  std::string layerSource;
  std::string schedule;  ///< the schedule's name, or "" for one micro-batch
  /// Training: (weight, "trainable: why" or "frozen: why"), from pp-autodiff.
  std::vector<std::pair<std::string, std::string>> trainability;
  /// Training: initializers read as views of a weight they copy, as
  /// "onnx::MatMul_12 = transpose(wte.weight)", from the importer.
  std::vector<std::string> ties;
  bool predicted = false;
  SchedulePrediction prediction;
  /// Generation programs: the predicted prefill and decode times.
  bool generates = false;
  GenerationPrediction generation;
  /// The planner's price of the plan (--auto, --emit=plan).
  std::optional<PlanEstimate> planned;
};

/// One rank of the mesh: its coordinates, stages and memory.
struct PlannedRank {
  int64_t rank;
  std::vector<int64_t> coords;
  std::vector<int> stages;
  uint64_t weightBytes = 0;
  uint64_t arenaBytes = 0;
  /// Training: the gradient accumulators, and what the optimizer step
  /// holds (its state, the next state and the new weights it writes
  /// beside the old ones before they swap).
  uint64_t gradBytes = 0;
  uint64_t optimizerBytes = 0;
  /// Generation: the keys and values the rank's caches hold at max-seq and
  /// the program's batch.
  uint64_t kvCacheBytes = 0;
};

std::vector<PlannedRank> plannedRanks(const ProgramSummary &summary);

/// The machine-readable plan.
void writePlanJson(const PlanInfo &plan, llvm::raw_ostream &os);
/// The same plan as tables a person reads.
void writePlanText(const PlanInfo &plan, llvm::raw_ostream &os);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_PLANREPORT_H
