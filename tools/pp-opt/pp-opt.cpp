//===- pp-opt.cpp - the pp compiler driver -------------------------------===//
//
// Registers the pp dialect, the upstream dialects pp builds on, every pp
// pass and pipeline, and hands the command line to ppOptMain: mlir-opt on
// .mlir files, the ONNX importer and the compile driver for pp's own flags.
//
//===----------------------------------------------------------------------===//

#include "pp/Analysis/Passes.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Dialect/PP/Transforms/Pipelines.h"
#include "pp/Driver/PpOptMain.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::pp::registerPPPasses();
  mlir::pp::registerPPAnalysisPasses();
  mlir::pp::registerParallelizePipeline();
  mlir::pp::registerTrainPipeline();
  mlir::DialectRegistry registry;
  registry.insert<mlir::pp::PPDialect, mlir::func::FuncDialect>();
  return mlir::pp::ppOptMain(argc, argv, registry);
}
