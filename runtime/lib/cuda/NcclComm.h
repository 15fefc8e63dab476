//===- NcclComm.h - ranks as processes with a GPU each ----------*- C++ -*-===//

#ifndef PPRT_LIB_CUDA_NCCLCOMM_H
#define PPRT_LIB_CUDA_NCCLCOMM_H

#include "pprt/Comm.h"

#include <memory>

namespace pprt {

/// NCCL between device buffers on the context's stream (the cuda target
/// under mpirun/srun). Needs MPI running: each group's ncclUniqueId is
/// broadcast over the group's MPI communicator.
std::unique_ptr<Comm> makeNcclComm(Context &ctx, const MeshSpec &mesh,
                                   double timeoutSeconds);

} // namespace pprt

#endif // PPRT_LIB_CUDA_NCCLCOMM_H
