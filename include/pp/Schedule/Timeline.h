//===- Timeline.h - what ran where and when ---------------------*- C++ -*-===//
//
// The one event type that the simulator produces and that the SVG and trace
// writers consume. The runtime fills the same list from measured times, so
// predicted and measured timelines go through the same writers.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_TIMELINE_H
#define PP_SCHEDULE_TIMELINE_H

#include "pp/Schedule/Action.h"

#include <string>

namespace pp::schedule {

struct TimelineEvent {
  int rank = 0;
  /// As the text format writes the action: "F3.0", "SEND F3.0->1".
  std::string name;
  ActionKind kind = ActionKind::Forward;
  double start = 0;
  double duration = 0;
  /// For compute passes (-1 otherwise), so pictures can label boxes.
  int microbatch = -1;
  int chunk = -1;
};

} // namespace pp::schedule

#endif // PP_SCHEDULE_TIMELINE_H
