//===- Device.h - where a program's buffers live and run --------*- C++ -*-===//
//
// runMain is target-independent: it talks to memory and streams only through
// a Device. pprt_cpu provides the host device, pprt_cuda the CUDA one; a
// program links exactly one of them, and that library also defines the
// contract's runMain(argc, argv, program), forwarding to runMain(..., device)
// declared here. Tests call the four-argument form directly.
//
// Device methods do not return errors: a failing allocation or copy prints a
// one-line `error: ...` naming the call and exits with code 1, like every
// other runtime abort. Only init() reports, so that a missing GPU is a clean
// error message.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_DEVICE_H
#define PPRT_DEVICE_H

#include "pprt/Program.h"

#include <cstddef>
#include <functional>
#include <string>

namespace pprt {

class Device {
public:
  virtual ~Device() = default;

  /// "cpu" or "cuda"; compared with Program::target.
  virtual const char *name() const = 0;
  /// True when device buffers are ordinary host memory (no staging needed).
  virtual bool isHost() const = 0;
  /// Which of the node's devices init() picks when several processes share
  /// a node (cuda: GPU localRank % device count). Call before init().
  virtual void setLocalRank(int localRank) { (void)localRank; }
  /// The threads one rank's kernels may use (cpu: the BLAS library's; the
  /// ranks of a process share it, so it is the per-rank count, and rank
  /// threads never oversubscribe the cores); 0 keeps the library's own
  /// setting. Call before init().
  virtual void setThreads(int threads) { (void)threads; }
  /// Declares `bytes` at `data` a weight that nothing will write (every
  /// program but a training one), so kernels may keep derived copies of it
  /// (cpu: the GEMM's packed layout). Call after loading it; free() ends it.
  virtual void markConstant(const void *data, size_t bytes) {
    (void)data;
    (void)bytes;
  }
  /// What the runs so far spent on derived copies of constant weights
  /// (cpu: "packed N weights (M MiB) for the GEMM in T ms"), or "" when
  /// none; runMain prints it after the warm-up run.
  virtual std::string derivedWeightsNote() const { return ""; }
  /// Selects and checks the hardware; false with `error` when unusable.
  virtual bool init(std::string &error) = 0;

  /// `bytes` of device memory (at least 256-byte aligned; 0 bytes gives a
  /// valid, unique pointer).
  virtual void *alloc(size_t bytes) = 0;
  virtual void free(void *ptr) = 0;
  /// Blocking copies between host and device memory.
  virtual void upload(void *dst, const void *hostSrc, size_t bytes) = 0;
  virtual void download(void *hostDst, const void *src, size_t bytes) = 0;
  /// Blocking copy between two device buffers, ordered after the work
  /// queued on `ctx` (the receiving rank's). Ranks that are threads of one
  /// process exchange data this way.
  virtual void copy(Context &ctx, void *dst, const void *src, size_t bytes) = 0;
  /// Waits for all work queued on `ctx`, and reports errors that kernels
  /// recorded (a gather index out of range) by exiting with a message.
  virtual void synchronize(Context &ctx) = 0;

  /// A context for `rank` of `worldSize` with its stream and BLAS handle.
  /// Called on the thread that will run the rank.
  virtual Context makeContext(int rank, int worldSize) = 0;
  virtual void destroyContext(Context &ctx) = 0;
  /// Records the work `enqueue` queues on ctx's stream, without running
  /// it, as one graph that launchGraph replays (cuda: a CUDA graph, so a
  /// step costs one launch instead of one per kernel). Null with `error`
  /// where the device has none or the work cannot be captured.
  virtual void *captureGraph(Context &ctx, const std::function<void()> &enqueue,
                             std::string &error) {
    (void)ctx;
    (void)enqueue;
    error = std::string("the ") + name() + " target has no CUDA graphs";
    return nullptr;
  }
  /// Queues a captured graph on ctx's stream.
  virtual void launchGraph(Context &ctx, void *graph) {
    (void)ctx;
    (void)graph;
  }
  virtual void destroyGraph(void *graph) { (void)graph; }
};

/// The host device; defined in pprt_cpu.
Device &cpuDevice();
/// The CUDA device; defined in pprt_cuda.
Device &cudaDevice();

/// runMain on an explicit device, without MPI: multi-rank programs run
/// with `--ranks N` only. The contract's three-argument runMain is the
/// five-argument form in pprt/Launch.h with the device and the MPI process
/// group of the linked target library.
int runMain(int argc, char **argv, const Program &program, Device &device);

} // namespace pprt

#endif // PPRT_DEVICE_H
