//===- CompileDriver.h - pp-opt on ONNX models and --target -----*- C++ -*-===//

#ifndef PP_DRIVER_COMPILEDRIVER_H
#define PP_DRIVER_COMPILEDRIVER_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::pp {

/// True when the command line asks for more than mlir-opt does: an .onnx
/// input, or a compile target.
bool isCompileInvocation(int argc, char **argv);

/// Imports (or parses), runs the requested passes, and either prints the IR
/// or compiles it for `--target` into the `-o` folder. Returns the process
/// exit code: 0 on success, 1 on bad input or a failed compile.
int runCompileDriver(int argc, char **argv, DialectRegistry &registry);

} // namespace mlir::pp

#endif // PP_DRIVER_COMPILEDRIVER_H
