//===- ChromeTrace.h - timelines as Chrome/Perfetto trace JSON --*- C++ -*-===//
//
// Writes the Trace Event Format that chrome://tracing and ui.perfetto.dev
// open: one complete ("ph":"X") event per action, one process per rank,
// thread 0 for compute and thread 1 for communication.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_CHROMETRACE_H
#define PP_SCHEDULE_CHROMETRACE_H

#include "pp/Schedule/Timeline.h"

#include <string>
#include <vector>

namespace pp::schedule {

struct TraceOptions {
  /// Trace timestamps are microseconds; a simulated time unit is a
  /// millisecond by default. Measured timelines in seconds would pass 1e6.
  double microsecondsPerUnit = 1000;
  /// Process names are "rank N"; ranks with no event still get one.
  int numRanks = 0;
};

std::string chromeTraceJson(const std::vector<TimelineEvent> &events,
                            const TraceOptions &options = {});

} // namespace pp::schedule

#endif // PP_SCHEDULE_CHROMETRACE_H
