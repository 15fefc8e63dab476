//===- NcclComm.cpp - ranks as processes with a GPU each, over NCCL -------===//
//
// One NCCL communicator per axis mask, made the first time the mask is used:
// member 0 of the group creates an ncclUniqueId and broadcasts it over the
// group's MPI communicator (only the members take part, so ranks of other
// stages need not be there). Communicators are nonblocking (config.blocking
// = 0) so that even their setup can be watched.
//
// Every op is enqueued on the context's stream and then waited for by
// polling cudaStreamQuery and ncclCommGetAsyncError against the watchdog's
// deadline; a hung op aborts its communicator and ends the job. NCCL has no
// tags: messages between two ranks match in order, which is the order the
// compiler emits them in; the tag only appears in messages.
//
// Stage-to-stage activations run on a second stream so that they overlap
// with compute: a send waits (by event) for the compute queued before it
// and the host moves on; compute queued after a receive waits for its
// data; drainStage() waits for the transfer stream under the watchdog. The
// verified schedule orders the transfers of each pair, so enqueuing them
// in schedule order keeps NCCL's in-order matching right.
//
// Gradient reductions run on a third stream: a bucket (one NCCL group)
// starts after the compute queued before it, overlapping the rest of the
// schedule; drainReductions() waits for them. Every replica starts its
// buckets in the same order, and nothing else uses their communicator
// until they drain.
//
//===----------------------------------------------------------------------===//

#include "NcclComm.h"
#include "../mpi/MpiGroups.h"
#include "pprt/CudaCheck.h"
#include "pprt/Watchdog.h"

#include <nccl.h>

#include <array>

#include <cstdio>
#include <cstdlib>

namespace pprt {

namespace {

ncclDataType_t ncclTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return ncclFloat32;
  case DType::F64:
    return ncclFloat64;
  case DType::F16:
    return ncclFloat16;
  case DType::BF16:
    return ncclBfloat16;
  case DType::I8:
    return ncclInt8;
  case DType::U8:
  case DType::Bool:
    return ncclUint8;
  case DType::I32:
    return ncclInt32;
  case DType::I64:
    return ncclInt64;
  case DType::U32:
    return ncclUint32;
  case DType::U64:
    return ncclUint64;
  case DType::I16:
  case DType::U16:
    break; // NCCL has no 16-bit integers
  }
  std::fprintf(stderr, "error: NCCL cannot reduce %s tensors\n",
               dtypeName(dtype));
  std::exit(1);
}

ncclRedOp_t ncclOpOf(CollectiveOp op) {
  switch (op) {
  case CollectiveOp::Sum:
    return ncclSum;
  case CollectiveOp::Max:
    return ncclMax;
  case CollectiveOp::Min:
    return ncclMin;
  case CollectiveOp::Avg:
    return ncclAvg;
  }
  return ncclSum;
}

class NcclComm final : public Comm {
public:
  NcclComm(Context &ctx, const MeshSpec &mesh, double timeout)
      : stream(static_cast<cudaStream_t>(ctx.stream)),
        mpi(mesh, ctx.rank, timeout) {
    comms.fill(nullptr);
    PPRT_CUDA_CHECK(
        cudaStreamCreateWithFlags(&transfers, cudaStreamNonBlocking));
    PPRT_CUDA_CHECK(
        cudaStreamCreateWithFlags(&reductions, cudaStreamNonBlocking));
  }

  ~NcclComm() override {
    for (ncclComm_t &comm : comms) {
      if (!comm)
        continue;
      // Finalize flushes outstanding work; then the memory can go.
      settle(comm, ncclCommFinalize(comm), "ncclCommFinalize",
             "destroying a communicator", nullptr);
      check(ncclCommDestroy(comm), "ncclCommDestroy",
            "destroying a communicator", nullptr);
      comm = nullptr;
    }
    cudaStreamDestroy(transfers);
    cudaStreamDestroy(reductions);
  }

  void sendStage(const void *buf, size_t bytes, AxisMask axes, int64_t peer,
                 int64_t tag, const char *what) override {
    follow(transfers, stream); // the activation is computed
    std::string op;
    lastTransferComm =
        enqueueP2P(true, const_cast<void *>(buf), bytes, axes, peer, tag,
                   what, transfers, op);
  }

  void recvStage(void *buf, size_t bytes, AxisMask axes, int64_t peer,
                 int64_t tag, const char *what) override {
    std::string op;
    lastTransferComm =
        enqueueP2P(false, buf, bytes, axes, peer, tag, what, transfers, op);
    follow(stream, transfers); // the stage that reads it waits for it
  }

