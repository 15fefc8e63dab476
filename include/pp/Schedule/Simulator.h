//===- Simulator.h - run a schedule under blocking rendezvous ---*- C++ -*-===//
//
// Executes every rank's list at once: a compute pass takes its cost, a SEND
// and its matching RECV start when both ranks have reached them and end
// together after the message time, and a collective starts when its whole
// group has arrived. The same run proves the lists free of deadlock (the
// verifier uses it), gives the step time and memory figures, and yields the
// timeline that the SVG and trace writers draw.
//
// Definitions (docs/schedules.md has the long form):
//  - step time: when the last rank finishes (all start at 0);
//  - busy time: time in F, B and W (messages and waiting are not busy);
//  - bubble fraction: 1 - sum(busy) / (ranks x step time);
//  - in flight, training: a (micro-batch, chunk) from the start of its F to
//    the end of its B on that rank (its activations are stashed);
//  - in flight, forward-only: from the start of its F until its output has
//    left the rank (the SEND ends, the next chunk on the same rank ends its
//    F, or, at the last stage, the F itself ends);
//  - peak in-flight is reported in chunks and in full-stage units (chunks
//    divided by chunks per rank, the unit design.md uses);
//  - activation bytes: the in-flight sum of StageCost::activationBytes plus,
//    from the end of B to the end of W, StageCost::weightGradBytes.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_SIMULATOR_H
#define PP_SCHEDULE_SIMULATOR_H

#include "pp/Schedule/CostModel.h"
#include "pp/Schedule/Schedule.h"
#include "pp/Schedule/Timeline.h"

#include <string>
#include <vector>

namespace pp::schedule {

/// A rank that cannot move: the action it is stuck in and whom it waits for.
struct BlockedRank {
  int rank = 0;
  Action action;
  /// The rank it waits for.
  int waitsFor = -1;
  /// True when that rank has already run its whole list.
  bool waitsForFinished = false;
};

struct SimulationResult {
  /// False when the ranks deadlocked; then only `deadlockCycle` and
  /// `finished` mean anything.
  bool completed = true;
  /// The ranks that wait on each other in a ring, lowest rank first.
  std::vector<BlockedRank> deadlockCycle;
  /// "deadlock: rank 0 waits in SEND F1.0->1 for rank 1, rank 1 waits ..."
  std::string deadlockMessage() const;

  double stepTime = 0;
  double bubbleFraction = 0;
  std::vector<double> busyTime;   ///< per rank
  std::vector<double> finishTime; ///< per rank
  std::vector<int> peakInflightChunks;
  std::vector<double> peakInflight; ///< full-stage units
  std::vector<double> peakActivationBytes;
  /// Actions each rank finished (all of them when completed).
  std::vector<int> finished;
  /// Every action that ran, in the order the simulation completed them.
  std::vector<TimelineEvent> timeline;
};

/// `costs` must have one StageCost per virtual stage of `schedule`, and
/// `schedule` must have passed the verifier's shape and message checks (the
/// verifier calls this itself for its deadlock check).
SimulationResult simulateSchedule(const Schedule &schedule,
                                  const CostModel &costs);

} // namespace pp::schedule

#endif // PP_SCHEDULE_SIMULATOR_H
