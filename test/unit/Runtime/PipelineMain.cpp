//===- PipelineMain.cpp - the programs of PipelinePrograms.h, by name -----===//
//
// Linked like a generated cpu program (pprt_cpu's runMain, with MPI), so
// PipelineRunTest.sh can start it with --ranks and with mpirun:
//   pprt-pipeline NAME --fixture DIR  writes NAME's inputs and weights into
//                                     DIR and prints the run options that
//                                     read them
//   pprt-pipeline NAME --check DIR    compares DIR/OUTPUT.npy with the exact
//                                     expected values
//   pprt-pipeline NAME ARGS...        runs NAME (run's options)
//
//===----------------------------------------------------------------------===//

#include "PipelinePrograms.h"
#include "pprt/DType.h"

#include <cstdio>
#include <cstring>

using namespace pprt;
using namespace pprt::test;

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    s += (d ? "," : "") + std::to_string(shape[d]);
  return s + "]";
}

/// Every output file equals the expected array: dtype, shape and bits.
bool check(const TestProgram &test, const std::string &dir,
           std::string &error) {
  const Program &program = test.program();
  std::vector<HostArray> expected = test.expected();
  if (int(expected.size()) != program.numOutputs) {
    error = "no expected values for " + std::string(test.name);
    return false;
  }
  for (int o = 0; o < program.numOutputs; ++o) {
    std::string path = dir + "/" + program.outputs[o].name + ".npy";
    HostArray got;
    if (!readNpy(path, got, error))
      return false;
    const HostArray &want = expected[o];
    if (got.dtype != want.dtype || got.shape != want.shape) {
      error = path + ": " + dtypeName(got.dtype) + shapeText(got.shape) +
              ", expected " + dtypeName(want.dtype) + shapeText(want.shape);
      return false;
    }
    size_t n = size_t(want.numElements()), elem = dtypeSize(want.dtype);
    for (size_t i = 0; i < n; ++i) {
      if (std::memcmp(&got.data[i * elem], &want.data[i * elem], elem) == 0)
        continue;
      double g, w;
      convertElements(&g, DType::F64, &got.data[i * elem], got.dtype, 1);
      convertElements(&w, DType::F64, &want.data[i * elem], want.dtype, 1);
      char text[128];
      std::snprintf(text, sizeof text, ": element %zu is %.9g, expected %.9g",
                    i, g, w);
      error = path + text;
      return false;
    }
    std::printf("%s: %s matches (%zu values)\n", test.name,
                program.outputs[o].name, n);
  }
  return true;
}

int usage() {
  std::fprintf(stderr, "usage: pprt-pipeline NAME (--fixture DIR | --check "
                       "DIR | RUN-OPTIONS...)\nNAME:");
  for (const TestProgram *t : testPrograms())
    std::fprintf(stderr, " %s", t->name);
  std::fprintf(stderr, "\n");
  return 2;
}

} // namespace

const Program &pprt::program() { return virtualStagesTest().program(); }

int main(int argc, char **argv) {
  const TestProgram *test = argc >= 2 ? findTestProgram(argv[1]) : nullptr;
  if (!test)
    return usage();
  std::string error;
  if (argc == 4 && std::strcmp(argv[2], "--fixture") == 0) {
    std::string dir = argv[3];
    if (!test->writeFixture(dir, error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
    const Program &program = test->program();
    for (int i = 0; i < program.numInputs; ++i)
      std::printf("--input %s=%s/%s.npy ", program.inputs[i].name, dir.c_str(),
                  program.inputs[i].name);
    std::printf("--weights-dir %s\n", dir.c_str());
    return 0;
  }
  if (argc == 4 && std::strcmp(argv[2], "--check") == 0) {
    if (!check(*test, argv[3], error)) {
      std::fprintf(stderr, "FAIL: %s\n", error.c_str());
      return 1;
    }
    return 0;
  }
  return runMain(argc - 1, argv + 1, test->program());
}
