//===- CpuDevice.cpp - the host Device ------------------------------------===//
//
// Buffers are aligned host memory, touched once when allocated so that no
// page is first faulted inside a timed step, and copies are memcpy. Linking
// pprt_cpu selects this device (CpuRunMain.cpp defines the contract's
// runMain).
//
// Threads: OpenMP's team size is per calling thread, so the count is set on
// the thread that asks for it and again on each rank thread, in
// makeContext, which runs there.
//
//===----------------------------------------------------------------------===//

#include "PackedWeights.h"
#include "pprt/Device.h"

#include <cblas.h>
#include <omp.h>

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
    if (threads <= 0)
      return;
    teamSize = threads;
    omp_set_num_threads(threads);
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
    std::memset(p, 0, rounded);
    return p;
  }
  void free(void *ptr) override {
    cpu::forgetConstantWeight(ptr);
    std::free(ptr);
  }
  /// PPRT_PACKED_WEIGHTS=0 keeps weights unpacked (no second copy).
  void markConstant(const void *data, size_t bytes) override {
    static const bool packing = [] {
      const char *env = std::getenv("PPRT_PACKED_WEIGHTS");
      return !env || std::strcmp(env, "0") != 0;
    }();
    if (packing)
      cpu::markConstantWeight(data, bytes);
  }
  std::string derivedWeightsNote() const override {
    const cpu::PackingTotals t = cpu::packingTotals();
    if (t.weights == 0)
      return "";
    char note[128];
    std::snprintf(note, sizeof note,
                  "packed %lld weights (%.1f MiB) for the GEMM in %.1f ms",
                  static_cast<long long>(t.weights), t.bytes / 1048576.0,
                  t.ms);
    return note;
  }
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
    if (teamSize > 0)
      omp_set_num_threads(teamSize);
    Context ctx;
    ctx.rank = rank;
    ctx.worldSize = worldSize;
    return ctx;
  }
  void destroyContext(Context &) override {}

private:
  static constexpr size_t kAlign = 256;
  /// Set before the rank threads start, read by each of them.
  int teamSize = 0;
};

} // namespace

Device &cpuDevice() {
  static CpuDevice device;
  return device;
}

} // namespace pprt