  void drainStage(const char *what) override {
    if (lastTransferComm)
      waitStream(lastTransferComm, "stage-to-stage transfers", what,
                 transfers);
  }

  void startAllReduces(const std::vector<Reduction> &bucket, CollectiveOp op,
                       AxisMask axes) override {
    if (bucket.empty())
      return;
    const char *what = bucket.front().what;
    const CommGroup &group = mpi.group(axes, "all_reduce", what);
    std::string name = "all_reduce over " + group.describe();
    ncclComm_t comm = get(group, name, what);
    follow(reductions, stream); // the gradients are final
    check(ncclGroupStart(), "ncclGroupStart", name, what);
    for (const Reduction &r : bucket) {
      ncclResult_t result =
          ncclAllReduce(r.buf, r.buf, size_t(r.count), ncclTypeOf(r.dtype),
                        ncclOpOf(op), comm, reductions);
      if (result != ncclInProgress)
        check(result, "ncclAllReduce", name, r.what);
    }
    ncclResult_t result = ncclGroupEnd();
    if (result != ncclInProgress)
      check(result, "ncclGroupEnd", name, what);
    settle(comm, result, "ncclGroupEnd", name, what);
    lastReductionComm = comm;
  }

  void drainReductions(const char *what) override {
    if (lastReductionComm)
      waitStream(lastReductionComm, "gradient reductions", what, reductions);
    lastReductionComm = nullptr;
  }

  void send(const void *buf, size_t bytes, AxisMask axes, int64_t peer,
            int64_t tag, const char *what) override {
    std::string op;
    ncclComm_t comm = enqueueP2P(true, const_cast<void *>(buf), bytes, axes,
                                 peer, tag, what, stream, op);
    waitStream(comm, op, what);
  }

  void recv(void *buf, size_t bytes, AxisMask axes, int64_t peer, int64_t tag,
            const char *what) override {
    std::string op;
    ncclComm_t comm =
        enqueueP2P(false, buf, bytes, axes, peer, tag, what, stream, op);
    waitStream(comm, op, what);
  }

  void allReduce(void *buf, int64_t count, DType dtype, CollectiveOp op,
                 AxisMask axes, const char *what) override {
    const CommGroup &group = mpi.group(axes, "all_reduce", what);
    std::string name = "all_reduce over " + group.describe();
    ncclComm_t comm = get(group, name, what);
    settle(comm,
           ncclAllReduce(buf, buf, size_t(count), ncclTypeOf(dtype),
                         ncclOpOf(op), comm, stream),
           "ncclAllReduce", name, what);
    waitStream(comm, name, what);
  }

  void allGather(void *dst, const void *src, size_t bytes, AxisMask axes,
                 const char *what) override {
    const CommGroup &group = mpi.group(axes, "all_gather", what);
    std::string name = "all_gather over " + group.describe();
    ncclComm_t comm = get(group, name, what);
    settle(comm, ncclAllGather(src, dst, bytes, ncclInt8, comm, stream),
           "ncclAllGather", name, what);
    waitStream(comm, name, what);
  }

  void reduceScatter(void *dst, const void *src, int64_t count, DType dtype,
                     CollectiveOp op, AxisMask axes,
                     const char *what) override {
    const CommGroup &group = mpi.group(axes, "reduce_scatter", what);
    std::string name = "reduce_scatter over " + group.describe();
    ncclComm_t comm = get(group, name, what);
    settle(comm,
           ncclReduceScatter(src, dst, size_t(count), ncclTypeOf(dtype),
                             ncclOpOf(op), comm, stream),
           "ncclReduceScatter", name, what);
    waitStream(comm, name, what);
  }

private:
  /// The group's communicator, made on first use by its members only.
  ncclComm_t get(const CommGroup &group, const std::string &op,
                 const char *what) {
    ncclComm_t &comm = comms[group.axes];
    if (comm)
      return comm;
    std::string setup = "NCCL setup for " + op;
    ncclUniqueId id;
    if (group.index == 0)
      check(ncclGetUniqueId(&id), "ncclGetUniqueId", setup, what);
    MPI_Request request;
    PPRT_MPI_CHECK(MPI_Ibcast(&id, int(sizeof(id)), MPI_BYTE, 0,
                              mpi.comm(group), &request),
                   mpi.rank());
    mpi.wait(request, setup, what);
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    ncclResult_t result = ncclCommInitRankConfig(&comm, int(group.size()), id,
                                                 int(group.index), &config);
    if (result != ncclSuccess && result != ncclInProgress)
      check(result, "ncclCommInitRankConfig", setup, what);
    settle(comm, result, "ncclCommInitRankConfig", setup, what);
    return comm;
  }

