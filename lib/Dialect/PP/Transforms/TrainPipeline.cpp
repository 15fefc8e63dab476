//===- TrainPipeline.cpp - pp-opt --train as one pipeline ----------------===//
//
// One device: the loss on the logits, reverse-mode gradients as forward, B
// and W functions, those joined into one @main that returns the loss and
// every weight gradient, then the optimizer's step on them. Registered as `--pp-train` so that a .mlir
// file gets the same IR as `pp-opt model.onnx --train`.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Pipelines.h"

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::pp;

void mlir::pp::addTrainingPrecision(OpPassManager &pm) {
  ConvertFloatTypePassOptions widen;
  widen.to = "f32";
  pm.addPass(createConvertFloatTypePass(widen));
}

void mlir::pp::addTrainPipeline(OpPassManager &pm,
                                const TrainPipelineOptions &options) {
  addTrainingPrecision(pm);
  // The batch dim of each input and output, as pp-split-batch finds it
  // (nothing is cut): the step loop slices a data file holding several
  // batches along it, as the parallel programs do.
  SplitBatchPassOptions batch;
  batch.factor = 1;
  batch.batchDim = options.batchDim;
  pm.addPass(createSplitBatchPass(batch));
  // Norms first: their gradient rules are cheaper and exact in one piece.
  pm.addPass(createFuseNormsPass());
  AddLossPassOptions loss;
  loss.logits = options.logits;
  loss.labels = options.labels;
  pm.addPass(createAddLossPass(loss));
  AutodiffPassOptions autodiff;
  autodiff.trainable.assign(options.trainable.begin(), options.trainable.end());
  autodiff.frozen.assign(options.frozen.begin(), options.frozen.end());
  pm.addPass(createAutodiffPass(autodiff));
  GradientProgramPassOptions program;
  program.recompute = options.recompute;
  pm.addPass(createGradientProgramPass(program));
  ApplyOptimizerPassOptions step;
  step.optimizer = options.optimizer;
  step.lr = options.lr;
  step.momentum = options.momentum;
  step.weightDecay = options.weightDecay;
  step.beta1 = options.beta1;
  step.beta2 = options.beta2;
  step.eps = options.eps;
  step.gradClip = options.gradClip;
  pm.addPass(createApplyOptimizerPass(step));
  // B and W rebuild the weights and masks they read: one copy of each.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::pp::registerTrainPipeline() {
  PassPipelineRegistration<TrainPipelineOptions>(
      "pp-train",
      "Training on one device: split-batch (factor 1: batch dims), "
      "fuse-norms, add-loss, autodiff, "
      "gradient-program (one @main returning the loss and the gradients), "
      "apply-optimizer",
      addTrainPipeline);
}
