//===- HostReduce.h - reducing ranks' contributions on the host -*- C++ -*-===//
//
// The thread and MPI backends reduce by gathering every member's
// contribution and combining them on each member in group order. Every rank
// then holds bitwise the same result, and `run --ranks N` and `mpirun -np N`
// write identical files.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_HOSTREDUCE_H
#define PPRT_HOSTREDUCE_H

#include "pprt/Comm.h"

#include <cstdint>

namespace pprt {

/// dst[i] = parts[0][i] op parts[1][i] op ... op parts[n-1][i], left to
/// right, for `count` elements of `dtype` (host memory). f16 and bf16
/// accumulate in float, other floats in their own type, integers in int64.
/// Avg is the sum divided by n. Bool: sum and max are "or", min is "and".
/// `dst` may be one of the parts.
void reduceHost(void *dst, const void *const *parts, int n, int64_t count,
                DType dtype, CollectiveOp op);

} // namespace pprt

#endif // PPRT_HOSTREDUCE_H
