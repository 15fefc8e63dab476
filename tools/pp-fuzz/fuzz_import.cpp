//===- fuzz_import.cpp - libFuzzer entry point for the whole importer -----===//
//
// Writes the input bytes to a model file in a private folder and imports it
// into pp IR, so that the graph checks, op importers, folders and verifiers
// all see hostile models. Any diagnostic is fine; a crash, a sanitizer
// report or a hang is a bug. Built and run by scripts/fuzz.sh.
//
//===----------------------------------------------------------------------===//

#include "pp/Import/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

const std::string &modelPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/pp-fuzz-import.XXXXXX";
    if (!mkdtemp(dir))
      abort();
    return std::string(dir) + "/model.onnx";
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *file = fopen(modelPath().c_str(), "wb");
  if (!file)
    abort();
  fwrite(data, 1, size, file);
  fclose(file);

  // One context for the whole run: creating one per input would dominate.
  static mlir::MLIRContext context;
  static mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::pp::ImportOptions options;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::pp::importOnnxModel(&context, modelPath(), options);
  return 0;
}
