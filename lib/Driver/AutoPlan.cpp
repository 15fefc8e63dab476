//===- AutoPlan.cpp - pp-opt --auto and the planner's prediction ---------===//
//
// The planner works on the model as imported (norms fused, and widened to
// f32 for training, as the compile does), never on a compiled plan: it
// prices every candidate from one profile.
//
//===----------------------------------------------------------------------===//

#include "AutoPlan.h"

#include "CompileDriver.h"
#include "DriverOptions.h"

#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Dialect/PP/Transforms/Pipelines.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSet.h"

#include <chrono>
#include <ctime>
#include <set>
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::pp;

SearchOptions mlir::pp::searchOptionsFrom(const DriverOptions &opts,
                                          const HardwareSpec &hardware) {
  SearchOptions search;
  search.gpus = opts.gpus;
  search.gpusPerNode =
      opts.gpusPerNode > 0 ? int64_t(opts.gpusPerNode) : hardware.gpusPerNode;
  search.globalBatch = opts.globalBatch;
  search.train = opts.train;
  search.memoryLimit = opts.memoryLimit * double(int64_t(1) << 30);
  search.objective = opts.objective;
  search.optimizer = opts.optimizer;
  if (search.optimizer == "sgd" && opts.momentum > 0)
    search.optimizer = "sgd-momentum";
  // Training computes in f32 unless --dtype says otherwise (the compile
  // widens a 16-bit model); inference in the graph's type.
  search.dtype = opts.dtype.getNumOccurrences() ? opts.dtype.getValue()
                 : opts.train                   ? std::string("f32")
                                                : std::string();
  search.top = opts.top;
  return search;
}

FailureOr<ModelProfile> mlir::pp::profileInput(const DriverOptions &opts,
                                               DialectRegistry &registry,
                                               const ImportOptions &importOptions,
                                               const HardwareSpec &hardware) {
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  OwningOpRef<ModuleOp> module =
      importOnnxModel(&context, opts.input, importOptions);
  if (!module)
    return failure();
  // The compile's types: training widens a 16-bit model to f32, and
  // --dtype narrows to the compute type (kernels and GEMMs priced in it).
  PassManager pm(&context);
  if (opts.train)
    addTrainingPrecision(pm);
  if (opts.dtype.getNumOccurrences() && opts.dtype != "f32") {
    ConvertFloatTypePassOptions narrow;
    narrow.to = opts.dtype;
    pm.addPass(createConvertFloatTypePass(narrow));
  }
  pm.addPass(createFuseNormsPass());
  if (failed(pm.run(*module)))
    return failure();
  auto main = module->lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module->emitError("the model has no @main");
  int64_t batchDim = 0;
  llvm::StringRef(opts.batchDim).getAsInteger(10, batchDim);
  FailureOr<ModelProfile> profile = profileModel(main, hardware, batchDim);
  if (succeeded(profile))
    profile->model = opts.input;
  return profile;
}

namespace {

constexpr double kGiB = double(int64_t(1) << 30);

/// One row per plan; rows past `ranked` are the best of their tp degree.
void printTable(llvm::raw_ostream &os, const std::vector<PlanEstimate> &plans,
                int64_t ranked) {
  os << llvm::formatv("  {0,-4} {1,-44} {2,11} {3,12} {4,8} {5,6} {6,7} "
                      "{7,9} {8,11} {9,10} {10,10}\n",
                      "rank", "plan", "ms",
                      "tokens/s", "TFLOP/s", "MFU", "bubble", "peak GiB",
                      "all-reduce", "TP ms", "DP ms");
  int64_t row = 0;
  for (const PlanEstimate &e : plans)
    os << llvm::formatv("  {0,-4} {1,-44} {2,11:F3} {3,12:F0} {4,8:F1} "
                        "{5,5:F1}% {6,6:F1}% {7,9:F2} {8,8:F1} us {9,10:F3} "
                        "{10,10:F3}\n",
                        ++row <= ranked ? std::to_string(row)
                                        : "tp=" + std::to_string(e.config.tp),
                        e.config.str(), e.stepSeconds * 1e3,
                        e.tokensPerSecond, e.tflopsPerGpu, e.mfu * 100,
                        e.bubble * 100, e.peakBytes / kGiB,
                        e.allReduceSeconds * 1e6, e.tpCommSeconds * 1e3,
                        e.dpCommSeconds * 1e3);
}

} // namespace

std::optional<PlanEstimate> mlir::pp::choosePlan(const DriverOptions &opts,
                                                 const ModelProfile &profile,
                                                 const HardwareSpec &hardware) {
  SearchOptions search = searchOptionsFrom(opts, hardware);
  // Wall time, and the CPU time the (single-threaded) search took, which
  // does not depend on what else the machine runs.
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpuStart = std::clock();
  SearchResult result = searchPlans(profile, hardware, search);
  double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  bool latency = search.objective == "latency" && !search.train;
  llvm::raw_ostream &os = llvm::outs();
  int64_t batch = search.globalBatch > 0 ? search.globalBatch : profile.batch;
  os << llvm::formatv(
      "pp --auto: {0} on {1} x {2} ({3} per node), {4}, {5}, global batch "
      "{6} x {7} tokens; {8} layers, {9:F3} B parameters; {10} plans "
      "considered, {11} fit, {12} simulated\n",
      profile.model, search.gpus, hardware.name, search.gpusPerNode,
      search.train ? "training" : "inference",
      latency ? "objective latency (one token at batch 1)"
              : "objective throughput",
      batch, profile.seq, profile.layers.size(), profile.params() / 1e9,
      result.considered, result.fitting, result.simulated);
  os << llvm::formatv("searched in {0:F3} s ({1:F3} s of CPU)\n", seconds,
                      cpuSeconds);
  os << (latency ? "  ms: one token through every stage; "
                 : "  ms: one step; ")
     << "all-reduce: one tensor-parallel all-reduce of the residual "
        "stream; TP ms and DP ms: the step's tensor-parallel collectives "
        "and its exposed data-parallel gradient sum, on one rank\n";
  // The top K, then the best of each tensor-parallel degree not among
  // them: its all-reduce time is what decides between the degrees.
  std::vector<PlanEstimate> rows = result.best;
  std::set<int64_t> degrees;
  for (const PlanEstimate &e : rows)
    degrees.insert(e.config.tp);
  int64_t shownTop = rows.size();
  for (const PlanEstimate &e : result.ranked)
    if (degrees.insert(e.config.tp).second)
      rows.push_back(e);
  if (!rows.empty())
    printTable(os, rows, shownTop);
  os << "rejected:\n";
  // The fastest that did not fit, then one plan per other reason.
  llvm::StringSet<> reasons;
  int64_t shown = 0;
  for (const PlanRejection &r : result.rejected) {
    if (shown >= std::max<int64_t>(search.top, 5))
      break;
    std::string reason = r.estimate ? r.config.str() : r.why;
    if (!r.estimate) {
      // One line per reason, whatever the plan.
      std::string kind = r.why.substr(0, r.why.find_first_of("0123456789"));
      if (!reasons.insert(kind + r.why.substr(r.why.rfind(' ') + 1)).second)
        continue;
    }
    os << "  " << r.config.str() << ": " << r.why << "\n";
    ++shown;
  }
  os.flush();
  if (result.best.empty()) {
    llvm::errs() << "error: no plan fits " << search.gpus << " x "
                 << hardware.name << " (see the rejections above)\n";
    return std::nullopt;
  }
  return result.best.front();
}
