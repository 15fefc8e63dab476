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

} // namespace pp::schedule
