//===- TextPrinter.cpp - write the schedule text format -------------------===//
//
// Canonical form: a header with every key, micro-batches always written as
// MB.CHUNK, and each rank's list wrapped onto indented continuation lines so
// that no line runs much past 100 columns.
//
//===----------------------------------------------------------------------===//

#include "pp/Schedule/TextFormat.h"

#include <cctype>

namespace pp::schedule {

namespace {

constexpr size_t wrapColumn = 100;

/// Names are one word in the format; anything else becomes '_'.
std::string printableName(const std::string &name) {
  std::string word;
  for (char c : name)
    word += std::isalnum((unsigned char)c) || c == '_' || c == '-' ||
                    c == '.' || c == '/' || c == '+'
                ? c
                : '_';
  return word;
}

} // namespace

std::string printSchedule(const Schedule &schedule) {
  const StageMap &stages = schedule.stages;
  std::string text = "schedule";
  if (!schedule.name.empty())
    text += " name=" + printableName(schedule.name);
  text += " ranks=" + std::to_string(stages.numRanks()) +
          " microbatches=" + std::to_string(schedule.microbatches) +
          " chunks=" + std::to_string(stages.numChunks()) +
          " placement=" + placementName(stages.placement()) + "\n";
  for (int rank = 0; rank < (int)schedule.ranks.size(); ++rank) {
    std::string prefix = "rank " + std::to_string(rank) + ":";
    std::string indent(prefix.size(), ' ');
    std::string line = prefix;
    for (const Action &action : schedule.ranks[rank]) {
      std::string item = formatAction(action);
      if (line.size() > prefix.size() &&
          line.size() + 1 + item.size() > wrapColumn) {
        text += line + "\n";
        line = indent;
      }
      line += " " + item;
    }
    text += line + "\n";
  }
  return text;
}

} // namespace pp::schedule
