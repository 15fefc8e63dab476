//===- Schedule.h - per-rank ordered action lists ---------------*- C++ -*-===//
//
// A schedule is IR (design.md section 3): the ordered list of actions each
// pipeline rank executes for one training (or inference) step, plus where
// the virtual stages live. Generators build one, the text format reads and
// writes one, the verifier checks one and the simulator times one.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_SCHEDULE_H
#define PP_SCHEDULE_SCHEDULE_H

#include "pp/Schedule/Action.h"
#include "pp/Schedule/StageMap.h"

#include <string>
#include <vector>

namespace pp::schedule {

struct Schedule {
  /// What it is called in reports: the generator ("1f1b") or the user's own.
  std::string name;
  StageMap stages;
  int microbatches = 1;
  /// One list per rank, in execution order.
  std::vector<std::vector<Action>> ranks;

  int numRanks() const { return stages.numRanks(); }
  /// True when any rank runs B or W: the schedule trains rather than infers.
  bool isTraining() const;
  /// Number of actions of `kind` over all ranks.
  int count(ActionKind kind) const;

  bool operator==(const Schedule &other) const {
    return name == other.name && stages == other.stages &&
           microbatches == other.microbatches && ranks == other.ranks;
  }
};

} // namespace pp::schedule

#endif // PP_SCHEDULE_SCHEDULE_H
