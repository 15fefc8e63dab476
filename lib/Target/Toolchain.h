//===- Toolchain.h - building OUT/run from the generated source -*- C++ -*-===//

#ifndef PP_LIB_TARGET_TOOLCHAIN_H
#define PP_LIB_TARGET_TOOLCHAIN_H

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::pp {

/// The shell command that compiles `source` into `binary` and links it
/// against the runtime this pp-opt was built with.
std::string buildCommand(bool cuda, StringRef source, StringRef binary);

/// Runs `command` with output to `log`; true on success.
bool runBuild(StringRef command, StringRef log);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_TOOLCHAIN_H
