//===- CostModel.cpp - what each pass and message costs -------------------===//

#include "pp/Schedule/CostModel.h"

#include "pp/Schedule/StageMap.h"

namespace pp::schedule {

double CommCost::messageTime(double bytes) const {
  return latency + (bandwidth > 0 ? bytes / bandwidth : 0);
}

CostModel CostModel::uniform(const StageMap &stages, double forward,
                             double inputGrad, double weightGrad,
                             double activationBytes) {
  double share = 1.0 / stages.numChunks();
  StageCost stage;
  stage.forward = forward * share;
  stage.inputGrad = inputGrad * share;
  stage.weightGrad = weightGrad * share;
  stage.activationBytes = activationBytes * share;
  CostModel model;
  model.stages.assign(stages.numStages(), stage);
  return model;
}

double CostModel::computeTime(ActionKind kind, int stage) const {
  const StageCost &cost = stages[stage];
  switch (kind) {
  case ActionKind::Forward:
    return cost.forward;
  case ActionKind::InputGrad:
    return cost.inputGrad;
  case ActionKind::WeightGrad:
    return cost.weightGrad;
  default:
    return 0;
  }
}

} // namespace pp::schedule
