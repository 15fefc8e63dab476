//===- Generators.h - GPipe, 1F1B, interleaved, ZB-H1, ZBV ------*- C++ -*-===//
//
// Each generator fixes the order of F, B and W on every rank (training), or
// of F alone (forward-only, for inference); then SEND/RECV actions are
// inserted so that every list runs under blocking rendezvous p2p without
// deadlock. docs/schedules.md describes each order with a small timeline.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_GENERATORS_H
#define PP_SCHEDULE_GENERATORS_H

#include "pp/Schedule/ComputeOrder.h"
#include "pp/Schedule/CostModel.h"
#include "pp/Schedule/Schedule.h"

#include <optional>
#include <string>
#include <string_view>

namespace pp::schedule {

enum class ScheduleKind {
  GPipe,
  OneFOneB,
  Interleaved,
  ZeroBubbleH1,
  ZeroBubbleV
};

/// "gpipe", "1f1b", "interleaved", "zb-h1", "zbv".
const char *scheduleKindName(ScheduleKind kind);
std::optional<ScheduleKind> parseScheduleKind(std::string_view name);
/// "gpipe, 1f1b, interleaved, zb-h1, zbv", for error messages.
std::string scheduleKindList();

struct GeneratorOptions {
  ScheduleKind kind = ScheduleKind::OneFOneB;
  int ranks = 1;
  int microbatches = 1;
  /// Chunks per rank; 0 picks the kind's default (2 for interleaved and
  /// zbv, 1 otherwise).
  int virtualStages = 0;
  bool forwardOnly = false;
};

/// The chunks per rank that `options` ask for, defaults applied.
int effectiveVirtualStages(const GeneratorOptions &options);

/// How a kind places its chunks on the ranks: a V for zbv, a loop for the
/// others. The program's stages must be wired the same way.
Placement schedulePlacement(ScheduleKind kind);

/// Why `options` cannot be generated (one line), or "" when they can.
/// Interleaved needs m % p == 0 and v >= 2; zb-h1 and zbv need m >= p (their
/// steady state needs a micro-batch per rank); zbv needs v == 2; gpipe, 1f1b
/// and zb-h1 run one chunk per rank.
std::string checkGeneratorOptions(const GeneratorOptions &options);

/// The compute order alone (no messages). `options` must be valid.
ComputeOrder generateComputeOrder(const GeneratorOptions &options);

/// The full schedule. Where SEND/RECV go depends on how long passes take
/// (a blocking transfer can only happen while both ranks are between
/// passes), so they are placed from `placementCosts`; the overload without
/// costs uses f = b = w = 1 per rank. Returns std::nullopt and sets `error`
/// when the options are invalid.
std::optional<Schedule> generateSchedule(const GeneratorOptions &options,
                                         const CostModel &placementCosts,
                                         std::string &error);
std::optional<Schedule> generateSchedule(const GeneratorOptions &options,
                                         std::string &error);

} // namespace pp::schedule

#endif // PP_SCHEDULE_GENERATORS_H
