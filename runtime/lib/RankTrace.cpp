//===- RankTrace.cpp - run --trace: a measured timeline of one step -------===//
//
// The trace names each action as the schedule text format does, through
// the schedule library (chunks and peers from the program's StageMap), and
// writes the same Chrome trace JSON as the simulator's prediction, so that
// a measured step and a predicted one can be put side by side.
//
//===----------------------------------------------------------------------===//

#include "RankTrace.h"
#include "pprt/Comm.h"

#include "pp/Schedule/Action.h"
#include "pp/Schedule/ChromeTrace.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

namespace pprt {

namespace {

/// True for the rank that speaks for its pipeline coordinate in a trace:
/// coordinate 0 on every other axis (its tensor- and data-parallel
/// partners run the same actions).
bool tracesForStage(const Job &job, const std::vector<int64_t> &coords) {
  for (size_t a = 0; a < coords.size(); ++a)
    if (int(a) != job.program.stageAxis && coords[a] != 0)
      return false;
  return true;
}

} // namespace

std::string actionName(const Job &job, const Action &a) {
  return ::pp::schedule::formatAction(scheduleAction(job, a));
}

bool traceStep(const Job &job, int rank, const std::vector<Action> &actions,
               const std::function<void(size_t)> &runAction, RankState &state,
               Comm &comm) {
  Device &device = job.device;
  Context &ctx = state.ctx;
  int n = int(job.mesh.numRanks());
  // Every rank knows how many actions the others run.
  std::vector<size_t> counts(n);
  size_t most = 0;
  for (int r = 0; r < n; ++r) {
    std::vector<int64_t> coords = job.mesh.coordsOf(r);
    std::vector<Action> theirs;
    std::string ignored;
    actionsOf(job, coords, stagesOf(job, coords), theirs, ignored);
    counts[r] = theirs.size();
    most = std::max(most, counts[r]);
  }
  std::vector<double> times(2 * most, 0.0);
  void *buf = state.alloc(std::max<size_t>(1, times.size()) * sizeof(double));

  device.upload(buf, times.data(), sizeof(double));
  comm.allReduce(buf, 1, DType::F64, CollectiveOp::Max, job.world,
                 "runtime: --trace start");
  device.synchronize(ctx);
  auto t0 = std::chrono::steady_clock::now();
  auto ms = [&] {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - t0)
        .count();
  };
  for (size_t k = 0; k < actions.size(); ++k) {
    times[2 * k] = ms();
    runAction(k);
    comm.drainStage("runtime: --trace");
    device.synchronize(ctx);
    times[2 * k + 1] = ms() - times[2 * k];
  }

  std::vector<int64_t> coords = job.mesh.coordsOf(rank);
  if (rank != 0) {
    if (tracesForStage(job, coords)) {
      device.upload(buf, times.data(), 2 * actions.size() * sizeof(double));
      comm.send(buf, 2 * actions.size() * sizeof(double), job.world, 0,
                job.program.numOutputs, "runtime: --trace");
    }
    return true;
  }
  std::vector<::pp::schedule::TimelineEvent> events;
  for (int r = 0; r < n; ++r) {
    std::vector<int64_t> theirCoords = job.mesh.coordsOf(r);
    if (!tracesForStage(job, theirCoords))
      continue;
    std::vector<double> theirs = times;
    if (r != 0) {
      comm.recv(buf, 2 * counts[r] * sizeof(double), job.world, r,
                job.program.numOutputs, "runtime: --trace");
      device.download(theirs.data(), buf, 2 * counts[r] * sizeof(double));
    }
    std::vector<Action> list;
    std::string ignored;
    actionsOf(job, theirCoords, stagesOf(job, theirCoords), list, ignored);
    for (size_t k = 0; k < list.size(); ++k) {
      const Action &a = list[k];
      ::pp::schedule::TimelineEvent e;
      e.rank = pipelineCoord(job, theirCoords);
      e.name = actionName(job, a);
      e.kind = scheduleAction(job, a).kind;
      e.start = theirs[2 * k];
      e.duration = theirs[2 * k + 1];
      if (a.kind == ActionKind::Forward) {
        e.microbatch = a.microbatch;
        e.chunk = job.stages.chunkOf(a.stage);
      }
      events.push_back(e);
    }
  }
  ::pp::schedule::TraceOptions options;
  options.microsecondsPerUnit = 1000; // milliseconds, like the simulator
  options.numRanks = job.stages.numRanks();
  std::ofstream out(job.options.trace);
  out << ::pp::schedule::chromeTraceJson(events, options);
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", job.options.trace.c_str());
    return false;
  }
  return true;
}

} // namespace pprt
