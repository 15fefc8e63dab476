//===- StagedComm.h - host-buffer calls on a device-buffer Comm -*- C++ -*-===//
//
// CommChecks.h passes host buffers. To run the same checks against a Comm
// whose buffers live on a GPU (LocalComm on the cuda Device, NCCL), this
// adapter copies each call's buffers to fresh device memory, calls the
// wrapped Comm, and copies the results back.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TEST_STAGEDCOMM_H
#define PPRT_TEST_STAGEDCOMM_H

#include "pprt/Comm.h"
#include "pprt/Device.h"

namespace pprt::test {

class StagedComm final : public Comm {
public:
  StagedComm(Device &device, Comm &inner) : device(device), inner(inner) {}

  void send(const void *buf, size_t bytes, AxisMask axes, int64_t peer,
            int64_t tag, const char *what) override {
    Staged s(device, buf, bytes);
    inner.send(s.ptr, bytes, axes, peer, tag, what);
  }
  void recv(void *buf, size_t bytes, AxisMask axes, int64_t peer, int64_t tag,
            const char *what) override {
    Staged s(device, nullptr, bytes);
    inner.recv(s.ptr, bytes, axes, peer, tag, what);
    device.download(buf, s.ptr, bytes);
  }
  void allReduce(void *buf, int64_t count, DType dtype, CollectiveOp op,
                 AxisMask axes, const char *what) override {
    size_t bytes = size_t(count) * dtypeSize(dtype);
    Staged s(device, buf, bytes);
    inner.allReduce(s.ptr, count, dtype, op, axes, what);
    device.download(buf, s.ptr, bytes);
  }
  void allGather(void *dst, const void *src, size_t bytes, AxisMask axes,
                 const char *what) override {
    size_t total = bytes * size_t(groupSize(axes));
    Staged in(device, src, bytes), out(device, nullptr, total);
    inner.allGather(out.ptr, in.ptr, bytes, axes, what);
    device.download(dst, out.ptr, total);
  }
  void reduceScatter(void *dst, const void *src, int64_t count, DType dtype,
                     CollectiveOp op, AxisMask axes,
                     const char *what) override {
    size_t chunk = size_t(count) * dtypeSize(dtype);
    Staged in(device, src, chunk * size_t(groupSize(axes)));
    Staged out(device, nullptr, chunk);
    inner.reduceScatter(out.ptr, in.ptr, count, dtype, op, axes, what);
    device.download(dst, out.ptr, chunk);
  }

  /// Set by the caller: the mesh, to size gathered buffers.
  const MeshSpec *mesh = nullptr;

private:
  int64_t groupSize(AxisMask axes) const {
    int64_t n = 1;
    for (int a = 0; mesh && a < mesh->numAxes; ++a)
      if (axes & (AxisMask(1) << a))
        n *= mesh->axisSizes[a];
    return n;
  }

  /// Device memory holding a copy of `src` (if given) for one call.
  struct Staged {
    Staged(Device &device, const void *src, size_t bytes) : device(device) {
      ptr = device.alloc(bytes);
      if (src)
        device.upload(ptr, src, bytes);
    }
    ~Staged() { device.free(ptr); }
    Device &device;
    void *ptr;
  };

  Device &device;
  Comm &inner;
};

} // namespace pprt::test

#endif // PPRT_TEST_STAGEDCOMM_H
