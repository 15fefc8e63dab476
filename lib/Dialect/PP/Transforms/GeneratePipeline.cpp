//===- GeneratePipeline.cpp - pp-opt --generate ---------------------------===//

#include "pp/Dialect/PP/Transforms/Pipelines.h"

#include "pp/Dialect/PP/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::pp;

void mlir::pp::addGeneratePipeline(OpPassManager &pm,
                                   const ParallelizePipelineOptions &plan,
                                   const GenerateOptions &generate) {
  // As addParallelizePipeline, without cutting the batch: the norms fused,
  // the stages chosen (creating the mesh), split out and sharded; then
  // each stage becomes a prefill and a decode step.
  pm.addPass(createFuseNormsPass());
  PartitionStagesPassOptions partition;
  partition.numStages = plan.pp;
  partition.tp = plan.tp;
  partition.hardware = plan.hardware;
  pm.addPass(createPartitionStagesPass(partition));
  pm.addPass(createSplitStagesPass());
  pm.addPass(createShardTensorParallelPass());
  StageGenerationPassOptions step;
  step.maxSeq = generate.maxSeq;
  step.prefillChunk = generate.prefillChunk;
  pm.addPass(createStageGenerationPass(step));
}
