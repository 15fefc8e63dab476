//===- CompileDriver.cpp - pp-opt on ONNX models and --target ------------===//
//
// The part of pp-opt that mlir-opt does not have: importing ONNX, binding
// input shapes and constant inputs, running the parallel plan's pipeline
// (addParallelizePipeline, the same recipe as `--pp-parallelize`), and
// compiling to a program folder. Passes named on the command line replace
// the plan's pipeline, so `pp-opt model.mlir --pp-parallelize=... --target`
// compiles what the ONNX driver compiles. Diagnostics are printed on one
// line each, as `<model>: error: node '<name>': <message>` when they point
// into an ONNX model.
//
//===----------------------------------------------------------------------===//

#include "CompileDriver.h"

#include "AutoPlan.h"

#include "DriverOptions.h"
#include "pp/Dialect/PP/Transforms/Pipelines.h"
#include "pp/Dialect/PP/Transforms/Recompute.h"
#include "pp/Analysis/Hardware.h"
#include "pp/Import/OnnxImporter.h"
#include "pp/Target/EmitProgram.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <memory>

using namespace mlir;
using namespace mlir::pp;

namespace {

/// A usage error: one line, exit code 2.
int usage(const Twine &message) {
  llvm::errs() << "error: " << message << "\n";
  return 2;
}

/// Parses "name:8x16" into the import options.
LogicalResult parseInputShape(StringRef spec, ImportOptions &options) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty()) {
    usage("--input-shape expects name:AxB..., got '" + spec + "'");
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
      usage("--input-shape '" + spec + "': '" + part + "' is not a dim size");
      return failure();
    }
    shape.push_back(size);
  }
  options.inputShapes[name.str()] = shape;
  return success();
}

/// Parses "name=file.npy" into the import options; the importer reads it.
LogicalResult parseConstInput(StringRef spec, ImportOptions &options) {
  auto [name, file] = spec.split('=');
  if (name.empty() || file.empty()) {
    usage("--const-input expects NAME=FILE.npy, got '" + spec + "'");
    return failure();
  }
  if (!options.constInputs.emplace(name.str(), file.str()).second) {
    usage("--const-input binds '" + name + "' twice");
    return failure();
  }
  return success();
}

/// The import options, or failure after a usage error.
FailureOr<ImportOptions> importOptionsFrom(const DriverOptions &opts) {
  ImportOptions options;
  options.inlineLimitBytes = opts.inlineLimit;
  options.floatInitializersAsWeights = opts.train;
  options.tieCopies = opts.train && !opts.noTie;
  for (const std::string &spec : opts.inputShapes)
    if (failed(parseInputShape(spec, options)))
      return failure();
  for (const std::string &spec : opts.constInputs)
    if (failed(parseConstInput(spec, options)))
      return failure();
  // Generation: a batch and a sequence the export left symbolic (dynamic
  // axes) are the program's sizes.
  if (opts.generate) {
    for (const char *name : {"batch", "batch_size"})
      if (opts.maxBatch > 0)
        options.symbolicDims[name] = opts.maxBatch;
    for (const char *name : {"seq", "sequence", "seq_len", "sequence_length"})
      if (opts.maxSeq > 0)
        options.symbolicDims[name] = opts.maxSeq;
  }
  return options;
}

/// `to` = the flag's value when it was given: the pipeline's option keeps
/// its default otherwise, so defaults live in one place.
template <typename To, typename From> void copy(To &to, const From &from) {
  if (from.getNumOccurrences())
    to = from.getValue();
}

/// Copies the plan flags given into `plan`, over the pipeline's defaults.
void copyPlan(const DriverOptions &opts, ParallelizePipelineOptions &plan) {
  copy(plan.pp, opts.pp);
  copy(plan.tp, opts.tp);
  copy(plan.dp, opts.dp);
  copy(plan.microbatches, opts.microbatches);
  copy(plan.virtualStages, opts.virtualStages);
  copy(plan.schedule, opts.schedule);
  copy(plan.sequenceParallel, opts.sequenceParallel);
  copy(plan.hardware, opts.hardware);
  copy(plan.batchDim, opts.batchDim);
  copy(plan.dtype, opts.dtype);
  if (opts.stageLayers.getNumOccurrences())
    plan.stageLayers = llvm::to_vector(opts.stageLayers);
}

