//===- StageWriter.h - one function of pp graph IR -> C++ -------*- C++ -*-===//
//
// Prints the run function of one stage (or of a single-rank @main): fused
// elementwise loops or kernels as file-scope helpers, and a body that calls
// the runtime's kernels and communication over arena-planned buffers in
// program order. The cpu and cuda flavours share everything but the
// loop/kernel wrappers, the kernel namespace and the constant uploads.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_STAGEWRITER_H
#define PP_LIB_TARGET_STAGEWRITER_H

#include "ProgramTables.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <array>
#include <string>
#include <vector>

namespace mlir::pp {

/// What one stage needs at run time, for the stage table and the plan.
struct StageSummary {
  int index = 0;
  std::string runName;
  std::vector<int> weights;  ///< indices into the program's weight table
  std::vector<int> inputs;   ///< graph inputs the stage reads
  std::vector<int> outputs;  ///< graph outputs the stage produces
  uint64_t weightBytes = 0;  ///< held by each rank of the stage
  uint64_t arenaBytes = 0;
  uint64_t constantBytes = 0;
  uint64_t sendBytes = 0;    ///< per micro-batch, to the next stage
  uint64_t recvBytes = 0;    ///< per micro-batch, from the previous stage
  /// Generation: the decode step's activations.
  uint64_t decodeSendBytes = 0;
  uint64_t decodeRecvBytes = 0;
  size_t numKernelCalls = 0;
  size_t numCollectives = 0;
  size_t numFusedLoops = 0;
  size_t numFusedOps = 0;
  /// Training: the run functions of B, W and the update; generation: the
  /// decode step's ("" when none). And the stash slot's bytes per
  /// micro-batch.
  std::array<std::string, 4> partNames;
  uint64_t stashBytes = 0;
  /// Slots the schedule needs at once on the stage's rank
  /// (pp::schedule::planStash).
  int stashSlots = 0;

  /// Folds in B, W or the update of the same stage: one arena serves all
  /// (a rank runs one function at a time); weights, inputs and outputs
  /// are the union.
  void mergePart(const StageSummary &part);
};

/// Appends `func`'s run function (named summary.runName) to `os` and its
/// helpers and weights to `tables`. Block arguments are graph inputs
/// (`pp.input_index`, else their position), results are graph outputs
/// (`pp.output_index`, else their position). Fails with a diagnostic on
/// ops or types the target cannot run.
LogicalResult writeStage(func::FuncOp func, ProgramTables &tables,
                         llvm::raw_ostream &os, StageSummary &summary);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_STAGEWRITER_H
