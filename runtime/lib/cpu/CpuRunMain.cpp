//===- CpuRunMain.cpp - the contract's runMain for the cpu target ---------===//
//
// The host device, and under mpirun/srun one MPI process per rank talking
// MPI. In its own file so that programs and tests that only use the cpu
// kernels do not pull MPI in.
//
//===----------------------------------------------------------------------===//

#include "pprt/Device.h"
#include "pprt/Mpi.h"

namespace pprt {

int runMain(int argc, char **argv, const Program &program) {
  std::unique_ptr<ProcessGroup> processes = makeMpiProcessGroup(makeMpiComm);
  return runMain(argc, argv, program, cpuDevice(), processes.get());
}

} // namespace pprt