/// Copies the optimizer flags given into `train`, over the pipeline's
/// defaults; failure after a usage error.
LogicalResult copyOptimizer(const DriverOptions &opts,
                            TrainPipelineOptions &train) {
  copy(train.optimizer, opts.optimizer);
  copy(train.lr, opts.lr);
  copy(train.momentum, opts.momentum);
  copy(train.weightDecay, opts.weightDecay);
  copy(train.eps, opts.eps);
  copy(train.gradClip, opts.gradClip);
  copy(train.zero, opts.zero);
  if (train.optimizer != "sgd" && train.optimizer != "adamw") {
    usage("--optimizer must be sgd or adamw, got '" + train.optimizer + "'");
    return failure();
  }
  if (opts.momentum.getNumOccurrences() && train.optimizer != "sgd") {
    usage("--momentum applies to --optimizer=sgd");
    return failure();
  }
  if (opts.betas.getNumOccurrences()) {
    auto [first, second] = StringRef(opts.betas).split(',');
    double b1, b2;
    if (train.optimizer != "adamw" || first.getAsDouble(b1) ||
        second.getAsDouble(b2)) {
      usage("--betas expects F,F with --optimizer=adamw, got '" + opts.betas +
            "'");
      return failure();
    }
    train.beta1 = b1;
    train.beta2 = b2;
  }
  if (train.lr <= 0 || train.momentum < 0 || train.gradClip < 0 ||
      train.eps < 0 || train.beta1 < 0 || train.beta1 >= 1 ||
      train.beta2 < 0 || train.beta2 >= 1) {
    usage("--lr must be > 0; --momentum, --grad-clip and --eps >= 0; "
          "--betas in [0, 1)");
    return failure();
  }
  return success();
}

