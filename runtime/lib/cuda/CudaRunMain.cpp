//===- CudaRunMain.cpp - the contract's runMain for the cuda target -------===//
//
// The CUDA device, and under mpirun/srun one process per GPU talking NCCL
// (bootstrapped over MPI). With --ranks N the ranks are threads sharing one
// GPU and LocalComm copies between their buffers.
//
//===----------------------------------------------------------------------===//

#include "NcclComm.h"
#include "pprt/Device.h"
#include "pprt/Mpi.h"

namespace pprt {

int runMain(int argc, char **argv, const Program &program) {
  std::unique_ptr<ProcessGroup> processes = makeMpiProcessGroup(makeNcclComm);
  return runMain(argc, argv, program, cudaDevice(), processes.get());
}

} // namespace pprt
