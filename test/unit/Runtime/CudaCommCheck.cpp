//===- CudaCommCheck.cpp - the Comm checks on GPU buffers -----------------===//
//
//   pprt-cuda-comm-check          LocalComm on the cuda Device: 2, 4 and 8
//                                 rank threads sharing one GPU
//   pprt-cuda-comm-check --nccl   under mpirun, one process per GPU, NCCL
//   pprt-cuda-comm-check --gpus   prints the number of GPUs
//
// CommChecks.h runs through StagedComm, so every buffer the backend sees is
// device memory. Exits 77 (skipped) without a GPU, or with --nccl when there
// are fewer GPUs than processes (NCCL refuses two ranks on one GPU).
//
//===----------------------------------------------------------------------===//

#include "CommChecks.h"
#include "CudaPresence.h"
#include "StagedComm.h"
#include "cuda/NcclComm.h"
#include "pprt/Device.h"
#include "pprt/LocalComm.h"
#include "pprt/Mpi.h"
#include "pprt/Watchdog.h"

#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>
#include <thread>

using namespace pprt;

namespace {

MeshSpec meshOf(int numAxes) {
  static const char *const kNames[] = {"dp", "pp", "tp"};
  MeshSpec mesh = {};
  mesh.numAxes = numAxes;
  for (int a = 0; a < numAxes; ++a) {
    mesh.axisNames[a] = kNames[a];
    mesh.axisSizes[a] = 2;
  }
  return mesh;
}

int report(const std::vector<std::string> &failures) {
  for (const std::string &f : failures)
    std::fprintf(stderr, "error: %s\n", f.c_str());
  return failures.empty() ? 0 : 1;
}

int checkThreads(Device &device) {
  int status = 0;
  for (int numAxes = 1; numAxes <= 3; ++numAxes) {
    MeshSpec mesh = meshOf(numAxes);
    LocalWorld world(mesh, device, 60);
    std::vector<std::vector<std::string>> failures(world.numRanks());
    std::vector<std::thread> threads;
    for (int r = 0; r < world.numRanks(); ++r)
      threads.emplace_back([&, r] {
        Context ctx = device.makeContext(r, world.numRanks());
        ctx.mesh = &mesh;
        {
          std::unique_ptr<Comm> comm = world.makeComm(r, ctx);
          test::StagedComm staged(device, *comm);
          staged.mesh = &mesh;
          failures[r] = test::checkComm(ctx, staged, mesh);
        }
        device.destroyContext(ctx);
      });
    for (std::thread &t : threads)
      t.join();
    for (const auto &list : failures)
      status |= report(list);
    if (!status)
      std::printf("LocalComm on GPU buffers: %d rank threads passed\n",
                  world.numRanks());
  }
  return status;
}

int checkNccl(Device &device, int gpus) {
  std::unique_ptr<ProcessGroup> processes = makeMpiProcessGroup(makeNcclComm);
  std::string error;
  double timeout;
  if (!commTimeoutFromEnv(timeout, error) || !processes->join(error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  int size = processes->size();
  int numAxes = size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : 0;
  int status = 0;
  if (size > gpus) {
    std::printf("%d GPUs for %d processes: skipped\n", gpus, size);
    status = 77;
  } else if (!numAxes) {
    std::fprintf(stderr, "error: run with 2, 4 or 8 processes\n");
    status = 1;
  } else {
    MeshSpec mesh = meshOf(numAxes);
    device.setLocalRank(processes->localRank());
    if (!device.init(error))
      commFatal(error);
    Context ctx = device.makeContext(processes->rank(), size);
    ctx.mesh = &mesh;
    {
      std::unique_ptr<Comm> comm = processes->makeComm(ctx, mesh, timeout);
      test::StagedComm staged(device, *comm);
      staged.mesh = &mesh;
      status = report(test::checkComm(ctx, staged, mesh));
    }
    device.destroyContext(ctx);
    if (!status && processes->rank() == 0)
      std::printf("NCCL: %d processes passed\n", size);
  }
  processes->leave();
  return status;
}

} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--gpus") == 0) {
    int gpus = 0;
    std::printf("%d\n", cudaGetDeviceCount(&gpus) == cudaSuccess ? gpus : 0);
    return 0;
  }
  int exitCode = 0;
  int gpus = pprt::test::countGpusOrExit(exitCode);
  if (gpus < 0)
    return exitCode;
  Device &device = cudaDevice();
  if (argc > 1 && std::strcmp(argv[1], "--nccl") == 0)
    return checkNccl(device, gpus);
  std::string error;
  if (!device.init(error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  return checkThreads(device);
}
