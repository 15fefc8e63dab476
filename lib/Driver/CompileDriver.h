//===- CompileDriver.h - pp-opt on ONNX models and --target -----*- C++ -*-===//

#ifndef PP_LIB_DRIVER_COMPILEDRIVER_H
#define PP_LIB_DRIVER_COMPILEDRIVER_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::pp {

struct DriverOptions;

/// One line per diagnostic, on stderr; ONNX node names come first.
void printDiagnostic(Diagnostic &diag);

/// Imports (or parses) the input, runs the passes named on the command line
/// or else the plan's pipeline, and prints the IR or compiles it for
/// `--target` into the `-o` folder. Returns the process exit code.
int runCompileDriver(const DriverOptions &options, DialectRegistry &registry);

} // namespace mlir::pp

#endif // PP_LIB_DRIVER_COMPILEDRIVER_H
