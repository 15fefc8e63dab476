//===- StashSlots.h - the stash a rank's training list needs ----*- C++ -*-===//
//
// In a training program each (micro-batch, chunk) keeps what its F saved for
// B and W, and what B hands to W, in one stash slot of its chunk, from its F
// to its W; a slot is reused once its W has run. The compiler plans with
// this (plan.txt's activations) and the runtime allocates and assigns the
// slots with it, so measured memory equals the plan. 1F1B's bound (at most
// p - r micro-batches in flight on rank r) and GPipe's (all m) follow from
// the lists.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_STASHSLOTS_H
#define PP_SCHEDULE_STASHSLOTS_H

#include "pp/Schedule/Action.h"
#include "pp/Schedule/Generators.h"

#include <map>
#include <utility>
#include <vector>

namespace pp::schedule {

struct StashPlan {
  /// Per chunk: the slots the list needs at once.
  std::vector<int> slots;
  /// (chunk, micro-batch) -> its slot, the lowest free one at its F.
  std::map<std::pair<int, int>, int> slotOf;
};

/// The stash plan of one rank's list over `numChunks` chunks. A list
/// without W (forward-only) never frees a slot.
StashPlan planStash(const std::vector<Action> &actions, int numChunks);

/// The stash slots (summed over its chunks) that planStash gives the
/// fullest rank of a generator's training order, without generating it:
/// gpipe M; 1f1b and zb-h1 min(M, P); interleaved PV at M = P and 3PV/2
/// beyond; zbv 2P at M = P and 2P + 1 beyond. The planner prices memory
/// with it; StashBoundTest checks it against generated orders.
int peakStashedChunks(const GeneratorOptions &options);

} // namespace pp::schedule

#endif // PP_SCHEDULE_STASHSLOTS_H