/// Checks the flags that --help documents as choices or counts; returns the
/// exit code of a usage error, or 0.
int checkUsage(const DriverOptions &opts,
               const ParallelizePipelineOptions &plan) {
  bool onnx = StringRef(opts.input).ends_with(".onnx");
  // (cl::list's operator& gives its storage, hence addressof.)
  const llvm::cl::Option *importFlags[] = {std::addressof(opts.inputShapes),
                                           std::addressof(opts.constInputs),
                                           std::addressof(opts.inlineLimit)};
  if (!onnx)
    for (const llvm::cl::Option *flag : importFlags)
      if (flag->getNumOccurrences())
        return usage("--" + flag->ArgStr + " applies to ONNX models only");
  if (opts.target.getNumOccurrences() && opts.target != "cpu" &&
      opts.target != "cuda")
    return usage("--target must be cpu or cuda, got '" + opts.target + "'");
  if (opts.emit != "binary" && opts.emit != "source" && opts.emit != "plan")
    return usage("--emit must be binary, source or plan, got '" + opts.emit +
                 "'");
  const llvm::cl::Option *plannerFlags[] = {
      std::addressof(opts.gpus), std::addressof(opts.gpusPerNode),
      std::addressof(opts.globalBatch), std::addressof(opts.memoryLimit),
      std::addressof(opts.objective), std::addressof(opts.top)};
  if (!opts.autoPlan)
    for (const llvm::cl::Option *flag : plannerFlags)
      if (flag->getNumOccurrences())
        return usage("--" + flag->ArgStr + " needs --auto");
  if (opts.autoPlan) {
    if (opts.gpus < 1)
      return usage("--auto needs --gpus=N, the GPUs the plan runs on");
    if (opts.generate)
      return usage("--auto plans training and whole-batch inference; "
                   "--generate takes an explicit --pp/--tp");
    if (opts.pp.getNumOccurrences() || opts.tp.getNumOccurrences() ||
        opts.dp.getNumOccurrences() || opts.microbatches.getNumOccurrences() ||
        opts.schedule.getNumOccurrences() ||
        opts.virtualStages.getNumOccurrences() ||
        opts.sequenceParallel.getNumOccurrences() ||
        opts.zero.getNumOccurrences() || opts.recompute.getNumOccurrences())
      return usage("--auto chooses --pp, --tp, --dp, --microbatches, "
                   "--schedule, --virtual-stages, --sequence-parallel, "
                   "--zero and --recompute; give none of them");
    if (opts.objective != "throughput" && opts.objective != "latency")
      return usage("--objective must be throughput or latency, got '" +
                   opts.objective + "'");
    if (opts.objective == "latency" && opts.train)
      return usage("--objective=latency is for inference (one decoded "
                   "token); training maximises throughput");
    if (opts.top < 1 || opts.globalBatch < 0 || opts.memoryLimit < 0 ||
        opts.gpusPerNode < 0)
      return usage("--top, --global-batch, --memory-limit and "
                   "--gpus-per-node must be positive");
  }
  if (plan.dtype != "f32" && plan.dtype != "bf16" && plan.dtype != "f16")
    return usage("--dtype must be f32, bf16 or f16, got '" + plan.dtype + "'");
  bool cuda = opts.target == "cuda" ||
              (opts.target.empty() && (opts.emit == "plan" || opts.autoPlan));
  if (plan.dtype != "f32" && !cuda)
    return usage("--dtype=" + plan.dtype +
                 " needs --target=cuda; the cpu kernels compute in f32");
  for (auto [flag, value] :
       {std::pair<StringRef, int64_t>{"pp", plan.pp}, {"tp", plan.tp},
        {"dp", plan.dp}, {"microbatches", plan.microbatches},
        {"virtual-stages", opts.virtualStages.getNumOccurrences()
                               ? plan.virtualStages.getValue()
                               : int64_t(1)}})
    if (value < 1)
      return usage("--" + flag + " must be at least 1, got " + Twine(value));
  if (!opts.target.empty() && opts.output == "-")
    return usage("--target needs an output folder: -o OUT");
  const llvm::cl::Option *trainFlags[] = {
      std::addressof(opts.loss),        std::addressof(opts.logits),
      std::addressof(opts.labels),      std::addressof(opts.trainable),
      std::addressof(opts.frozen),      std::addressof(opts.optimizer),
      std::addressof(opts.lr),          std::addressof(opts.momentum),
      std::addressof(opts.weightDecay), std::addressof(opts.betas),
      std::addressof(opts.eps),         std::addressof(opts.gradClip),
      std::addressof(opts.recompute),   std::addressof(opts.noTie),
      std::addressof(opts.zero)};
  if (!opts.train)
    for (const llvm::cl::Option *flag : trainFlags)
      if (flag->getNumOccurrences())
        return usage("--" + flag->ArgStr + " needs --train");
  if (!parseRecompute(opts.recompute))
    return usage("--recompute must be none, full or selective, got '" +
                 opts.recompute + "'");
  if (opts.train && opts.loss != "cross-entropy")
    return usage("--loss must be cross-entropy, got '" + opts.loss + "'");
  if (opts.zero != 0 && opts.zero != 1)
    return usage("--zero must be 0 or 1, got " + Twine(int(opts.zero)));
  if (opts.zero == 1 && plan.dp < 2)
    return usage("--zero=1 shards the optimizer state over data-parallel "
                 "replicas; it needs --dp of at least 2");
  const llvm::cl::Option *generateFlags[] = {std::addressof(opts.maxSeq),
                                             std::addressof(opts.maxBatch),
                                             std::addressof(opts.prefillChunk)};
  if (!opts.generate)
    for (const llvm::cl::Option *flag : generateFlags)
      if (flag->getNumOccurrences())
        return usage("--" + flag->ArgStr + " needs --generate");
  if (opts.generate) {
    if (opts.train)
      return usage("--generate and --train do not mix");
    if (opts.maxSeq < 0 || opts.maxBatch < 0 || opts.prefillChunk < 0)
      return usage("--max-seq, --max-batch and --prefill-chunk must be "
                   "positive");
    if (plan.dp > 1 || plan.sequenceParallel ||
        opts.schedule.getNumOccurrences() ||
        opts.virtualStages.getNumOccurrences())
      return usage("--generate takes --pp, --tp and --microbatches; --dp, "
                   "--schedule, --virtual-stages and --sequence-parallel "
                   "are for training and whole batches");
    if (plan.dtype != "f32")
      return usage("--generate computes in f32 for now");
  }
  return 0;
}


