//===- CpuDevice.cpp - the host Device ------------------------------------===//
//
// Buffers are aligned host memory and copies are memcpy. Linking pprt_cpu
// selects this device (CpuRunMain.cpp defines the contract's runMain).
//
//===----------------------------------------------------------------------===//

#include "pprt/Device.h"

#include <cblas.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pprt {

namespace {

class CpuDevice final : public Device {
public:
  const char *name() const override { return "cpu"; }
  bool isHost() const override { return true; }
  bool init(std::string &) override { return true; }
  void setThreads(int threads) override {
    if (threads > 0)
      openblas_set_num_threads(threads);
  }

  void *alloc(size_t bytes) override {
    // aligned_alloc wants a multiple of the alignment; 0 bytes still gets a
    // unique pointer.
    size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
    void *p = std::aligned_alloc(kAlign, rounded ? rounded : kAlign);
    if (!p) {
      std::fprintf(stderr, "error: cannot allocate %zu bytes of host memory\n",
                   bytes);
      std::exit(1);
    }
    return p;
  }
  void free(void *ptr) override { std::free(ptr); }
  void upload(void *dst, const void *hostSrc, size_t bytes) override {
    if (bytes)
      std::memcpy(dst, hostSrc, bytes);
  }
  void download(void *hostDst, const void *src, size_t bytes) override {
    if (bytes)
      std::memcpy(hostDst, src, bytes);
  }
  void copy(Context &, void *dst, const void *src, size_t bytes) override {
    if (bytes)
      std::memcpy(dst, src, bytes);
  }
  void synchronize(Context &) override {}

  Context makeContext(int rank, int worldSize) override {
    Context ctx;
    ctx.rank = rank;
    ctx.worldSize = worldSize;
    return ctx;
  }
  void destroyContext(Context &) override {}

private:
  static constexpr size_t kAlign = 256;
};

} // namespace

Device &cpuDevice() {
  static CpuDevice device;
  return device;
}

} // namespace pprt
