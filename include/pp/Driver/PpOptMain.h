//===- PpOptMain.h - the pp-opt command line --------------------*- C++ -*-===//

#ifndef PP_DRIVER_PPOPTMAIN_H
#define PP_DRIVER_PPOPTMAIN_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::pp {

/// pp-opt: mlir-opt on .mlir files, plus ONNX import, the parallel plan and
/// compilation to a program folder when pp's own flags ask for them
/// (docs/cli.md). Returns the process exit code: 0 on success, 1 on bad
/// input or a failed compile, 2 on bad usage.
int ppOptMain(int argc, char **argv, DialectRegistry &registry);

} // namespace mlir::pp

#endif // PP_DRIVER_PPOPTMAIN_H
