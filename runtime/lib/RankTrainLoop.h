//===- RankTrainLoop.h - the step loop of a parallel training program -*- C++ -*-===//

#ifndef PPRT_LIB_RANKTRAINLOOP_H
#define PPRT_LIB_RANKTRAINLOOP_H

#include "RankSetup.h"
#include "pprt/Comm.h"

#include <functional>

namespace pprt {

/// Called with a stage once its last W of the step is done: its gradients
/// are final.
using GradientsDone = std::function<void(int stage)>;

/// Runs options.steps training steps on one rank of a program with stage
/// functions; `runActions` runs the rank's schedule once and waits, calling
/// its argument as each stage's gradients become final. Returns the exit
/// status (the same on every rank).
int trainRank(const Job &job, const std::vector<int64_t> &coords,
              const std::vector<int> &stages, RankState &state,
              RankBuffers &buffers, Comm &comm,
              const std::function<void(const GradientsDone &)> &runActions);

} // namespace pprt

#endif // PPRT_LIB_RANKTRAINLOOP_H
