//===- TextFormat.h - schedules as text (--schedule=FILE) -------*- C++ -*-===//
//
// A line-oriented format that a person can write and read; docs/schedules.md
// is its reference. In short:
//
//   # comment
//   schedule ranks=2 microbatches=2 chunks=1 placement=loop name=mine
//   rank 0: F0 SEND F0->1 F1 SEND F1->1
//           RECV B0<-1 B0 W0 RECV B1<-1 B1 W1
//   rank 1: RECV F0.0<-0 F0 B0 W0 SEND B0->0 RECV F1<-0 F1 B1 W1 SEND B1->0
//
// The printer writes every micro-batch as MB.CHUNK and wraps long lists onto
// indented continuation lines; parse(print(s)) == s.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_TEXTFORMAT_H
#define PP_SCHEDULE_TEXTFORMAT_H

#include "pp/Schedule/Schedule.h"

#include <optional>
#include <string>
#include <string_view>

namespace pp::schedule {

struct ParseError {
  int line = 0;   ///< 1-based
  int column = 0; ///< 1-based
  std::string message;

  /// "LINE:COLUMN: MESSAGE"
  std::string format() const;
};

/// Parses a whole file. Syntax and ranges (ranks, micro-batches, chunks,
/// peers) are checked here with their position; whether the lists make a
/// correct schedule is the verifier's job.
std::optional<Schedule> parseSchedule(std::string_view text, ParseError &error);

/// Prints `schedule` in the text format, ending with a newline.
std::string printSchedule(const Schedule &schedule);

} // namespace pp::schedule

#endif // PP_SCHEDULE_TEXTFORMAT_H
