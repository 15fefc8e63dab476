//===- CostModel.h - what each pass and message costs -----------*- C++ -*-===//
//
// The simulator's inputs: per virtual stage, the time of F, B and W and the
// bytes the stage keeps alive or sends; per message, a latency plus bytes
// over bandwidth. Times are in one arbitrary unit (pp-schedule and traces
// read it as milliseconds); bytes are bytes.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_COSTMODEL_H
#define PP_SCHEDULE_COSTMODEL_H

#include "pp/Schedule/Action.h"

#include <vector>

namespace pp::schedule {

class StageMap;

struct StageCost {
  double forward = 1;
  double inputGrad = 1;
  double weightGrad = 1;
  /// Activations one micro-batch stashes on this stage, held from the start
  /// of its F to the end of its B.
  double activationBytes = 0;
  /// What W still needs after B (inputs of the weight GEMMs and the output
  /// gradients), held from the end of B to the end of W.
  double weightGradBytes = 0;
  /// Size of the stage's output (and of the gradient that comes back).
  double outputBytes = 0;
};

struct CommCost {
  /// Time of every point-to-point message, before its bytes.
  double latency = 0;
  /// Bytes per time unit; 0 means infinite (messages cost `latency`).
  double bandwidth = 0;
  /// Time of every collective.
  double collective = 0;

  double messageTime(double bytes) const;
};

struct CostModel {
  /// One entry per virtual stage, indexed by stage number.
  std::vector<StageCost> stages;
  CommCost comm;

  /// Uniform stages: f, b and w (and the activation bytes) are what one
  /// rank's whole share of the model costs, so each of its `chunks` chunks
  /// costs a 1/chunks part. This is how design.md section 4 counts
  /// interleaved ("each chunk costs 1/v") and ZBV ("each chunk f/2").
  static CostModel uniform(const StageMap &stages, double forward,
                           double inputGrad, double weightGrad,
                           double activationBytes = 0);

  /// The time of a compute action of `kind` on `stage`.
  double computeTime(ActionKind kind, int stage) const;
};

} // namespace pp::schedule

#endif // PP_SCHEDULE_COSTMODEL_H
