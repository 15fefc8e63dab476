//===- GeneratePipeline.cpp - pp-opt --generate ---------------------------===//

#include "pp/Dialect/PP/Transforms/Pipelines.h"

#include "pp/Dialect/PP/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::pp;

void mlir::pp::addGeneratePipeline(OpPassManager &pm,
                                   const ParallelizePipelineOptions &plan,
                                   const GenerateOptions &generate) {
  // As addParallelizePipeline: the batch cut into micro-batches (which flow
  // through the pipeline stages one after another), the norms fused, the
  // stages chosen (creating the mesh), split out and sharded; then each
  // stage becomes a prefill and a decode step.
  if (plan.microbatches > 1) {
    SplitBatchPassOptions batch;
    batch.factor = plan.microbatches;
    batch.batchSize = plan.batchSize;
    batch.batchDim = plan.batchDim;
    pm.addPass(createSplitBatchPass(batch));
  }
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
  step.maxBatch = generate.maxBatch;
  step.prefillChunk = generate.prefillChunk;
  pm.addPass(createStageGenerationPass(step));
}
