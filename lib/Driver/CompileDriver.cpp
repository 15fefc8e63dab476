//===- CompileDriver.cpp - pp-opt on ONNX models and --target ------------===//
//
// The part of pp-opt that mlir-opt does not have: importing ONNX, binding
// input shapes, and compiling to a program folder. Passes named on the
// command line run exactly as in mlir-opt. Diagnostics are printed on one
// line each, as `<model>: error: node '<name>': <message>` when they point
// into an ONNX model.
//
//===----------------------------------------------------------------------===//

#include "pp/Driver/CompileDriver.h"

#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Import/OnnxImporter.h"
#include "pp/Schedule/Generators.h"
#include "pp/Target/EmitProgram.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::pp;
namespace cl = llvm::cl;

namespace {

struct DriverOptions {
  cl::opt<std::string> input{cl::Positional, cl::desc("<model.onnx | file.mlir>"),
                             cl::init("-")};
  cl::opt<std::string> output{"o", cl::desc("Output file, or folder with --target"),
                              cl::value_desc("path"), cl::init("-")};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Static shape of a graph input, e.g. input_ids:8x16 "
               "(repeatable, or comma separated)"),
      cl::CommaSeparated};
  cl::opt<uint64_t> inlineLimit{
      "inline-limit-bytes",
      cl::desc("Initializers up to this size become pp.constant; larger "
               "ones stay in their files as pp.weight"),
      cl::init(4096)};
  cl::opt<std::string> target{"target",
                              cl::desc("Compile for cpu or cuda into the -o folder"),
                              cl::init("")};
  cl::opt<std::string> dtype{
      "dtype",
      cl::desc("Element type for weights and activations: f32 (default), "
               "bf16 or f16 (cuda only; kernels accumulate in f32)"),
      cl::init("f32")};
  // The parallel plan (docs/cli.md).
  cl::opt<int64_t> pp{"pp", cl::desc("Pipeline stages (ranks along \"pp\")"),
                      cl::init(1)};
  cl::opt<int64_t> tp{"tp", cl::desc("Tensor-parallel ranks per stage"),
                      cl::init(1)};
  cl::opt<int64_t> dp{"dp", cl::desc("Data-parallel replicas (split the batch)"),
                      cl::init(1)};
  cl::opt<int64_t> microbatches{
      "microbatches", cl::desc("Micro-batches per step (split the batch)"),
      cl::init(1)};
  cl::opt<int64_t> virtualStages{
      "virtual-stages", cl::desc("Model chunks per pipeline rank"),
      cl::init(1)};
  cl::list<int64_t> stageLayers{
      "stage-layers",
      cl::desc("Layers per stage, e.g. 4,6,6,4 (overrides the balancer)"),
      cl::CommaSeparated};
  cl::opt<std::string> schedule{
      "schedule",
      cl::desc("Micro-batch schedule: gpipe, 1f1b (default), interleaved, "
               "zb-h1, zbv, or a schedule file (docs/schedules.md)"),
      cl::init("1f1b")};
  cl::opt<bool> sequenceParallel{
      "sequence-parallel",
      cl::desc("Split norms and the residual along the sequence over tp"),
      cl::init(false)};
  cl::opt<std::string> hardware{
      "hardware", cl::desc("Hardware preset or JSON file for the cost model"),
      cl::init("h100-sxm")};
  cl::opt<std::string> emit{"emit",
                            cl::desc("binary (default): build OUT/run; "
                                     "source: stop after OUT/src and the plan"),
                            cl::init("binary")};
};

bool hasSuffix(StringRef s, StringRef suffix) { return s.ends_with(suffix); }

/// Parses "name:8x16" into the import options.
LogicalResult parseInputShape(StringRef spec, ImportOptions &options) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty()) {
    llvm::errs() << "error: --input-shape expects name:AxB..., got '" << spec
                 << "'\n";
    return failure();
  }
  std::vector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t size;
    if (part == "scalar" && parts.size() == 1)
      break;
    if (part.getAsInteger(10, size) || size < 0) {
      llvm::errs() << "error: --input-shape '" << spec
                   << "': '" << part << "' is not a dim size\n";
      return failure();
    }
    shape.push_back(size);
  }
  options.inputShapes[name.str()] = shape;
  return success();
}

/// One line per diagnostic; ONNX node names come first.
void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  Location loc = diag.getLocation();
  std::string node;
  if (auto name = dyn_cast<NameLoc>(loc)) {
    node = name.getName().str();
    loc = name.getChildLoc();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    if (file.getLine() > 0)
      os << ":" << file.getLine() << ":" << file.getColumn();
    os << ": ";
  }
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  default:
    os << "note: ";
    break;
  }
  if (!node.empty())
    os << "node '" << node << "': ";
  os << diag.str() << "\n";
}

OwningOpRef<ModuleOp> loadInput(MLIRContext &context,
                                const DriverOptions &opts,
                                const ImportOptions &importOptions,
                                llvm::SourceMgr &sourceMgr) {
  if (hasSuffix(opts.input, ".onnx"))
    return importOnnxModel(&context, opts.input, importOptions);
  std::string error;
  auto file = openInputFile(opts.input, &error);
  if (!file) {
    llvm::errs() << "error: " << error << "\n";
    return {};
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

} // namespace

bool mlir::pp::isCompileInvocation(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (hasSuffix(arg, ".onnx") || arg.starts_with("--target") ||
        arg.starts_with("-target"))
      return true;
  }
  return false;
}

