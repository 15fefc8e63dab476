//===- ParallelizePipeline.cpp - the parallel plan as one pipeline -------===//
//
// The recipe pp-opt runs for a plan (`--pp=P --tp=T --dp=D --microbatches=M
// --schedule=S ...`), registered as `--pp-parallelize="pp=P tp=T ..."` so a
// .mlir file gets exactly the IR the ONNX driver produces. The order of the
// passes is forced by what each one reads; the comment on each step says
// which.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Pipelines.h"

#include "pp/Dialect/PP/Transforms/Passes.h"
#include "pp/Schedule/Generators.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::pp;

bool ParallelizePipelineOptions::isParallel() const {
  return pp * tp * dp * microbatches * chunksPerRank() > 1 ||
         !stageLayers.empty();
}

int64_t ParallelizePipelineOptions::chunksPerRank() const {
  if (virtualStages > 0)
    return virtualStages;
  std::optional<::pp::schedule::ScheduleKind> kind =
      ::pp::schedule::parseScheduleKind(schedule.getValue());
  if (!kind)
    return 1;
  ::pp::schedule::GeneratorOptions generator;
  generator.kind = *kind;
  return ::pp::schedule::effectiveVirtualStages(generator);
}

std::string ParallelizePipelineOptions::placement() const {
  // A schedule file keeps the loop: its placement is checked against the
  // stages by pp-build-schedule, which names the option to change.
  std::optional<::pp::schedule::ScheduleKind> kind =
      ::pp::schedule::parseScheduleKind(schedule.getValue());
  return ::pp::schedule::placementName(
      kind ? ::pp::schedule::schedulePlacement(*kind)
           : ::pp::schedule::Placement::Loop);
}

void mlir::pp::addParallelizePipeline(OpPassManager &pm,
                                      const ParallelizePipelineOptions &options,
                                      const TrainPipelineOptions *train) {
  if (train)
    addTrainingPrecision(pm);
  if (options.isParallel()) {
    // 1. Cut the batch first, on @main: every later pass, and the cost
    //    model that balances the stages, then sees what one rank computes
    //    per micro-batch. The pass rewrites @main only, so it must run
    //    before the stages are split out of it.
    SplitBatchPassOptions batch;
    batch.factor = options.dp * options.microbatches;
    batch.batchSize = options.batchSize;
    batch.batchDim = options.batchDim;
    pm.addPass(createSplitBatchPass(batch));
  }
  // 2. Fuse norms before partitioning, so that the balancer prices one norm
  //    kernel instead of five memory-bound ops, and before tensor
  //    parallelism, whose rules keep norm inputs replicated by recognising
  //    pp.layer_norm and pp.rms_norm.
  pm.addPass(createFuseNormsPass());
  // Training: the loss of one micro-batch, on @main before the stages are
  // cut, so that the last stage computes it.
  if (train) {
    AddLossPassOptions loss;
    loss.logits = train->logits;
    loss.labels = train->labels;
    pm.addPass(createAddLossPass(loss));
  }
  if (options.isParallel()) {
    // 3. Choose the stages on the whole (unsharded) @main; this also
    //    creates the mesh @world whose "pp" and "tp" axes the passes below
    //    read.
    PartitionStagesPassOptions partition;
    partition.numStages = options.pp;
    // The schedule decides how many chunks each rank holds (unless given)
    //    and how they sit on the ranks (zbv: a V), so the stages are cut
    //    and wired the way its actions expect.
    partition.virtualStages = options.chunksPerRank();
    partition.placement = options.placement();
    partition.stageLayers.assign(options.stageLayers.begin(),
                                 options.stageLayers.end());
    partition.dp = options.dp;
    partition.tp = options.tp;
    partition.hardware = options.hardware;
    pm.addPass(createPartitionStagesPass(partition));
    // 4. Move each stage into its own function, reading the pp.stage
    //    annotations that step 3 wrote.
    pm.addPass(createSplitStagesPass());
    // 5. Shard each stage function after the split, so that values crossing
    //    a stage boundary are made replicated where they are sent: a
    //    pp.send carries the whole value.
    ShardTensorParallelPassOptions shard;
    shard.sequenceParallel = options.sequenceParallel;
    pm.addPass(createShardTensorParallelPass(shard));
    // Training: each stage's F, B, W and update functions.
    if (train) {
      StageTrainingPassOptions step;
      step.trainable.assign(train->trainable.begin(), train->trainable.end());
      step.frozen.assign(train->frozen.begin(), train->frozen.end());
      step.optimizer = train->optimizer;
      step.lr = train->lr;
      step.momentum = train->momentum;
      step.weightDecay = train->weightDecay;
      step.beta1 = train->beta1;
      step.beta2 = train->beta2;
      step.eps = train->eps;
      step.gradClip = train->gradClip;
      step.zero = train->zero;
      step.recompute = train->recompute;
      pm.addPass(createStageTrainingPass(step));
    }
    // 6. The schedule needs the stage functions (the chunks of each rank)
    //    and the mesh's "pp" axis.
    BuildSchedulePassOptions schedule;
    schedule.schedule = options.schedule;
    schedule.microbatches = options.microbatches;
    schedule.training = train != nullptr;
    pm.addPass(createBuildSchedulePass(schedule));
    // B and W rebuild the weights and masks they read: one copy of each.
    if (train) {
      pm.addPass(createCSEPass());
      pm.addPass(createCanonicalizerPass());
    }
  }
  // 7. The compute type comes last: every pass above reasons about f32
  //    constants and weights, and this one only changes element types.
  if (options.dtype != "f32") {
    ConvertFloatTypePassOptions convert;
    convert.to = options.dtype;
    pm.addPass(createConvertFloatTypePass(convert));
  }
}

void mlir::pp::registerParallelizePipeline() {
  PassPipelineRegistration<ParallelizePipelineOptions>(
      "pp-parallelize",
      "The parallel plan of pp-opt's --pp/--tp/--dp/... flags as one "
      "pipeline: split-batch, fuse-norms, partition-stages, split-stages, "
      "shard-tensor-parallel, build-schedule, convert-float-type",
      [](OpPassManager &pm, const ParallelizePipelineOptions &options) {
        addParallelizePipeline(pm, options);
      });
}
