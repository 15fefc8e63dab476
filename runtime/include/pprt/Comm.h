//===- Comm.h - communication between the ranks of a program ----*- C++ -*-===//
//
// What the generated code calls for pp.send, pp.recv and the collectives.
// A group is named by a bit mask of mesh axes: the ranks that share every
// coordinate outside those axes, ordered row-major over the axes (exactly
// pp's `over @mesh["tp"]`, and pp/Support/MeshShape.h's groupOf). A peer is
// an index inside the group.
//
// Every call blocks until its data is where it belongs (NCCL point-to-point
// semantics: a send returns when the matching recv has the data). A call
// that waits longer than the watchdog allows (PPRT_COMM_TIMEOUT seconds,
// default 300) ends the program with an error naming the rank, the op
// (`what`, which the compiler fills with the ONNX node and pp op) and the
// peer or group.
//
// Backends: threads of one process (`run --ranks N`, buffers in one address
// space; on cuda all ranks share one GPU), MPI between processes on the cpu
// target (`mpirun -np N run`), and NCCL on the cuda target (unique id
// bootstrapped over MPI).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_COMM_H
#define PPRT_COMM_H

#include "pprt/Program.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pprt {

enum class CollectiveOp : int32_t { Sum, Max, Min, Avg };

/// Bit i set: mesh axis i belongs to the group.
using AxisMask = uint32_t;

/// One rank's end of the communication backend.
class Comm {
public:
  virtual ~Comm() = default;

  virtual void send(const void *buf, size_t bytes, AxisMask axes,
                    int64_t peer, int64_t tag, const char *what) = 0;
  virtual void recv(void *buf, size_t bytes, AxisMask axes, int64_t peer,
                    int64_t tag, const char *what) = 0;
  /// In place over `count` elements.
  virtual void allReduce(void *buf, int64_t count, DType dtype,
                         CollectiveOp op, AxisMask axes,
                         const char *what) = 0;
  /// dst holds the group's `bytes`-sized contributions in group order.
  virtual void allGather(void *dst, const void *src, size_t bytes,
                         AxisMask axes, const char *what) = 0;
  /// src holds one `count`-element chunk per group member; dst receives
  /// this rank's chunk reduced over the group.
  virtual void reduceScatter(void *dst, const void *src, int64_t count,
                             DType dtype, CollectiveOp op, AxisMask axes,
                             const char *what) = 0;

  // Stage-to-stage activations (the schedule's SEND and RECV). A backend
  // may run them apart from compute: the send starts once the work queued
  // so far is done and the call returns at once; later work waits for a
  // receive's data; drainStage() waits (under the watchdog) for every
  // transfer started. By default they are the blocking send and recv.
  virtual void sendStage(const void *buf, size_t bytes, AxisMask axes,
                         int64_t peer, int64_t tag, const char *what) {
    send(buf, bytes, axes, peer, tag, what);
  }
  virtual void recvStage(void *buf, size_t bytes, AxisMask axes, int64_t peer,
                         int64_t tag, const char *what) {
    recv(buf, bytes, axes, peer, tag, what);
  }
  virtual void drainStage(const char *what) { (void)what; }

  // Gradient reductions (data parallelism), one bucket per call: started
  // once the gradients are final, while the schedule goes on; compute
  // queued after drainReductions() sees their sums. A backend may run them
  // apart from compute (NCCL: their own stream; MPI: nonblocking
  // collectives); by default each runs at once.
  struct Reduction {
    void *buf;
    int64_t count;
    DType dtype;
    const char *what;
  };
  virtual void startAllReduces(const std::vector<Reduction> &bucket,
                               CollectiveOp op, AxisMask axes) {
    for (const Reduction &r : bucket)
      allReduce(r.buf, r.count, r.dtype, op, axes, r.what);
  }
  virtual void drainReductions(const char *what) { (void)what; }
};

// The calls generated code makes; they forward to ctx.comm.
inline void send(Context &ctx, const void *buf, size_t bytes, AxisMask axes,
                 int64_t peer, int64_t tag, const char *what) {
  ctx.comm->send(buf, bytes, axes, peer, tag, what);
}
inline void recv(Context &ctx, void *buf, size_t bytes, AxisMask axes,
                 int64_t peer, int64_t tag, const char *what) {
  ctx.comm->recv(buf, bytes, axes, peer, tag, what);
}
inline void allReduce(Context &ctx, void *buf, int64_t count, DType dtype,
                      CollectiveOp op, AxisMask axes, const char *what) {
  ctx.comm->allReduce(buf, count, dtype, op, axes, what);
}
inline void allGather(Context &ctx, void *dst, const void *src, size_t bytes,
                      AxisMask axes, const char *what) {
  ctx.comm->allGather(dst, src, bytes, axes, what);
}
inline void reduceScatter(Context &ctx, void *dst, const void *src,
                          int64_t count, DType dtype, CollectiveOp op,
                          AxisMask axes, const char *what) {
  ctx.comm->reduceScatter(dst, src, count, dtype, op, axes, what);
}

/// This rank's index in the group over `axes` (for rank-dependent slices of
/// replicated tensors and vocab-parallel lookups).
int64_t indexInGroup(const Context &ctx, AxisMask axes);

} // namespace pprt

#endif // PPRT_COMM_H
