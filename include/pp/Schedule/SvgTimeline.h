//===- SvgTimeline.h - timelines as an SVG picture --------------*- C++ -*-===//
//
// One row per rank, one colour per action kind (later chunks in lighter
// tints of it), the micro-batch number in every box, a legend and a time
// axis. Zero-length events (free messages) are not drawn.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_SVGTIMELINE_H
#define PP_SCHEDULE_SVGTIMELINE_H

#include "pp/Schedule/Timeline.h"

#include <string>
#include <vector>

namespace pp::schedule {

struct SvgOptions {
  std::string title;
  int numRanks = 0;
  /// Chunks per rank; above 1 the legend explains the tints.
  int numChunks = 1;
};

std::string renderTimelineSvg(const std::vector<TimelineEvent> &events,
                              const SvgOptions &options);

} // namespace pp::schedule

#endif // PP_SCHEDULE_SVGTIMELINE_H
