//===- DriverOptions.h - pp-opt's own command-line flags --------*- C++ -*-===//
//
// The flags that mlir-opt does not have, in the categories `pp-opt --help`
// prints, one line each. The plan flags mirror ParallelizePipelineOptions:
// only the flags given on the command line are copied into it, so the
// defaults live in one place, the pipeline's options.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_DRIVER_DRIVEROPTIONS_H
#define PP_LIB_DRIVER_DRIVEROPTIONS_H

#include "llvm/Support/CommandLine.h"

#include <string>

namespace mlir::pp {

/// The categories --help shows; everything else is hidden (--help-hidden).
llvm::cl::OptionCategory &inputCategory();
llvm::cl::OptionCategory &planCategory();
llvm::cl::OptionCategory &outputCategory();
llvm::cl::OptionCategory &trainCategory();
llvm::cl::OptionCategory &generateCategory();
llvm::cl::OptionCategory &plannerCategory();

struct DriverOptions {
  template <typename T> using opt = llvm::cl::opt<T>;
  template <typename T> using list = llvm::cl::list<T>;
  using desc = llvm::cl::desc;
  using cat = llvm::cl::cat;

  //--- Input ---------------------------------------------------------------
  opt<std::string> input{llvm::cl::Positional,
                         desc("<model.onnx | file.mlir>"), llvm::cl::init("-"),
                         cat(inputCategory())};
  list<std::string> inputShapes{
      "input-shape",
      desc("Static shape of a graph input, NAME:8x16 (repeatable)"),
      llvm::cl::value_desc("NAME:AxB"), llvm::cl::CommaSeparated,
      cat(inputCategory())};
  list<std::string> constInputs{
      "const-input",
      desc("Bind a graph input to a value at compile time (repeatable)"),
      llvm::cl::value_desc("NAME=FILE.npy"), cat(inputCategory())};
  opt<uint64_t> inlineLimit{
      "inline-limit-bytes",
      desc("Initializers up to N bytes become constants (default 4096)"),
      llvm::cl::value_desc("N"), llvm::cl::init(4096), cat(inputCategory())};

  //--- Parallel plan (copied into ParallelizePipelineOptions) ---------------
  opt<int64_t> pp{"pp", desc("Pipeline stages"), llvm::cl::value_desc("P"),
                  cat(planCategory())};
  opt<int64_t> tp{"tp", desc("Tensor-parallel ranks per stage"),
                  llvm::cl::value_desc("T"), cat(planCategory())};
  opt<int64_t> dp{"dp", desc("Data-parallel replicas (split the batch)"),
                  llvm::cl::value_desc("D"), cat(planCategory())};
  opt<int64_t> microbatches{"microbatches",
                            desc("Micro-batches per step (split the batch)"),
                            llvm::cl::value_desc("M"), cat(planCategory())};
  opt<std::string> schedule{
      "schedule",
      desc("gpipe, 1f1b (default), interleaved, zb-h1, zbv, or a schedule file"),
      llvm::cl::value_desc("S|FILE"), cat(planCategory())};
  opt<int64_t> virtualStages{"virtual-stages",
                             desc("Model chunks per pipeline rank"),
                             llvm::cl::value_desc("V"), cat(planCategory())};
  list<int64_t> stageLayers{
      "stage-layers", desc("Layers per stage, e.g. 4,6,6,4 (not balanced)"),
      llvm::cl::value_desc("a,b,..."), llvm::cl::CommaSeparated,
      cat(planCategory())};
  opt<bool> sequenceParallel{
      "sequence-parallel",
      desc("Split norms and the residual along the sequence over tp"),
      cat(planCategory())};
  opt<std::string> batchDim{
      "batch-dim", desc("Input dim that holds the batch ([T, B] models)"),
      llvm::cl::value_desc("NAME:AXIS"), cat(planCategory())};
  opt<std::string> hardware{
      "hardware",
      desc("Cost-model preset or JSON file (default h100-sxm)"),
      llvm::cl::value_desc("NAME|FILE"), cat(planCategory())};

