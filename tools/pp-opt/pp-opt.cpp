//===- pp-opt.cpp - the pp compiler driver -------------------------------===//
//
// Works exactly like mlir-opt on .mlir files, with the pp dialect, the
// upstream dialects pp builds on, and every pp pass registered. ONNX inputs
// and `--target` compiles go through the compile driver.
//
//===----------------------------------------------------------------------===//

#include "pp/Analysis/Passes.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Driver/CompileDriver.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::pp::registerPPPasses();
  mlir::pp::registerPPAnalysisPasses();
  mlir::DialectRegistry registry;
  registry.insert<mlir::pp::PPDialect, mlir::func::FuncDialect>();
  if (mlir::pp::isCompileInvocation(argc, argv))
    return mlir::pp::runCompileDriver(argc, argv, registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "pp compiler driver\n", registry));
}
