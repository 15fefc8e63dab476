//===- RunRanks.h - runMain for programs with a stage table -----*- C++ -*-===//

#ifndef PPRT_LIB_RUNRANKS_H
#define PPRT_LIB_RUNRANKS_H

#include "RunOptions.h"
#include "pprt/Launch.h"

namespace pprt {

/// Runs a program with Program::numStages > 0 on every rank of its mesh:
/// as threads (--ranks), as processes (mpirun/srun, through `processes`), or
/// as a single rank. Returns the exit code.
int runRanks(const Program &program, const RunOptions &options, Device &device,
             ProcessGroup *processes);

/// "8 ranks (dp=2 x pp=2 x tp=2)"
std::string describeMesh(const MeshSpec &mesh);

} // namespace pprt

#endif // PPRT_LIB_RUNRANKS_H