  //--- Training (one device) -------------------------------------------------
  opt<bool> train{"train",
                  desc("Compile a training step: the loss and every weight "
                       "gradient"),
                  cat(trainCategory())};
  opt<std::string> loss{"loss", desc("The loss (cross-entropy, the default)"),
                        llvm::cl::value_desc("cross-entropy"),
                        llvm::cl::init("cross-entropy"), cat(trainCategory())};
  opt<std::string> logits{"logits",
                          desc("Output the loss reads (default: the only "
                               "float output)"),
                          llvm::cl::value_desc("NAME"), cat(trainCategory())};
  opt<std::string> labels{"labels",
                          desc("Name of the new int64 labels input"),
                          llvm::cl::value_desc("NAME"),
                          llvm::cl::init("labels"), cat(trainCategory())};
  list<std::string> trainable{
      "trainable", desc("Train these weights whatever the default rule"),
      llvm::cl::value_desc("GLOB,..."), llvm::cl::CommaSeparated,
      cat(trainCategory())};
  list<std::string> frozen{"frozen", desc("Freeze these weights (wins)"),
                           llvm::cl::value_desc("GLOB,..."),
                           llvm::cl::CommaSeparated, cat(trainCategory())};
  opt<std::string> optimizer{"optimizer", desc("sgd (default) or adamw"),
                             llvm::cl::value_desc("sgd|adamw"),
                             cat(trainCategory())};
  opt<double> lr{"lr", desc("Learning rate (default 1e-3)"),
                 llvm::cl::value_desc("F"), cat(trainCategory())};
  opt<double> momentum{"momentum", desc("SGD momentum (default 0)"),
                       llvm::cl::value_desc("F"), cat(trainCategory())};
  opt<double> weightDecay{"weight-decay",
                          desc("Weight decay (sgd 0, adamw 0.01 by default)"),
                          llvm::cl::value_desc("F"), cat(trainCategory())};
  opt<std::string> betas{"betas", desc("AdamW betas (default 0.9,0.999)"),
                         llvm::cl::value_desc("F,F"), cat(trainCategory())};
  opt<double> eps{"eps", desc("AdamW epsilon (default 1e-8)"),
                  llvm::cl::value_desc("F"), cat(trainCategory())};
  opt<double> gradClip{"grad-clip", desc("Clip the gradients' global norm"),
                       llvm::cl::value_desc("F"), cat(trainCategory())};
  opt<int> zero{"zero",
                desc("1: shard the optimizer state over --dp (ZeRO-1): "
                     "reduce-scatter the gradients, update a shard, "
                     "all-gather the weights"),
                llvm::cl::value_desc("0|1"), llvm::cl::init(0),
                cat(trainCategory())};
  opt<std::string> recompute{
      "recompute",
      desc("none (default); full: keep each layer's input and recompute "
           "the layer in its backward; selective: recompute only "
           "attention's core (scores and softmax)"),
      llvm::cl::value_desc("none|full|selective"), llvm::cl::init("none"),
      cat(trainCategory())};
  opt<bool> noTie{"no-tie",
                  desc("Train initializers that hold another's values "
                       "(transposed) apart"),
                  cat(trainCategory())};

  //--- Generation ----------------------------------------------------------
  opt<bool> generate{"generate",
                     desc("Compile a KV-cached token generator: prefill and "
                          "decode steps (docs/generation.md)"),
                     cat(generateCategory())};
  opt<int64_t> maxSeq{"max-seq",
                      desc("Positions the caches hold (default and most: "
                           "the exported sequence length; a symbolic "
                           "sequence dim is bound to it)"),
                      llvm::cl::init(0), cat(generateCategory())};
  opt<int64_t> maxBatch{"max-batch",
                        desc("Sequences generated at once (default: the "
                             "exported batch; a symbolic batch dim is bound "
                             "to it)"),
                        llvm::cl::init(0), cat(generateCategory())};
  opt<int64_t> prefillChunk{"prefill-chunk",
                            desc("Positions one prefill call runs (default: "
                                 "max-seq)"),
                            llvm::cl::init(0), cat(generateCategory())};

  //--- Planner ---------------------------------------------------------------
  opt<bool> autoPlan{"auto",
                     desc("Choose P, T, D, micro-batches, schedule, recompute, "
                          "sequence parallelism and ZeRO for --gpus on "
                          "--hardware; print the ranked plans and why the "
                          "others were rejected; then compile the best "
                          "(docs/planner.md)"),
                     cat(plannerCategory())};
  opt<int64_t> gpus{"gpus", desc("GPUs the plan runs on (with --auto)"),
                    llvm::cl::init(0), cat(plannerCategory())};
  opt<int64_t> gpusPerNode{"gpus-per-node",
                           desc("GPUs per node (default: the hardware's)"),
                           llvm::cl::init(0), cat(plannerCategory())};
  opt<int64_t> globalBatch{"global-batch",
                           desc("Samples per step (default: the graph's "
                                "batch)"),
                           llvm::cl::init(0), cat(plannerCategory())};
  opt<double> memoryLimit{"memory-limit",
                          desc("GiB a GPU may use (default: its HBM)"),
                          llvm::cl::init(0), cat(plannerCategory())};
  opt<std::string> objective{
      "objective",
      desc("throughput (default): tokens per second over the global batch; "
           "latency: one decoded token at batch 1 (inference)"),
      llvm::cl::value_desc("throughput|latency"), llvm::cl::init("throughput"),
      cat(plannerCategory())};
  opt<int64_t> top{"top", desc("Plans the --auto table lists (default 5)"),
                   llvm::cl::init(5), cat(plannerCategory())};

  //--- Output ----------------------------------------------------------------
  opt<std::string> output{"o", desc("Output file, or folder with --target"),
                          llvm::cl::value_desc("path"), llvm::cl::init("-"),
                          cat(outputCategory())};
  opt<std::string> target{"target",
                          desc("Compile for cpu or cuda into the -o folder"),
                          llvm::cl::value_desc("cpu|cuda"),
                          cat(outputCategory())};
  opt<std::string> emit{
      "emit", desc("binary (default): build OUT/run; source: stop at "
                   "OUT/src; plan: write only plan.txt and plan.json"),
      llvm::cl::value_desc("binary|source|plan"), llvm::cl::init("binary"),
      cat(outputCategory())};
  opt<std::string> dtype{
      "dtype", desc("f32 (default), or bf16/f16 with --target=cuda"),
      llvm::cl::value_desc("f32|bf16|f16"), cat(outputCategory())};

  /// True when a flag that only the compile driver reads was given, or the
  /// input is an ONNX model: then pp-opt is not mlir-opt.
  bool isCompileInvocation() const;
  /// True when a flag that builds the plan pipeline was given.
  bool givesPlan() const;
};

} // namespace mlir::pp

#endif // PP_LIB_DRIVER_DRIVEROPTIONS_H
