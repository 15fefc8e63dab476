//===- PPScheduleOps.cpp - the micro-batch schedule ----------------------===//
//
// The op holds the schedule as action strings; the pp::schedule library
// (lib/Schedule, plain C++) parses, verifies and simulates it, so the IR,
// pp-schedule and the text format share one definition.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "pp/Schedule/TextFormat.h"
#include "pp/Schedule/Verifier.h"

#include <mutex>

using namespace mlir;
using namespace mlir::pp;

std::string ScheduleOp::getText() {
  std::string text = "schedule ranks=" + std::to_string(getRanks().size()) +
                     " microbatches=" + std::to_string(getMicrobatches()) +
                     " chunks=" + std::to_string(getChunks()) +
                     " placement=" + getPlacement().str() +
                     " name=" + getName().str() + "\n";
  for (auto [r, actions] : llvm::enumerate(getRanks())) {
    text += "rank " + std::to_string(r) + ":";
    for (StringRef action :
         cast<ArrayAttr>(actions).getAsValueRange<StringAttr>())
      text += "\n  " + action.str();
    text += "\n";
  }
  return text;
}

LogicalResult ScheduleOp::verify() {
  if (getRanks().empty())
    return emitOpError("needs at least one rank");
  StringRef name = getName();
  if (name.empty() || name.find_first_of(" \t\n#") != StringRef::npos)
    return emitOpError("name '") << name << "' must be one word";
  // Line numbers of parse errors count the header line: line 2 + k is the
  // k-th action line of the text above.
  // MLIR verifies the module after every pass; the deadlock proof of a
  // large schedule (thousands of micro-batches) takes seconds, so the last
  // text proved is remembered and not proved again.
  static std::mutex provenLock;
  static std::string proven;
  std::string text = getText();
  {
    std::lock_guard<std::mutex> lock(provenLock);
    if (text == proven)
      return success();
  }
  ::pp::schedule::ParseError error;
  std::optional<::pp::schedule::Schedule> schedule =
      ::pp::schedule::parseSchedule(text, error);
  if (!schedule)
    return emitOpError("is not a valid schedule: ") << error.message;
  std::vector<std::string> problems = ::pp::schedule::verifySchedule(*schedule);
  if (problems.empty()) {
    std::lock_guard<std::mutex> lock(provenLock);
    proven = std::move(text);
    return success();
  }
  InFlightDiagnostic diag = emitOpError("is not a valid schedule: ")
                            << problems.front();
  for (size_t i = 1; i < problems.size() && i < 8; ++i)
    diag.attachNote() << problems[i];
  return diag;
}
