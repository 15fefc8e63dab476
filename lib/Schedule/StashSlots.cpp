//===- StashSlots.cpp - the stash a rank's training list needs -----------===//

#include "pp/Schedule/StashSlots.h"

#include <algorithm>

namespace pp::schedule {

StashPlan planStash(const std::vector<Action> &actions, int numChunks) {
  StashPlan plan;
  plan.slots.assign(numChunks, 0);
  std::vector<std::vector<bool>> used(numChunks);
  for (const Action &a : actions) {
    if (a.chunk < 0 || a.chunk >= numChunks)
      continue;
    std::vector<bool> &inUse = used[a.chunk];
    if (a.kind == ActionKind::Forward) {
      auto free = std::find(inUse.begin(), inUse.end(), false);
      int slot = int(free - inUse.begin());
      if (free == inUse.end())
        inUse.push_back(true);
      else
        *free = true;
      plan.slotOf[{a.chunk, a.microbatch}] = slot;
      plan.slots[a.chunk] = std::max(plan.slots[a.chunk], int(inUse.size()));
    } else if (a.kind == ActionKind::WeightGrad) {
      auto it = plan.slotOf.find({a.chunk, a.microbatch});
      if (it != plan.slotOf.end())
        inUse[it->second] = false;
    }
  }
  return plan;
}

int peakStashedChunks(const GeneratorOptions &options) {
  int p = options.ranks, m = options.microbatches;
  int v = effectiveVirtualStages(options);
  switch (options.kind) {
  case ScheduleKind::GPipe:
    return m;
  case ScheduleKind::OneFOneB:
  case ScheduleKind::ZeroBubbleH1:
    return std::min(m, p);
  case ScheduleKind::Interleaved:
    // Warm-up fills every chunk of every rank once; beyond one round of
    // micro-batches, the first chunks hold half a round more.
    return m <= p ? p * v : p * v * 3 / 2;
  case ScheduleKind::ZeroBubbleV:
    return m <= p ? 2 * p : 2 * p + 1;
  }
  return m;
}

} // namespace pp::schedule
