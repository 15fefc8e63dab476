//===- Launch.h - how the ranks of a multi-rank run are started -*- C++ -*-===//
//
// Three ways, decided by runMain:
//   run --ranks N          N threads of this process (LocalComm)
//   mpirun -np N run       one process per rank: a ProcessGroup (MPI) joins
//   srun -n N run          them, and its Comm is MPI (cpu) or NCCL (cuda)
//   run                    a single rank
// The ProcessGroup comes from the target library (pprt_cpu / pprt_cuda), so
// pprt itself never depends on MPI, and tests can run without it.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LAUNCH_H
#define PPRT_LAUNCH_H

#include "pprt/Comm.h"

#include <memory>
#include <string>

namespace pprt {

class Device;

/// The processes of a job started by mpirun or srun, one rank each.
class ProcessGroup {
public:
  virtual ~ProcessGroup() = default;

  /// Joins the job (MPI_Init); false with `error`. Called once, after the
  /// command line and the inputs have been checked.
  virtual bool join(std::string &error) = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// This process's index among those on its node (picks the GPU).
  virtual int localRank() const = 0;
  /// The processes on this process's node (they share its cores).
  virtual int localSize() const = 0;
  /// The Comm of this process's rank for the generated code. Called once
  /// by every process at the same point (backends may split communicators).
  virtual std::unique_ptr<Comm> makeComm(Context &ctx, const MeshSpec &mesh,
                                         double timeoutSeconds) = 0;
  /// Leaves the job (MPI_Finalize).
  virtual void leave() = 0;
};

/// runMain with the process group of the linked target (null: no MPI, and a
/// run under mpirun/srun is an error).
int runMain(int argc, char **argv, const Program &program, Device &device,
            ProcessGroup *processes);

/// What the environment says about the launcher that started us.
struct LaunchEnv {
  /// "mpirun" or "srun"; empty when started directly.
  std::string launcher;
  /// Processes in the job; 0 when the launcher does not say (PMIx alone).
  int size = 1;
  /// This process's rank, -1 when unknown.
  int rank = 0;
};

/// Reads OMPI_COMM_WORLD_SIZE/RANK (Open MPI), PMI_SIZE/RANK (MPICH, Intel
/// MPI), PMIX_RANK (PMIx), then SLURM_STEP_NUM_TASKS or SLURM_NTASKS with
/// SLURM_PROCID (srun).
LaunchEnv detectLaunch();

} // namespace pprt

#endif // PPRT_LAUNCH_H
