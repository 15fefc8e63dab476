//===- PipelinePrograms.h - programs for run's new paths --------*- C++ -*-===//
//
// Small programs, written as pp-opt would emit them, that exercise one part
// of the runtime each: virtual stages run in a schedule's order, data
// parallelism with micro-batches, weights that are regions of their file
// tensor, and schedules runMain must reject. pprt-pipeline (PipelineMain.cpp)
// runs them by name; PipelineRunTest.sh starts it with --ranks and mpirun.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TEST_PIPELINEPROGRAMS_H
#define PPRT_TEST_PIPELINEPROGRAMS_H

#include "pprt/Npy.h"
#include "pprt/Program.h"

#include <string>
#include <vector>

namespace pprt::test {

struct TestProgram {
  const char *name;
  const Program &(*program)();
  /// Writes what a run reads into `dir`: each input as NAME.npy, and the
  /// weight files.
  bool (*writeFixture)(const std::string &dir, std::string &error);
  /// The outputs of a correct run, in the program's order (none for the
  /// programs runMain must reject).
  std::vector<HostArray> (*expected)();
};

/// The programs, or null for an unknown name.
const TestProgram *findTestProgram(const std::string &name);
std::vector<const TestProgram *> testPrograms();

// The programs, one concept per file.
const TestProgram &virtualStagesTest();              // "vstages"
const TestProgram &virtualStagesBatchedTest();       // "vstages-batched"
const TestProgram &virtualStagesDefaultOrderTest();  // "vstages-default"
const TestProgram &dpMicrobatchTest();               // "dp-microbatches"
const TestProgram &weightRegionTest();               // "weight-regions"
std::vector<const TestProgram *> badScheduleTests(); // "bad-*"
/// "vstages-v", "vstages-v-default", "bad-v-turn-send", "bad-v-turn-bytes"
std::vector<const TestProgram *> vPlacementTests();

/// The interleaved forward-only order of the "vstages" program, as
/// `pp-schedule --schedule=interleaved --pp=2 --microbatches=2
/// --virtual-stages=2 --forward-only --print` generates it; the bad
/// schedules start from it.
std::vector<Action> interleavedActions(int pipelineRank);

// Helpers for fixtures and expected outputs.
HostArray makeArray(DType dtype, std::vector<int64_t> shape,
                    const std::vector<double> &values);
bool writeArray(const std::string &path, const HostArray &array,
                std::string &error);
bool writeFile(const std::string &path, const std::string &bytes,
               std::string &error);

} // namespace pprt::test

#endif // PPRT_TEST_PIPELINEPROGRAMS_H
