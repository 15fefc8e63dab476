//===- CommCheckMain.cpp - the Comm checks with ranks as MPI processes ----===//
//
// Run under mpirun (MpiRunTest.sh):
//   pprt-comm-check                   CommChecks.h on a mesh of the world's
//                                     size (2: [2], 4: [2,2], 8: [2,2,2])
//   pprt-comm-check --unmatched-recv  rank 1 waits for a message rank 0
//                                     never sends: the watchdog must end it
//
//===----------------------------------------------------------------------===//

#include "CommChecks.h"
#include "pprt/CommGroups.h"
#include "pprt/Device.h"
#include "pprt/Mpi.h"
#include "pprt/Watchdog.h"

#include <mpi.h>

#include <cstdio>
#include <cstring>

using namespace pprt;

int main(int argc, char **argv) {
  bool unmatched = argc > 1 && std::strcmp(argv[1], "--unmatched-recv") == 0;
  std::unique_ptr<ProcessGroup> processes = makeMpiProcessGroup(makeMpiComm);
  std::string error;
  double timeout;
  if (!commTimeoutFromEnv(timeout, error) || !processes->join(error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  int size = processes->size();
  MeshSpec mesh = {};
  static const char *const kNames[] = {"dp", "pp", "tp"};
  for (int n = size; n > 1; n /= 2) {
    mesh.axisNames[mesh.numAxes] = kNames[mesh.numAxes];
    mesh.axisSizes[mesh.numAxes++] = 2;
  }
  if (size < 2 || (1 << mesh.numAxes) != size || mesh.numAxes > 3) {
    std::fprintf(stderr, "error: run with 2, 4 or 8 processes\n");
    processes->leave();
    return 1;
  }
  Context ctx = cpuDevice().makeContext(processes->rank(), size);
  ctx.mesh = &mesh;
  std::unique_ptr<Comm> comm = processes->makeComm(ctx, mesh, timeout);
  ctx.comm = comm.get();

  int status = 0;
  if (unmatched) {
    float value = 0;
    if (ctx.rank == 1)
      recv(ctx, &value, sizeof(value), 1, 0, 1, "check: unmatched recv");
    // The others wait here until MPI_Abort ends the job.
    MPI_Barrier(MPI_COMM_WORLD);
    std::fprintf(stderr, "error: the unmatched recv returned\n");
    status = 1;
  } else {
    std::vector<std::string> failures = test::checkComm(ctx, *comm, mesh);
    for (const std::string &f : failures)
      std::fprintf(stderr, "error: %s\n", f.c_str());
    int32_t failed = failures.empty() ? 0 : 1;
    allReduce(ctx, &failed, 1, DType::I32, CollectiveOp::Max, allAxesMask(mesh),
              "check: result");
    if (ctx.rank == 0 && !failed)
      std::printf("comm checks passed on %d MPI ranks\n", size);
    status = failed;
  }
  comm.reset();
  processes->leave();
  return status;
}
