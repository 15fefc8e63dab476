//===- MpiComm.cpp - ranks as MPI processes, host buffers -----------------===//
//
// Every call is nonblocking MPI followed by a polling wait, so that the
// watchdog can end a call that never completes. Sends are synchronous-mode
// (MPI_Issend): they complete only once the matching recv has started, as
// NCCL's do, so a program that works here does not rely on MPI buffering.
//
//===----------------------------------------------------------------------===//

#include "MpiGroups.h"
#include "pprt/DType.h"
#include "pprt/HostReduce.h"
#include "pprt/Mpi.h"

#include <cstring>
#include <string>
#include <vector>

namespace pprt {

namespace {

bool overlaps(const void *a, size_t aBytes, const void *b, size_t bBytes) {
  auto pa = reinterpret_cast<uintptr_t>(a);
  auto pb = reinterpret_cast<uintptr_t>(b);
  return pa < pb + bBytes && pb < pa + aBytes;
}

class MpiComm final : public Comm {
public:
  MpiComm(const MeshSpec &mesh, int rank, double timeout)
      : mpi(mesh, rank, timeout) {
    void *value = nullptr;
    int found = 0;
    PPRT_MPI_CHECK(
        MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &value, &found), rank);
    tagLimit = found ? *static_cast<int *>(value) : 32767;
  }

  void send(const void *buf, size_t bytes, AxisMask axes, int64_t peer,
            int64_t tag, const char *what) override {
    const CommGroup &group = mpi.group(axes, "send", what);
    std::string op = "send to rank " +
                     std::to_string(mpi.peerRank(group, peer, "send", what)) +
                     " (tag " + std::to_string(tag) + ")";
    int count = mpiCount(bytes, mpi, op, what);
    MPI_Request request;
    PPRT_MPI_CHECK(MPI_Issend(buf, count, MPI_BYTE, int(peer),
                              mpiTag(tag, op, what), mpi.comm(group), &request),
                   mpi.rank());
    mpi.wait(request, op, what);
  }

  void recv(void *buf, size_t bytes, AxisMask axes, int64_t peer, int64_t tag,
            const char *what) override {
    const CommGroup &group = mpi.group(axes, "recv", what);
    std::string op = "recv from rank " +
                     std::to_string(mpi.peerRank(group, peer, "recv", what)) +
                     " (tag " + std::to_string(tag) + ")";
    int count = mpiCount(bytes, mpi, op, what);
    MPI_Request request;
    PPRT_MPI_CHECK(MPI_Irecv(buf, count, MPI_BYTE, int(peer),
                             mpiTag(tag, op, what), mpi.comm(group), &request),
                   mpi.rank());
    MPI_Status status = mpi.wait(request, op, what);
    int got = 0;
    PPRT_MPI_CHECK(MPI_Get_count(&status, MPI_BYTE, &got), mpi.rank());
    if (got != count)
      mpi.fatal(op + " expects " + std::to_string(bytes) +
                    " bytes, the send has " + std::to_string(got),
                what);
  }

  void allReduce(void *buf, int64_t count, DType dtype, CollectiveOp op,
                 AxisMask axes, const char *what) override {
    const CommGroup &group = mpi.group(axes, "all_reduce", what);
    std::string name = "all_reduce over " + group.describe();
    size_t bytes = size_t(count) * dtypeSize(dtype);
    std::vector<char> gathered(bytes * group.ranks.size());
    gather(group, buf, bytes, gathered.data(), name, what);
    reduceHost(buf, partsOf(gathered.data(), bytes, 0, group).data(),
               int(group.size()), count, dtype, op);
  }

  void allGather(void *dst, const void *src, size_t bytes, AxisMask axes,
                 const char *what) override {
    const CommGroup &group = mpi.group(axes, "all_gather", what);
    std::string name = "all_gather over " + group.describe();
    std::vector<char> copy;
    if (overlaps(dst, bytes * group.ranks.size(), src, bytes)) {
      copy.assign(static_cast<const char *>(src),
                  static_cast<const char *>(src) + bytes);
      src = copy.data();
    }
    gather(group, src, bytes, dst, name, what);
  }