  void check(ncclResult_t result, const char *call, const std::string &op,
             const char *what) {
    if (result != ncclSuccess)
      mpi.fatal(op + ": " + call + " failed: " + ncclGetErrorString(result),
                what);
  }

  /// Waits until a nonblocking communicator has finished the call that
  /// returned `result`.
  void settle(ncclComm_t comm, ncclResult_t result, const char *call,
              const std::string &op, const char *what) {
    Deadline deadline(mpi.timeout());
    Backoff backoff;
    while (result == ncclInProgress) {
      if (deadline.passed()) {
        ncclCommAbort(comm);
        commTimedOut(mpi.rank(), mpi.timeout(), op, what);
      }
      backoff.pause();
      check(ncclCommGetAsyncError(comm, &result), "ncclCommGetAsyncError", op,
            what);
    }
    if (result != ncclSuccess)
      mpi.fatal(op + ": " + call + " failed: " + ncclGetErrorString(result) +
                    " (" + ncclGetLastError(comm) + ")",
                what);
  }

  /// Enqueues an ncclSend (or ncclRecv) on `queue` without waiting; `op`
  /// names it for messages ("send to rank 3 (tag 1)").
  ncclComm_t enqueueP2P(bool isSend, void *buf, size_t bytes, AxisMask axes,
                        int64_t peer, int64_t tag, const char *what,
                        cudaStream_t queue, std::string &op) {
    const char *kind = isSend ? "send" : "recv";
    const CommGroup &group = mpi.group(axes, kind, what);
    op = std::string(isSend ? "send to rank " : "recv from rank ") +
         std::to_string(mpi.peerRank(group, peer, kind, what)) + " (tag " +
         std::to_string(tag) + ")";
    ncclComm_t comm = get(group, op, what);
    if (isSend)
      settle(comm, ncclSend(buf, bytes, ncclInt8, int(peer), comm, queue),
             "ncclSend", op, what);
    else
      settle(comm, ncclRecv(buf, bytes, ncclInt8, int(peer), comm, queue),
             "ncclRecv", op, what);
    return comm;
  }

  /// Work queued on `waiter` from now on starts after what is queued on
  /// `on` so far.
  static void follow(cudaStream_t waiter, cudaStream_t on) {
    cudaEvent_t done;
    PPRT_CUDA_CHECK(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
    PPRT_CUDA_CHECK(cudaEventRecord(done, on));
    PPRT_CUDA_CHECK(cudaStreamWaitEvent(waiter, done, 0));
    // Released once the recorded work completes.
    PPRT_CUDA_CHECK(cudaEventDestroy(done));
  }

  /// Waits for the enqueued op: the stream drains, or NCCL reports an
  /// error, or the deadline passes.
  void waitStream(ncclComm_t comm, const std::string &op, const char *what) {
    waitStream(comm, op, what, stream);
  }
  void waitStream(ncclComm_t comm, const std::string &op, const char *what,
                  cudaStream_t queue) {
    Deadline deadline(mpi.timeout());
    Backoff backoff;
    for (;;) {
      cudaError_t status = cudaStreamQuery(queue);
      if (status == cudaSuccess)
        return;
      if (status != cudaErrorNotReady)
        mpi.fatal(op +
                      ": cudaStreamQuery failed: " + cudaGetErrorString(status),
                  what);
      ncclResult_t async = ncclSuccess;
      check(ncclCommGetAsyncError(comm, &async), "ncclCommGetAsyncError", op,
            what);
      if (async != ncclSuccess && async != ncclInProgress) {
        ncclCommAbort(comm);
        mpi.fatal(op + ": NCCL failed: " + ncclGetErrorString(async), what);
      }
      if (deadline.passed()) {
        ncclCommAbort(comm);
        commTimedOut(mpi.rank(), mpi.timeout(), op, what);
      }
      backoff.pause();
    }
  }

  cudaStream_t stream;
  cudaStream_t transfers;
  cudaStream_t reductions;
  ncclComm_t lastTransferComm = nullptr;
  ncclComm_t lastReductionComm = nullptr;
  MpiGroups mpi;
  std::array<ncclComm_t, (1u << kMaxMeshAxes)> comms;
};

} // namespace

std::unique_ptr<Comm> makeNcclComm(Context &ctx, const MeshSpec &mesh,
                                   double timeoutSeconds) {
  return std::make_unique<NcclComm>(ctx, mesh, timeoutSeconds);
}

} // namespace pprt
