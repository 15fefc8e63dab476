//===- MlpMain.cpp - the hand-written MLP as a program of its own ---------===//
//
// Linked like a generated cpu program (pprt_cpu's runMain, with MPI), so
// that MpiRunTest.sh can start it with mpirun as well as with --ranks:
//   pprt-mlp --write-fixture DIR     writes DIR/mlp.bin and DIR/x.npy
//   pprt-mlp --single ARGS...        the single-rank version of the model
//   pprt-mlp ARGS...                 the 8-rank program (run's options)
//
//===----------------------------------------------------------------------===//

#include "MlpProgram.h"
#include "pprt/Device.h"

#include <cstdio>
#include <cstring>

const pprt::Program &pprt::program() { return test::mlpProgram(""); }

int main(int argc, char **argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-fixture") == 0) {
    std::string error;
    if (!pprt::test::writeMlpFixture(argv[2], error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--single") == 0)
    return pprt::runMain(argc - 1, argv + 1, pprt::test::mlpSingleProgram(""),
                         pprt::cpuDevice());
  return pprt::runMain(argc, argv, pprt::program());
}