  void reduceScatter(void *dst, const void *src, int64_t count, DType dtype,
                     CollectiveOp op, AxisMask axes,
                     const char *what) override {
    const CommGroup &group = mpi.group(axes, "reduce_scatter", what);
    std::string name = "reduce_scatter over " + group.describe();
    size_t chunk = size_t(count) * dtypeSize(dtype);
    // Member j's chunk for this rank lands at slot j.
    std::vector<char> mine(chunk * group.ranks.size());
    exchange(group, src, chunk, mine.data(), name, what);
    reduceHost(dst, partsOf(mine.data(), chunk, 0, group).data(),
               int(group.size()), count, dtype, op);
  }

  // Each gradient's all-gather posted now; the sums are taken when the
  // reductions drain (every rank adds the parts in group order, as
  // allReduce does, so the result is the same bit for bit).
  void startAllReduces(const std::vector<Reduction> &bucket, CollectiveOp op,
                       AxisMask axes) override {
    for (const Reduction &r : bucket) {
      const CommGroup &group = mpi.group(axes, "all_reduce", r.what);
      Pending p{r, op, axes, "all_reduce over " + group.describe(), {},
                MPI_REQUEST_NULL};
      size_t bytes = size_t(r.count) * dtypeSize(r.dtype);
      p.gathered.resize(bytes * group.ranks.size());
      int count = mpiCount(bytes, mpi, p.name, r.what);
      PPRT_MPI_CHECK(MPI_Iallgather(r.buf, count, MPI_BYTE,
                                    p.gathered.data(), count, MPI_BYTE,
                                    mpi.comm(group), &p.request),
                     mpi.rank());
      pending.push_back(std::move(p));
    }
  }

  void drainReductions(const char *what) override {
    (void)what;
    for (Pending &p : pending) {
      const CommGroup &group = mpi.group(p.axes, "all_reduce", p.r.what);
      mpi.wait(p.request, p.name, p.r.what);
      size_t bytes = size_t(p.r.count) * dtypeSize(p.r.dtype);
      reduceHost(p.r.buf, partsOf(p.gathered.data(), bytes, 0, group).data(),
                 int(group.size()), p.r.count, p.r.dtype, p.op);
    }
    pending.clear();
  }

private:
  /// A started reduction: its all-gather in flight.
  struct Pending {
    Reduction r;
    CollectiveOp op;
    AxisMask axes;
    std::string name;
    std::vector<char> gathered;
    MPI_Request request;
  };

  int mpiTag(int64_t tag, const std::string &op, const char *what) const {
    if (tag < 0 || tag > tagLimit)
      mpi.fatal(op + ": tag outside MPI's range [0, " +
                    std::to_string(tagLimit) + "]",
                what);
    return int(tag);
  }

  std::vector<const void *> partsOf(const char *base, size_t stride,
                                    size_t offset,
                                    const CommGroup &group) const {
    std::vector<const void *> parts;
    for (int64_t j = 0; j < group.size(); ++j)
      parts.push_back(base + j * stride + offset);
    return parts;
  }

  void gather(const CommGroup &group, const void *src, size_t bytes, void *dst,
              const std::string &name, const char *what) {
    int count = mpiCount(bytes, mpi, name, what);
    MPI_Request request;
    PPRT_MPI_CHECK(MPI_Iallgather(src, count, MPI_BYTE, dst, count, MPI_BYTE,
                                  mpi.comm(group), &request),
                   mpi.rank());
    mpi.wait(request, name, what);
  }

  void exchange(const CommGroup &group, const void *src, size_t bytes,
                void *dst, const std::string &name, const char *what) {
    int count = mpiCount(bytes, mpi, name, what);
    MPI_Request request;
    PPRT_MPI_CHECK(MPI_Ialltoall(src, count, MPI_BYTE, dst, count, MPI_BYTE,
                                 mpi.comm(group), &request),
                   mpi.rank());
    mpi.wait(request, name, what);
  }

  MpiGroups mpi;
  int tagLimit = 32767;
  std::vector<Pending> pending;
};

} // namespace

std::unique_ptr<Comm> makeMpiComm(Context &ctx, const MeshSpec &mesh,
                                  double timeoutSeconds) {
  return std::make_unique<MpiComm>(mesh, ctx.rank, timeoutSeconds);
}

} // namespace pprt
