//===- Report.cpp - pp-schedule's table and JSON --------------------------===//
//
// Numbers are printed with 12 significant digits: exact for the step times
// of uniform schedules and well inside the 1e-9 the formula tests allow,
// without the noise of the last binary digits.
//
//===----------------------------------------------------------------------===//

#include "Report.h"

#include <algorithm>
#include <cstdio>

namespace pp::schedule {

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

template <typename T> std::string list(const std::vector<T> &values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : "") + number((double)values[i]);
  return text + "]";
}

std::string pad(const std::string &text, size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 1, ' ');
}

} // namespace

std::string formatTable(const Schedule &schedule,
                        const SimulationResult &result,
                        const std::string &linePrefix) {
  const StageMap &stages = schedule.stages;
  char bubble[32];
  std::snprintf(bubble, sizeof bubble, "%.2f%%", result.bubbleFraction * 100);
  std::string text;
  text += linePrefix + (schedule.name.empty() ? "schedule" : schedule.name) +
          ": " + std::to_string(stages.numRanks()) + " ranks x " +
          std::to_string(stages.numChunks()) +
          (stages.numChunks() == 1 ? " chunk" : " chunks") + " (" +
          placementName(stages.placement()) + "), " +
          std::to_string(schedule.microbatches) + " micro-batches, " +
          (schedule.isTraining() ? "training" : "forward-only") + "\n";
  text += linePrefix + "step time " + number(result.stepTime) + ", bubble " +
          bubble + "\n";
  const size_t widths[] = {6, 12, 12, 16, 22};
  text += linePrefix + pad("rank", widths[0]) + pad("busy", widths[1]) +
          pad("idle", widths[2]) + pad("peak in-flight", widths[3]) +
          "peak activation bytes\n";
  for (int rank = 0; rank < stages.numRanks(); ++rank) {
    std::string inflight = number(result.peakInflight[rank]);
    if (stages.numChunks() > 1)
      inflight +=
          " (" + std::to_string(result.peakInflightChunks[rank]) + " chunks)";
    std::string row =
        pad(std::to_string(rank), widths[0]) +
        pad(number(result.busyTime[rank]), widths[1]) +
        pad(number(result.stepTime - result.busyTime[rank]), widths[2]) +
        pad(inflight, widths[3]) + number(result.peakActivationBytes[rank]);
    text += linePrefix + row + "\n";
  }
  return text;
}

std::string formatJson(const Schedule &schedule, const SimulationResult &result,
                       const ReportCosts &costs) {
  const StageMap &stages = schedule.stages;
  int messages = schedule.count(ActionKind::Send);
  std::string json = "{\n";
  auto field = [&](const char *key, const std::string &value, bool last) {
    json += std::string("  \"") + key + "\": " + value + (last ? "\n" : ",\n");
  };
  field("schedule", "\"" + schedule.name + "\"", false);
  field("pp", std::to_string(stages.numRanks()), false);
  field("microbatches", std::to_string(schedule.microbatches), false);
  field("virtual_stages", std::to_string(stages.numChunks()), false);
  field("placement",
        std::string("\"") + placementName(stages.placement()) + "\"", false);
  field("forward_only", schedule.isTraining() ? "false" : "true", false);
  field("costs",
        "{\"f\": " + number(costs.forward) + ", \"b\": " +
            number(costs.inputGrad) + ", \"w\": " + number(costs.weightGrad) +
            ", \"comm\": " + number(costs.comm) + "}",
        false);
  field("step_time", number(result.stepTime), false);
  field("bubble_fraction", number(result.bubbleFraction), false);
  field("busy_time", list(result.busyTime), false);
  field("peak_inflight", list(result.peakInflight), false);
  field("peak_inflight_chunks", list(result.peakInflightChunks), false);
  field("peak_activation_bytes", list(result.peakActivationBytes), false);
  field("messages", std::to_string(messages), true);
  return json + "}\n";
}

} // namespace pp::schedule
