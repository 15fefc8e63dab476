//===- ComputeOrder.h - compute passes before messages ----------*- C++ -*-===//
//
// What a generator decides: the order of F, B and W on every rank. The
// SEND/RECV actions that carry tensors between ranks are added afterwards
// by insertCommunication (CommInsertion.h), the same way for every
// generator.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_COMPUTEORDER_H
#define PP_SCHEDULE_COMPUTEORDER_H

#include "pp/Schedule/Action.h"
#include "pp/Schedule/StageMap.h"

#include <string>
#include <vector>

namespace pp::schedule {

struct ComputeOrder {
  std::string name;
  StageMap stages;
  int microbatches = 1;
  /// Per rank, compute actions only (F, B, W).
  std::vector<std::vector<Action>> ranks;
  /// Schedules that do not split the backward (GPipe, 1F1B, interleaved)
  /// run B and W back to back as one autograd call, so the input gradient
  /// leaves the rank only once W has finished too. Zero-bubble schedules
  /// send it as soon as B is done.
  bool gradientLeavesAfterWeightGrad = false;
};

/// Builds the compute order of one rank at a time: `next(kind, chunk)`
/// appends the pass of `kind` on `chunk` for the lowest micro-batch that has
/// not had it yet, which is how every generator here walks micro-batches.
class ComputeOrderBuilder {
public:
  ComputeOrderBuilder(int chunks, int microbatches);

  /// Appends the next pass of `kind` on `chunk`; does nothing once all
  /// `microbatches` have had it. Returns whether it appended.
  bool next(ActionKind kind, int chunk);
  /// Appends the pass for a given micro-batch and counts it, for generators
  /// that pick micro-batches themselves (interleaved); do not mix with
  /// next() on the same kind and chunk.
  void append(ActionKind kind, int microbatch, int chunk);
  /// How many passes of `kind` on `chunk` have been appended.
  int done(ActionKind kind, int chunk) const;

  std::vector<Action> take() { return std::move(actions); }

private:
  size_t slot(ActionKind kind, int chunk) const;

  int microbatches;
  std::vector<int> counters; // [kind F/B/W][chunk]
  std::vector<Action> actions;
};

} // namespace pp::schedule

#endif // PP_SCHEDULE_COMPUTEORDER_H
