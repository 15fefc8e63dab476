//===- Schedule.cpp - per-rank ordered action lists -----------------------===//

#include "pp/Schedule/Schedule.h"

namespace pp::schedule {

bool Schedule::isTraining() const {
  for (const std::vector<Action> &list : ranks)
    for (const Action &action : list)
      if (action.kind == ActionKind::InputGrad ||
          action.kind == ActionKind::WeightGrad)
        return true;
  return false;
}

int Schedule::count(ActionKind kind) const {
  int n = 0;
  for (const std::vector<Action> &list : ranks)
    for (const Action &action : list)
      n += action.kind == kind;
  return n;
}

} // namespace pp::schedule