int mlir::pp::runCompileDriver(int argc, char **argv,
                               DialectRegistry &registry) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  DriverOptions opts;
  PassPipelineCLParser passPipeline("", "Compiler passes to run", "p");
  cl::ParseCommandLineOptions(argc, argv, "pp compiler driver\n");

  ImportOptions importOptions;
  importOptions.inlineLimitBytes = opts.inlineLimit;
  for (const std::string &spec : opts.inputShapes)
    if (failed(parseInputShape(spec, importOptions)))
      return 2;
  if (!opts.target.empty() && opts.target != "cpu" && opts.target != "cuda") {
    llvm::errs() << "error: --target must be cpu or cuda, got '"
                 << opts.target << "'\n";
    return 2;
  }
  if (opts.emit != "binary" && opts.emit != "source") {
    llvm::errs() << "error: --emit must be binary or source, got '"
                 << opts.emit << "'\n";
    return 2;
  }
  if (opts.dtype != "f32" && opts.dtype != "bf16" && opts.dtype != "f16") {
    llvm::errs() << "error: --dtype must be f32, bf16 or f16, got '"
                 << opts.dtype << "'\n";
    return 2;
  }
  if (opts.dtype != "f32" && opts.target != "cuda") {
    llvm::errs() << "error: --dtype=" << opts.dtype
                 << " needs --target=cuda; the cpu kernels compute in f32\n";
    return 2;
  }
  for (auto [flag, value] :
       {std::pair<StringRef, int64_t>{"pp", opts.pp}, {"tp", opts.tp},
        {"dp", opts.dp}, {"microbatches", opts.microbatches},
        {"virtual-stages", opts.virtualStages}})
    if (value < 1) {
      llvm::errs() << "error: --" << flag << " must be at least 1, got "
                   << value << "\n";
      return 2;
    }
  if (!opts.target.empty() && opts.output == "-") {
    llvm::errs() << "error: --target needs an output folder: -o OUT\n";
    return 2;
  }

  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  OwningOpRef<ModuleOp> module =
      loadInput(context, opts, importOptions, sourceMgr);
  if (!module)
    return 1;

  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  auto errorHandler = [](const Twine &message) {
    llvm::errs() << "error: " << message << "\n";
    return failure();
  };
  if (failed(passPipeline.addToPipeline(pm, errorHandler)))
    return 1;
  bool parallel = opts.pp * opts.tp * opts.dp * opts.microbatches *
                      opts.virtualStages >
                  1 ||
                  !opts.stageLayers.empty();
  if (parallel) {
    // The batch is cut first, so that every later pass (and the cost
    // model) sees what one rank computes per micro-batch.
    pm.addPass(createSplitBatchPass({opts.dp * opts.microbatches, 0}));
    pm.addPass(createFuseNormsPass());
    PartitionStagesPassOptions partition;
    partition.numStages = opts.pp;
    partition.virtualStages = opts.virtualStages;
    partition.stageLayers.assign(opts.stageLayers.begin(),
                                 opts.stageLayers.end());
    partition.dp = opts.dp;
    partition.tp = opts.tp;
    partition.hardware = opts.hardware;
    // A generated schedule fixes how chunks sit on the ranks (zbv: a V)
    // and, unless --virtual-stages is given, how many each rank holds.
    if (auto kind = ::pp::schedule::parseScheduleKind(opts.schedule)) {
      ::pp::schedule::GeneratorOptions generator;
      generator.kind = *kind;
      if (!opts.virtualStages.getNumOccurrences())
        partition.virtualStages =
            ::pp::schedule::effectiveVirtualStages(generator);
      partition.placement = ::pp::schedule::placementName(
          ::pp::schedule::schedulePlacement(*kind));
    }
    pm.addPass(createPartitionStagesPass(partition));
    pm.addPass(createSplitStagesPass());
    ShardTensorParallelPassOptions shard;
    shard.sequenceParallel = opts.sequenceParallel;
    pm.addPass(createShardTensorParallelPass(shard));
    pm.addPass(createBuildSchedulePass({opts.schedule, opts.microbatches}));
  } else if (!opts.target.empty()) {
    pm.addPass(createFuseNormsPass());
  }
  if (opts.dtype != "f32")
    pm.addPass(createConvertFloatTypePass({opts.dtype}));
  if (failed(pm.run(*module)))
    return 1;

  if (opts.target.empty()) {
    std::string error;
    auto out = openOutputFile(opts.output, &error);
    if (!out) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }
    module->print(out->os());
    out->os() << "\n";
    out->keep();
    return 0;
  }

  TargetOptions targetOptions;
  targetOptions.target = opts.target;
  targetOptions.outputDir = opts.output;
  targetOptions.buildBinary = opts.emit == "binary";
  targetOptions.hardware = opts.hardware;
  return failed(emitProgram(*module, targetOptions)) ? 1 : 0;
}
