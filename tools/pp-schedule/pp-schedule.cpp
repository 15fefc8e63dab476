//===- pp-schedule.cpp - generate, verify, simulate, draw a schedule ------===//
//
// pp-schedule --schedule=S|FILE --pp=P --microbatches=M [--virtual-stages=V]
//             [--f=1 --b=1 --w=1 --comm=0] [--forward-only] [--json]
//             [--svg F] [--trace F] [--print]
//
// Works without a model: the schedule comes from a generator or a text file
// (docs/schedules.md), must pass the verifier, and is then simulated with
// uniform per-rank costs. Every error is one line; the exit status is 1 for
// a schedule or file that is wrong and 2 for a command line that is.
//
//===----------------------------------------------------------------------===//

#include "Report.h"

#include "pp/Schedule/ChromeTrace.h"
#include "pp/Schedule/Generators.h"
#include "pp/Schedule/Simulator.h"
#include "pp/Schedule/SvgTimeline.h"
#include "pp/Schedule/TextFormat.h"
#include "pp/Schedule/Verifier.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

using namespace pp::schedule;

namespace {

const char *usage =
    "usage: pp-schedule --schedule=S|FILE --pp=P --microbatches=M\n"
    "                   [--virtual-stages=V] [--f=1 --b=1 --w=1 --comm=0]\n"
    "                   [--forward-only] [--json] [--svg F] [--trace F] "
    "[--print]\n"
    "\n"
    "Generates (or reads), verifies and simulates a pipeline schedule.\n"
    "\n"
    "  --schedule=S          gpipe, 1f1b, interleaved, zb-h1, zbv, or a "
    "schedule file\n"
    "  --pp=P                pipeline ranks (read from the file if omitted)\n"
    "  --microbatches=M      micro-batches per step (likewise)\n"
    "  --virtual-stages=V    chunks per rank: interleaved (default 2), zbv "
    "(2)\n"
    "  --forward-only        the inference form: forwards only\n"
    "  --f, --b, --w         forward, input-grad and weight-grad time of one\n"
    "                        rank's whole share of the model (each chunk "
    "costs 1/V)\n"
    "  --comm=T              time of every point-to-point message\n"
    "  --bandwidth=BYTES     bytes per time unit; adds "
    "message-bytes/bandwidth\n"
    "  --message-bytes=N     bytes of each stage's output\n"
    "  --activation-bytes=N  activation bytes one micro-batch stashes per "
    "rank\n"
    "  --json                print one JSON object instead of the table\n"
    "  --print               print the action lists in the text format\n"
    "  --svg FILE            draw the simulated timeline\n"
    "  --trace FILE          write a Chrome/Perfetto trace of it\n";

struct Options {
  std::string schedule;
  std::optional<int> pp, microbatches, virtualStages;
  double forward = 1, inputGrad = 1, weightGrad = 1, comm = 0;
  double bandwidth = 0, messageBytes = 0, activationBytes = 0;
  bool forwardOnly = false, json = false, print = false;
  std::string svgPath, tracePath;
};

[[noreturn]] void usageError(const std::string &message) {
  std::cerr << "pp-schedule: error: " << message
            << " (see pp-schedule --help)\n";
  std::exit(2);
}

[[noreturn]] void fail(const std::string &where, const std::string &message) {
  std::cerr << where << ": error: " << message << "\n";
  std::exit(1);
}

int parseCount(const std::string &flag, const std::string &text) {
  char *end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 1 ||
      value > 1'000'000)
    usageError(flag + " needs a positive integer, got '" + text + "'");
  return (int)value;
}

double parseAmount(const std::string &flag, const std::string &text) {
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(value) ||
      value < 0)
    usageError(flag + " needs a non-negative number, got '" + text + "'");
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      std::exit(0);
    }
    std::string flag = arg, value;
    bool hasValue = false;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      hasValue = true;
    }
    // "--flag=value" or "--flag value".
    auto takeValue = [&]() {
      if (hasValue)
        return value;
      if (i + 1 < argc)
        return std::string(argv[++i]);
      usageError(flag + " needs a value");
    };
    auto setFlag = [&](bool &option) {
      if (hasValue)
        usageError(flag + " takes no value");
      option = true;
    };
    if (flag == "--schedule")
      options.schedule = takeValue();
    else if (flag == "--pp")
      options.pp = parseCount(flag, takeValue());
    else if (flag == "--microbatches")
      options.microbatches = parseCount(flag, takeValue());
    else if (flag == "--virtual-stages")
      options.virtualStages = parseCount(flag, takeValue());
    else if (flag == "--f")
      options.forward = parseAmount(flag, takeValue());
    else if (flag == "--b")
      options.inputGrad = parseAmount(flag, takeValue());
    else if (flag == "--w")
      options.weightGrad = parseAmount(flag, takeValue());
    else if (flag == "--comm")
      options.comm = parseAmount(flag, takeValue());
    else if (flag == "--bandwidth")
      options.bandwidth = parseAmount(flag, takeValue());
    else if (flag == "--message-bytes")
      options.messageBytes = parseAmount(flag, takeValue());
    else if (flag == "--activation-bytes")
      options.activationBytes = parseAmount(flag, takeValue());
    else if (flag == "--svg")
      options.svgPath = takeValue();
    else if (flag == "--trace")
      options.tracePath = takeValue();
    else if (flag == "--forward-only")
      setFlag(options.forwardOnly);
    else if (flag == "--json")
      setFlag(options.json);
    else if (flag == "--print")
      setFlag(options.print);
    else
      usageError("unknown option '" + arg + "'");
  }
  if (options.schedule.empty())
    usageError("--schedule is required");
  if (options.json && options.print)
    usageError("--json and --print both write to stdout; pick one");
  return options;
}

