//===- Pipelines.h - pp's pass pipelines ------------------------*- C++ -*-===//
//
// Each pipeline is an options struct and an `add...Pipeline` builder. The
// builder is what pp-opt runs for its plan flags (`--pp=2 --tp=2 ...`), and
// the registration makes the same recipe a pass flag
// (`--pp-parallelize="pp=2 tp=2"`), so a .mlir file reaches the IR the ONNX
// driver produces.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_PIPELINES_H
#define PP_DIALECT_PP_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::pp {

/// The parallel plan: one option per plan flag of pp-opt (docs/cli.md).
struct ParallelizePipelineOptions
    : public PassPipelineOptions<ParallelizePipelineOptions> {
  Option<int64_t> pp{*this, "pp", llvm::cl::desc("Pipeline stages"),
                     llvm::cl::init(1)};
  Option<int64_t> tp{*this, "tp",
                     llvm::cl::desc("Tensor-parallel ranks per stage"),
                     llvm::cl::init(1)};
  Option<int64_t> dp{*this, "dp",
                     llvm::cl::desc("Data-parallel replicas of the pipeline"),
                     llvm::cl::init(1)};
  Option<int64_t> microbatches{*this, "microbatches",
                               llvm::cl::desc("Micro-batches per step"),
                               llvm::cl::init(1)};
  Option<int64_t> virtualStages{
      *this, "virtual-stages",
      llvm::cl::desc("Model chunks per pipeline rank; 0: the schedule's "
                     "(2 for interleaved and zbv, else 1)"),
      llvm::cl::init(0)};
  ListOption<int64_t> stageLayers{
      *this, "stage-layers",
      llvm::cl::desc("Layers per (virtual) stage instead of the balancer's")};
  Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("gpipe, 1f1b, interleaved, zb-h1, zbv, or a schedule file"),
      llvm::cl::init("1f1b")};
  Option<bool> sequenceParallel{
      *this, "sequence-parallel",
      llvm::cl::desc("Split norms and the residual along the sequence"),
      llvm::cl::init(false)};
  Option<std::string> hardware{
      *this, "hardware",
      llvm::cl::desc("Hardware preset or JSON file the balancer prices on"),
      llvm::cl::init("h100-sxm")};
  Option<int64_t> batchSize{
      *this, "batch-size",
      llvm::cl::desc("The batch size B; 0 means dim 0 of the first input"),
      llvm::cl::init(0)};
  Option<std::string> batchDim{
      *this, "batch-dim",
      llvm::cl::desc("NAME:AXIS: the input dim that holds the batch; empty: "
                     "dim 0"),
      llvm::cl::init("")};
  Option<std::string> dtype{
      *this, "dtype",
      llvm::cl::desc("Compute in f32 (default), bf16 or f16"),
      llvm::cl::init("f32")};

  /// True when the plan splits anything: more than one rank, micro-batch or
  /// chunk, or a fixed stage split.
  bool isParallel() const;
  /// Chunks per pipeline rank: --virtual-stages, or the generated
  /// schedule's own count.
  int64_t chunksPerRank() const;
  /// "loop", or "v" for a schedule that places its chunks in a V (zbv).
  std::string placement() const;
};

/// Adds the passes that turn imported graph IR into the parallel program
/// `options` describes (or, for a plan of one rank, the single-device
/// program): batch split, norm fusion, stage partitioning, tensor
/// parallelism, the schedule and the compute type, in the order they need.
struct TrainPipelineOptions;
/// With `train`, a parallel training step (docs/training.md): the loss
/// before the stages are cut, each stage's F, B, W and update functions
/// (pp-stage-training) and a schedule with backward actions.
void addParallelizePipeline(OpPassManager &pm,
                            const ParallelizePipelineOptions &options,
                            const TrainPipelineOptions *train = nullptr);

/// Registers `--pp-parallelize`.
void registerParallelizePipeline();

/// pp-opt --train on one device: the loss, the gradients, and one @main
/// returning both.
struct TrainPipelineOptions : public PassPipelineOptions<TrainPipelineOptions> {
  Option<std::string> logits{
      *this, "logits",
      llvm::cl::desc("The output the loss reads (default: the only float "
                     "output)"),
      llvm::cl::init("")};
  Option<std::string> labels{*this, "labels",
                             llvm::cl::desc("Name of the labels input"),
                             llvm::cl::init("labels")};
  ListOption<std::string> trainable{
      *this, "trainable",
      llvm::cl::desc("Globs of weights to train whatever the default rule")};
  ListOption<std::string> frozen{
      *this, "frozen", llvm::cl::desc("Globs of weights to freeze")};
  Option<std::string> optimizer{*this, "optimizer",
                                llvm::cl::desc("sgd (default) or adamw"),
                                llvm::cl::init("sgd")};
  Option<double> lr{*this, "lr", llvm::cl::desc("Learning rate"),
                    llvm::cl::init(1e-3)};
  Option<double> momentum{*this, "momentum", llvm::cl::desc("sgd momentum"),
                          llvm::cl::init(0)};
  Option<double> weightDecay{
      *this, "weight-decay",
      llvm::cl::desc("Weight decay (default: sgd 0, adamw 0.01)"),
      llvm::cl::init(-1)};
  Option<double> beta1{*this, "beta1", llvm::cl::desc("adamw beta1"),
                       llvm::cl::init(0.9)};
  Option<double> beta2{*this, "beta2", llvm::cl::desc("adamw beta2"),
                       llvm::cl::init(0.999)};
  Option<double> eps{*this, "eps", llvm::cl::desc("adamw epsilon"),
                     llvm::cl::init(1e-8)};
  Option<double> gradClip{
      *this, "grad-clip",
      llvm::cl::desc("Clip the gradients' global 2-norm (0: off)"),
      llvm::cl::init(0)};
  Option<int> zero{
      *this, "zero",
      llvm::cl::desc("1: shard the optimizer state over dp (ZeRO-1)"),
      llvm::cl::init(0)};
  Option<std::string> recompute{
      *this, "recompute",
      llvm::cl::desc("none, or full: recompute each layer in its backward"),
      llvm::cl::init("none")};
  Option<std::string> batchDim{
      *this, "batch-dim",
      llvm::cl::desc("NAME:AXIS: the input dim that holds the batch, where "
                     "the export names none (as pp-split-batch)"),
      llvm::cl::init("")};
};

void addTrainPipeline(OpPassManager &pm, const TrainPipelineOptions &options);

/// The first pass of every training pipeline: a model stored in bf16 or
/// f16 computes in f32, so that the weights training updates and their
/// gradients are f32 (--dtype=bf16 narrows again, as mixed precision).
void addTrainingPrecision(OpPassManager &pm);

/// Registers `--pp-train`.
void registerTrainPipeline();

/// pp-opt --generate: the sizes of pp-stage-generation.
struct GenerateOptions {
  int64_t maxSeq = 0;
  int64_t maxBatch = 0;
  int64_t prefillChunk = 0;
};

/// A generation program (docs/generation.md): the stages `plan` asks for
/// (one, with its tensor parallelism), each turned into prefill and decode
/// steps.
void addGeneratePipeline(OpPassManager &pm,
                         const ParallelizePipelineOptions &plan,
                         const GenerateOptions &generate);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_PIPELINES_H
