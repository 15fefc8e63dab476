//===- ComputeOrder.cpp - compute passes in order, before messages --------===//

#include "pp/Schedule/ComputeOrder.h"

#include <cassert>

namespace pp::schedule {

static int passIndex(ActionKind kind) {
  assert(isCompute(kind) && "only F, B and W are counted");
  return kind == ActionKind::Forward     ? 0
         : kind == ActionKind::InputGrad ? 1
                                         : 2;
}

ComputeOrderBuilder::ComputeOrderBuilder(int chunks, int microbatches)
    : microbatches(microbatches), counters(3 * chunks, 0) {}

size_t ComputeOrderBuilder::slot(ActionKind kind, int chunk) const {
  return passIndex(kind) * (counters.size() / 3) + chunk;
}

bool ComputeOrderBuilder::next(ActionKind kind, int chunk) {
  int &count = counters[slot(kind, chunk)];
  if (count >= microbatches)
    return false;
  actions.push_back(Action::compute(kind, count, chunk));
  ++count;
  return true;
}

void ComputeOrderBuilder::append(ActionKind kind, int microbatch, int chunk) {
  actions.push_back(Action::compute(kind, microbatch, chunk));
  ++counters[slot(kind, chunk)];
}

int ComputeOrderBuilder::done(ActionKind kind, int chunk) const {
  return counters[slot(kind, chunk)];
}

} // namespace pp::schedule
