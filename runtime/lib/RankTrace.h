//===- RankTrace.h - run --trace: a measured timeline -----------*- C++ -*-===//

#ifndef PPRT_LIB_RANKTRACE_H
#define PPRT_LIB_RANKTRACE_H

#include "RankSetup.h"

#include <functional>
#include <string>
#include <vector>

namespace pprt {

/// "F3.1", "SEND F3.1->2", "RECV F3.0<-1": `a` in the schedule text format.
std::string actionName(const Job &job, const Action &a);

/// Runs one more step with a clock around every action (synchronizing the
/// device after each, so a time is the action's own) and has rank 0 write
/// the timeline of one rank per pipeline coordinate, in milliseconds, as
/// the simulator writes its prediction, to --trace.
bool traceStep(const Job &job, int rank, const std::vector<Action> &actions,
               const std::function<void(size_t)> &runAction, RankState &state,
               Comm &comm);

} // namespace pprt

#endif // PPRT_LIB_RANKTRACE_H
