//===- LaunchEnv.cpp - what the environment says about the launcher -------===//
//
// MPI is initialised only when a launcher started the process: a plain `run`
// or `run --ranks N` must not need an MPI daemon. The environment variables
// the launchers export tell the two apart before MPI_Init.
//
//===----------------------------------------------------------------------===//

#include "pprt/Launch.h"

#include <cstdlib>
#include <cstring>

namespace pprt {

namespace {

/// The variable as a non-negative int, or -1.
int envInt(const char *name) {
  const char *value = std::getenv(name);
  if (!value || !*value)
    return -1;
  char *end = nullptr;
  long n = std::strtol(value, &end, 10);
  if (*end || n < 0 || n > (1 << 30))
    return -1;
  return static_cast<int>(n);
}

} // namespace

LaunchEnv detectLaunch() {
  LaunchEnv env;
  struct Source {
    const char *size, *rank, *launcher;
  };
  static const Source kMpi[] = {
      {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "mpirun"},
      {"PMI_SIZE", "PMI_RANK", "mpirun"},
  };
  for (const Source &s : kMpi) {
    int size = envInt(s.size);
    if (size > 0) {
      env.launcher = s.launcher;
      env.size = size;
      env.rank = envInt(s.rank);
      return env;
    }
  }
  // srun exports the step's task count; SLURM_NTASKS alone is also set in a
  // batch script, which is not a launch of this program.
  int tasks = envInt("SLURM_STEP_NUM_TASKS");
  if (tasks < 0)
    tasks = envInt("SLURM_NTASKS");
  int procId = envInt("SLURM_PROCID");
  if (envInt("PMIX_RANK") >= 0) {
    env.launcher = procId >= 0 ? "srun" : "mpirun";
    env.size = tasks > 0 && procId >= 0 ? tasks : 0;
    env.rank = envInt("PMIX_RANK");
    return env;
  }
  if (tasks > 0 && procId >= 0 && std::getenv("SLURM_STEP_ID")) {
    env.launcher = "srun";
    env.size = tasks;
    env.rank = procId;
  }
  return env;
}

} // namespace pprt
