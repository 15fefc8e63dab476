//===- ChromeTrace.cpp - timelines as Chrome/Perfetto trace JSON ----------===//
//
// Trace Event Format: a "traceEvents" array of complete events
// ({"ph":"X", ts, dur} in microseconds) plus metadata events naming each
// process "rank N" and its threads "compute" and "comm", so the viewer
// shows one group of tracks per rank.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/ChromeTrace.h"

#include <algorithm>
#include <cstdio>

namespace pp::schedule {

namespace {

std::string jsonString(const std::string &text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if ((unsigned char)c < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

std::string jsonNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

int trackOf(ActionKind kind) { return isCompute(kind) ? 0 : 1; }

} // namespace

std::string chromeTraceJson(const std::vector<TimelineEvent> &events,
                            const TraceOptions &options) {
  int numRanks = options.numRanks;
  for (const TimelineEvent &event : events)
    numRanks = std::max(numRanks, event.rank + 1);

  std::string json = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n";
  bool first = true;
  auto add = [&](const std::string &event) {
    json += (first ? "" : ",\n") + event;
    first = false;
  };
  for (int rank = 0; rank < numRanks; ++rank) {
    std::string pid = std::to_string(rank);
    add("{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": " + pid +
        ", \"args\": {\"name\": \"rank " + pid + "\"}}");
    add("{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": " + pid +
        ", \"args\": {\"sort_index\": " + pid + "}}");
    add("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " + pid +
        ", \"tid\": 0, \"args\": {\"name\": \"compute\"}}");
    add("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " + pid +
        ", \"tid\": 1, \"args\": {\"name\": \"comm\"}}");
  }
  double scale = options.microsecondsPerUnit;
  for (const TimelineEvent &event : events) {
    std::string args;
    if (event.microbatch >= 0)
      args =
          ", \"args\": {\"microbatch\": " + std::to_string(event.microbatch) +
          ", \"chunk\": " + std::to_string(event.chunk) + "}";
    add("{\"name\": " + jsonString(event.name) + ", \"cat\": \"" +
        actionKindName(event.kind) +
        "\", \"ph\": \"X\", \"pid\": " + std::to_string(event.rank) +
        ", \"tid\": " + std::to_string(trackOf(event.kind)) +
        ", \"ts\": " + jsonNumber(event.start * scale) +
        ", \"dur\": " + jsonNumber(event.duration * scale) + args + "}");
  }
  return json + "\n]}\n";
}

} // namespace pp::schedule