OwningOpRef<ModuleOp> loadInput(MLIRContext &context, StringRef input,
                                const ImportOptions &importOptions,
                                llvm::SourceMgr &sourceMgr) {
  if (input.ends_with(".onnx"))
    return importOnnxModel(&context, input.str(), importOptions);
  std::string error;
  auto file = openInputFile(input, &error);
  if (!file) {
    llvm::errs() << "error: " << error << "\n";
    return {};
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

} // namespace

/// One line per diagnostic; ONNX node names come first.
void mlir::pp::printDiagnostic(Diagnostic &diag) {
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

int mlir::pp::runCompileDriver(const DriverOptions &opts,
                               DialectRegistry &registry) {
  FailureOr<ImportOptions> importOptions = importOptionsFrom(opts);
  if (failed(importOptions))
    return 2;
  ParallelizePipelineOptions plan;
  copyPlan(opts, plan);
  if (int code = checkUsage(opts, plan))
    return code;

  // --auto: the planner picks the plan the rest compiles; with --emit=plan
  // (or a plan flag and --hardware) plan.json carries its prediction.
  std::optional<PlanEstimate> planned;
  // --schedule=interleaved without --virtual-stages: the cost model picks
  // the chunks per rank.
  bool pickChunks = plan.schedule == "interleaved" && !opts.autoPlan &&
                    !opts.virtualStages.getNumOccurrences() && !opts.generate;
  if (opts.autoPlan && !StringRef(opts.input).ends_with(".onnx"))
    return usage("--auto reads an ONNX model");
  bool predict = StringRef(opts.input).ends_with(".onnx") &&
                 (opts.autoPlan || opts.emit == "plan" || pickChunks);
  if (predict) {
    llvm::Expected<HardwareSpec> hardware = loadHardware(plan.hardware);
    if (!hardware) {
      llvm::errs() << "error: hardware '" << plan.hardware
                   << "': " << llvm::toString(hardware.takeError()) << "\n";
      return 2;
    }
    FailureOr<ModelProfile> profile =
        profileInput(opts, registry, *importOptions, *hardware);
    if (failed(profile))
      return 1;
    if (opts.autoPlan) {
      planned = choosePlan(opts, *profile, *hardware);
      if (!planned)
        return 1;
      const PlanConfig &best = planned->config;
      int64_t batch = opts.globalBatch > 0 ? int64_t(opts.globalBatch)
                                           : profile->batch;
      if (batch != profile->batch) {
        llvm::outs() << "not compiled: the graph's batch is "
                     << profile->batch << "; export it at " << batch
                     << " to compile this plan\n";
        return 0;
      }
      plan.pp = best.pp;
      plan.tp = best.tp;
      plan.dp = best.dp;
      plan.microbatches = best.microbatches;
      plan.schedule = best.schedule;
      plan.virtualStages = best.virtualStages;
      plan.sequenceParallel = best.sequenceParallel;
      llvm::outs() << "compiling the best: " << best.str() << "\n";
      llvm::outs().flush();
    } else {
      PlanConfig config;
      config.pp = plan.pp;
      config.tp = plan.tp;
      config.dp = plan.dp;
      config.microbatches = plan.microbatches;
      config.schedule = plan.schedule;
      config.virtualStages = plan.virtualStages > 0 ? int64_t(plan.virtualStages)
                             : (config.schedule == "interleaved" ||
                                config.schedule == "zbv")
                                 ? 2
                                 : 1;
      config.recompute = opts.recompute;
      config.sequenceParallel = plan.sequenceParallel;
      config.zero = opts.zero;
      SearchOptions search = searchOptionsFrom(opts, *hardware);
      search.gpus = plan.pp * plan.tp * plan.dp;
      if (pickChunks) {
        // The fastest V that fits (else the fastest), among those the
        // layers allow; V = 2 when none does.
        std::optional<PlanEstimate> fastest, fitting;
        for (int64_t v = 2; v <= 8; ++v) {
          PlanConfig candidate = config;
          candidate.virtualStages = v;
          PlanRejection rejection;
          std::optional<PlanEstimate> e =
              estimatePlan(*profile, *hardware, search, candidate, rejection);
          if (!e)
            e = rejection.estimate;
          if (!e)
            continue;
          if (!fastest || e->stepSeconds < fastest->stepSeconds)
            fastest = e;
          if (!rejection.estimate &&
              (!fitting || e->stepSeconds < fitting->stepSeconds))
            fitting = e;
        }
        if (std::optional<PlanEstimate> best = fitting ? fitting : fastest) {
          config.virtualStages = best->config.virtualStages;
          plan.virtualStages = config.virtualStages;
          llvm::errs() << "note: --schedule=interleaved: the cost model on "
                       << hardware->name << " picks --virtual-stages="
                       << config.virtualStages << " (predicted step "
                       << llvm::formatv("{0:F3}", best->stepSeconds * 1e3)
                       << " ms)\n";
        }
      }
      PlanRejection rejection;
      planned = estimatePlan(*profile, *hardware, search, config, rejection);
      if (!planned && rejection.estimate)
        planned = rejection.estimate; // over memory: still predicted
    }
  }

  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  // The passes named on the command line, as mlir-opt would run them.
  if (failed(MlirOptMainConfig::createFromCLOptions().setupPassPipeline(pm)))
    return 1;
  bool namedPasses = pm.size() > 0;
  if (namedPasses && opts.givesPlan())
    return usage("plan flags (--pp, --tp, ...) and pass flags do not mix; "
                 "name the plan as a pass: --pp-parallelize=\"pp=2 tp=2 ...\"");
  // Without named passes, the plan's pipeline: a parallel plan always, and
  // the single-device recipe when compiling.
  if (opts.generate) {
    if (namedPasses)
      return usage("--generate and pass flags do not mix");
    GenerateOptions generate;
    generate.maxSeq = opts.maxSeq;
    generate.maxBatch = opts.maxBatch;
    generate.prefillChunk = opts.prefillChunk;
    addGeneratePipeline(pm, plan, generate);
  }
  if (opts.train) {
    if (namedPasses)
      return usage("--train and pass flags do not mix; name the training "
                   "pipeline as a pass: --pp-train=\"logits=...\"");
    TrainPipelineOptions train;
    train.logits = opts.logits.getValue();
    train.labels = opts.labels.getValue();
    train.trainable = llvm::to_vector(opts.trainable);
    train.frozen = llvm::to_vector(opts.frozen);
    train.recompute = opts.recompute.getValue();
    if (opts.autoPlan && planned) {
      train.recompute = planned->config.recompute;
      train.zero = planned->config.zero;
    }
    train.batchDim = plan.batchDim.getValue();
    if (failed(copyOptimizer(opts, train)))
      return 2;
    if (plan.isParallel())
      addParallelizePipeline(pm, plan, &train);
    else
      addTrainPipeline(pm, train);
  }
  std::string target = opts.target;
  if (target.empty() && (opts.emit == "plan" || opts.autoPlan))
    target = "cuda"; // a plan is for GPUs unless --target says otherwise
  if (!namedPasses && !(opts.train && plan.isParallel()) && !opts.generate &&
      (plan.isParallel() || !target.empty()))
    addParallelizePipeline(pm, plan);

  llvm::SourceMgr sourceMgr;
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  OwningOpRef<ModuleOp> module =
      loadInput(context, opts.input, *importOptions, sourceMgr);
  if (!module || failed(pm.run(*module)))
    return 1;

  if (target.empty()) {
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
  targetOptions.target = target;
  targetOptions.outputDir = opts.output;
  targetOptions.buildBinary = opts.emit == "binary";
  targetOptions.planOnly = opts.emit == "plan";
  targetOptions.planned = planned;
  targetOptions.hardware = plan.hardware;
  return failed(emitProgram(*module, targetOptions)) ? 1 : 0;
}
