//===- PpOptMain.cpp - the pp-opt command line ----------------------------===//
//
// One command line for both faces of pp-opt. mlir-opt's options and pp's own
// (DriverOptions) are registered together and parsed once; then a .mlir file
// with none of pp's flags goes to MlirOptMain, exactly as in mlir-opt, and
// everything else to the compile driver.
//
// libLLVM registers some 500 backend options when it loads. `--help` shows
// only pp's categories; every other option, pass flags included, is marked
// hidden rather than removed, so `--help-hidden` still lists it (as
// `--list-passes` lists the passes) and it still parses.
//
//===----------------------------------------------------------------------===//

#include "pp/Driver/PpOptMain.h"

#include "CompileDriver.h"
#include "DriverOptions.h"
#include "pp/Driver/Version.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
using namespace mlir::pp;
namespace cl = llvm::cl;

namespace {

const char kOverview[] =
    "pp compiler driver: ONNX models to multi-rank C++/CUDA programs\n\n"
    "  pp-opt model.onnx [--input-shape=...] [plan] --target=cpu|cuda -o OUT\n"
    "  pp-opt file.mlir [passes]   exactly mlir-opt; --help-hidden lists "
    "mlir-opt's\n"
    "                              options and every pass, --list-passes "
    "the passes\n";

/// Marks every option outside pp's categories hidden: --help skips it,
/// --help-hidden lists it. (cl::HideUnrelatedOptions would make them
/// ReallyHidden, which --help-hidden skips too.)
void hideOtherOptions() {
  auto shown = [](const cl::OptionCategory *category) {
    // --help, --version and their kin are in LLVM's "Generic Options".
    return category == &inputCategory() || category == &planCategory() ||
           category == &outputCategory() || category == &trainCategory() ||
           category == &generateCategory() || category == &plannerCategory() ||
           category->getName() == "Generic Options";
  };
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *option = entry.second;
    if (option->getOptionHiddenFlag() == cl::NotHidden &&
        llvm::none_of(option->Categories, shown))
      option->setHiddenFlag(cl::Hidden);
  }
}

void printVersion(llvm::raw_ostream &os) {
  os << "pp " PP_VERSION " (commit " PP_GIT_COMMIT "), built with MLIR "
     << LLVM_VERSION_STRING << "\n";
}

} // namespace

int mlir::pp::ppOptMain(int argc, char **argv, DialectRegistry &registry) {
  // mlir-opt's options, except its input and -o, which DriverOptions
  // declares for both faces.
  (void)registerCLIOptions("pp-opt", registry);
  static DriverOptions options;
  hideOtherOptions();
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(argc, argv, kOverview);
  if (options.isCompileInvocation()) {
    // MlirOptMain sets up the same (stack traces on a crash) for its face.
    llvm::InitLLVM init(argc, argv);
    return runCompileDriver(options, registry);
  }
  return asMainReturnCode(
      MlirOptMain(argc, argv, options.input, options.output, registry));
}
