//===- ProgramWriter.h - pp graph IR -> C++ or CUDA C++ ---------*- C++ -*-===//
//
// Prints one self-contained source file for `func.func @main`: tables of
// inputs, outputs and weights for the runtime, fused elementwise loops or
// kernels, and a run function that calls the runtime's kernels over
// arena-planned buffers in program order. The cpu and cuda flavours share
// everything but the loop/kernel wrappers, the kernel namespace and the
// constant uploads.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_PROGRAMWRITER_H
#define PP_LIB_TARGET_PROGRAMWRITER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::pp {

/// A weight as the plan reports it.
struct PlannedWeight {
  std::string name;
  std::string file;
  uint64_t offset;
  uint64_t bytes;
};

/// What the written program needs at run time, for plan.json / plan.txt.
struct ProgramSummary {
  std::vector<PlannedWeight> weights;
  uint64_t weightBytes = 0;
  uint64_t arenaBytes = 0;
  uint64_t constantBytes = 0;
  size_t numKernelCalls = 0;
  size_t numFusedLoops = 0;
  size_t numFusedOps = 0;
};

/// Writes the program source. Fails with a diagnostic on ops or types the
/// target cannot run.
LogicalResult writeProgram(func::FuncOp main, bool cuda,
                           llvm::StringRef modelName,
                           llvm::StringRef weightsDir, llvm::raw_ostream &os,
                           ProgramSummary &summary);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_PROGRAMWRITER_H
