//===- OnnxImporter.h - ONNX model -> pp graph IR ---------------*- C++ -*-===//

#ifndef PP_IMPORT_ONNXIMPORTER_H
#define PP_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::pp {

struct ImportOptions {
  /// Static shapes for graph inputs (`--input-shape=name:8x16`); they bind
  /// symbolic dims and must agree with fixed ones.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Initializers with at most this many bytes become pp.constant (their
  /// values take part in folding); larger ones become pp.weight references.
  uint64_t inlineLimitBytes = 4096;
  /// Training: every float initializer that is more than a scalar stays a
  /// pp.weight whatever its size, so that small parameters (norm scales,
  /// biases) can be trained instead of folding into constants.
  bool floatInitializersAsWeights = false;
  /// Training: initializers that hold another's values, as they are or
  /// transposed (torch's constant folding unties a tied LM head that way),
  /// become views of that weight, which records them (`pp.tied_copies`).
  bool tieCopies = false;
  /// Graph inputs bound at compile time (`--const-input=name=file.npy`):
  /// input name -> .npy file. Each becomes a constant and leaves @main's
  /// arguments.
  std::map<std::string, std::string> constInputs;
  /// Symbolic dims bound by their name (`--generate --max-batch`, a dim
  /// named "batch" or "batch_size"), where no --input-shape gives the input.
  std::map<std::string, int64_t> symbolicDims;
};

/// Imports the ONNX model at `path` into a module holding `func.func @main`.
/// Every op carries a NameLoc with the ONNX node name (inside a FileLineCol
/// location of the model file). On bad input, emits one diagnostic naming
/// the node and op type and returns null.
OwningOpRef<ModuleOp> importOnnxModel(MLIRContext *context,
                                      const std::string &path,
                                      const ImportOptions &options);

/// The ONNX op types (default domain) the importer understands, sorted.
std::vector<std::string> supportedOnnxOps();

} // namespace mlir::pp

#endif // PP_IMPORT_ONNXIMPORTER_H