CostModel costModelFor(const Options &options, const StageMap &stages) {
  CostModel costs = CostModel::uniform(
      stages, options.forward, options.forwardOnly ? 0 : options.inputGrad,
      options.forwardOnly ? 0 : options.weightGrad, options.activationBytes);
  for (StageCost &stage : costs.stages)
    stage.outputBytes = options.messageBytes;
  costs.comm.latency = options.comm;
  costs.comm.bandwidth = options.bandwidth;
  costs.comm.collective = options.comm;
  return costs;
}

/// The schedule a generator builds; exits on bad options.
Schedule generate(const Options &options, ScheduleKind kind) {
  if (!options.pp)
    usageError("--pp is required with --schedule=" + options.schedule);
  if (!options.microbatches)
    usageError("--microbatches is required with --schedule=" +
               options.schedule);
  GeneratorOptions generator;
  generator.kind = kind;
  generator.ranks = *options.pp;
  generator.microbatches = *options.microbatches;
  generator.virtualStages = options.virtualStages.value_or(0);
  generator.forwardOnly = options.forwardOnly;
  std::string error = checkGeneratorOptions(generator);
  if (!error.empty())
    fail("pp-schedule", error);
  StageMap stages(generator.ranks, effectiveVirtualStages(generator),
                  schedulePlacement(kind));
  std::optional<Schedule> schedule =
      generateSchedule(generator, costModelFor(options, stages), error);
  if (!schedule)
    fail("pp-schedule", error);
  return std::move(*schedule);
}

/// The schedule in a text file; exits on read, parse or mismatch errors.
Schedule readFile(const Options &options) {
  const std::string &path = options.schedule;
  std::ifstream file(path, std::ios::binary);
  if (!file)
    usageError("unknown schedule '" + path + "' (expected " +
               scheduleKindList() + " or a schedule file)");
  std::stringstream text;
  text << file.rdbuf();
  ParseError error;
  std::optional<Schedule> schedule = parseSchedule(text.str(), error);
  if (!schedule)
    fail(path + ":" + std::to_string(error.line) + ":" +
             std::to_string(error.column),
         error.message);
  const StageMap &stages = schedule->stages;
  auto mustMatch = [&](const std::optional<int> &given, int actual,
                       const char *flag, const char *key) {
    if (given && *given != actual)
      fail(path, std::string(flag) + "=" + std::to_string(*given) +
                     " but the file has " + key + "=" + std::to_string(actual));
  };
  mustMatch(options.pp, stages.numRanks(), "--pp", "ranks");
  mustMatch(options.microbatches, schedule->microbatches, "--microbatches",
            "microbatches");
  mustMatch(options.virtualStages, stages.numChunks(), "--virtual-stages",
            "chunks");
  if (options.forwardOnly && schedule->isTraining())
    fail(path, "--forward-only but the file runs B or W");
  if (schedule->name.empty()) {
    size_t slash = path.find_last_of('/');
    schedule->name = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  return std::move(*schedule);
}

void writeFile(const std::string &path, const std::string &contents) {
  std::ofstream file(path, std::ios::binary);
  file << contents;
  file.close();
  if (!file)
    fail("pp-schedule", "cannot write '" + path + "': " + std::strerror(errno));
}

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  std::optional<ScheduleKind> kind = parseScheduleKind(options.schedule);
  Schedule schedule = kind ? generate(options, *kind) : readFile(options);
  std::string where = kind ? "pp-schedule" : options.schedule;

  std::vector<std::string> problems = verifySchedule(schedule);
  if (!problems.empty())
    fail(where, problems.front());

  if (!schedule.isTraining())
    options.forwardOnly = true; // costs of B and W do not apply
  SimulationResult result =
      simulateSchedule(schedule, costModelFor(options, schedule.stages));

  if (!options.svgPath.empty()) {
    char bubble[32];
    std::snprintf(bubble, sizeof bubble, "%.1f%%", result.bubbleFraction * 100);
    SvgOptions svg;
    svg.numRanks = schedule.numRanks();
    svg.numChunks = schedule.stages.numChunks();
    svg.title =
        schedule.name + ": " + std::to_string(schedule.numRanks()) +
        " ranks, " + std::to_string(schedule.microbatches) + " micro-batches" +
        (schedule.stages.numChunks() > 1
             ? ", " + std::to_string(schedule.stages.numChunks()) +
                   " chunks per rank"
             : std::string()) +
        (schedule.isTraining() ? "" : ", forward-only") + " - bubble " + bubble;
    writeFile(options.svgPath, renderTimelineSvg(result.timeline, svg));
  }
  if (!options.tracePath.empty()) {
    TraceOptions trace;
    trace.numRanks = schedule.numRanks();
    writeFile(options.tracePath, chromeTraceJson(result.timeline, trace));
  }

  ReportCosts costs{options.forward,
                    options.forwardOnly ? 0 : options.inputGrad,
                    options.forwardOnly ? 0 : options.weightGrad, options.comm};
  if (options.json)
    std::cout << formatJson(schedule, result, costs);
  else if (options.print)
    std::cout << formatTable(schedule, result, "# ") << printSchedule(schedule);
  else
    std::cout << formatTable(schedule, result);
  return 0;
}
