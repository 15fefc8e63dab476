//===- Report.h - pp-schedule's table and JSON ------------------*- C++ -*-===//
//
// What pp-schedule prints about a simulated schedule: a table for people
// (also written as '#' comments above --print output) and one JSON object
// for scripts and tests.
//
//===----------------------------------------------------------------------===//

#ifndef PP_TOOLS_PPSCHEDULE_REPORT_H
#define PP_TOOLS_PPSCHEDULE_REPORT_H

#include "pp/Schedule/Schedule.h"
#include "pp/Schedule/Simulator.h"

#include <string>

namespace pp::schedule {

/// The per-rank costs as given on the command line, echoed in reports.
struct ReportCosts {
  double forward = 1, inputGrad = 1, weightGrad = 1, comm = 0;
};

/// Every line starts with `linePrefix` ("" or "# ").
std::string formatTable(const Schedule &schedule,
                        const SimulationResult &result,
                        const std::string &linePrefix = "");
std::string formatJson(const Schedule &schedule, const SimulationResult &result,
                       const ReportCosts &costs);

} // namespace pp::schedule

#endif // PP_TOOLS_PPSCHEDULE_REPORT_H
