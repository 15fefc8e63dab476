//===- Mpi.h - ranks as MPI processes ---------------------------*- C++ -*-===//
//
// pprt_mpi: the ProcessGroup that joins an mpirun/srun job, and the Comm of
// the cpu target between processes. The cuda target uses the same process
// group with an NCCL Comm. Defined in pprt_mpi, which needs MPI (Open MPI
// or any MPI-3 library).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_MPI_H
#define PPRT_MPI_H

#include "pprt/Launch.h"

#include <memory>

namespace pprt {

/// Builds a process's Comm once MPI is running.
using ProcessCommMaker = std::unique_ptr<Comm> (*)(Context &ctx,
                                                   const MeshSpec &mesh,
                                                   double timeoutSeconds);

/// The MPI job this process belongs to. join() calls MPI_Init (unless MPI
/// is already running), makes errors return instead of aborting, and makes
/// commFatal end the whole job with MPI_Abort.
std::unique_ptr<ProcessGroup> makeMpiProcessGroup(ProcessCommMaker makeComm);

/// MPI between host buffers (the cpu target): MPI_Issend/MPI_Irecv with the
/// tag, so a send completes only once the recv has started (rendezvous, as
/// NCCL); collectives over one communicator per axis mask; reductions
/// gather and combine in group order like LocalComm, so results are bitwise
/// equal to `run --ranks N`.
std::unique_ptr<Comm> makeMpiComm(Context &ctx, const MeshSpec &mesh,
                                  double timeoutSeconds);

} // namespace pprt

#endif // PPRT_MPI_H
