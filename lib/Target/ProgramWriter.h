//===- ProgramWriter.h - pp IR -> one C++ or CUDA C++ file ------*- C++ -*-===//
//
// Prints the whole program: every stage's run function (StageWriter), the
// runtime's tables of inputs, outputs and weights, the stage table, the
// mesh and the micro-batch count, and `pprt::program()`. A module with
// stage functions (`pp.stage`, after pp-split-stages) becomes a multi-rank
// program; a module with only @main becomes a single-rank one.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_PROGRAMWRITER_H
#define PP_LIB_TARGET_PROGRAMWRITER_H

#include "StageWriter.h"

#include "mlir/IR/BuiltinOps.h"
#include "pp/Schedule/StageMap.h"

namespace mlir::pp {

/// A graph input or output as the runtime and the plan see it.
struct PlannedTensor {
  std::string name;
  Type element;
  std::vector<int64_t> localShape;  ///< what one stage call reads or writes
  std::vector<int64_t> wholeShape;  ///< the model's tensor
  int batchDim = -1;                ///< cut into micro-batches (and over dp)
  /// Per dim, the mesh axis that splits it ("": none): a training
  /// program's gradients and optimizer state split like their weights.
  std::vector<std::string> splitAxes;
  /// A training program's step loop: what the tensor is, and the weight or
  /// input it belongs to (pprt::TensorSpec::role and ::of).
  pprt::TensorRole role = pprt::TensorRole::Data;
  std::string of;
};

/// What the written program does, for plan.json and plan.txt.
struct ProgramSummary {
  bool multiRank = false;
  std::vector<std::string> axisNames;
  std::vector<int64_t> axisSizes;
  int stageAxis = -1;
  /// Which pipeline rank runs each stage (the module's pp.placement).
  ::pp::schedule::StageMap stageMap;
  int numMicrobatches = 1;
  std::vector<PlannedTensor> inputs, outputs;
  std::vector<PlannedWeight> weights;
  std::vector<StageSummary> stages;
};

/// Writes the program source. Fails with a diagnostic on ops or types the
/// target cannot run, or on a module whose stages do not fit together.
LogicalResult writeProgram(ModuleOp module, bool cuda,
                           llvm::StringRef modelName,
                           llvm::StringRef weightsDir, llvm::raw_ostream &os,
                           ProgramSummary &summary);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_PROGRAMWRITER_H
