//===- LocalComm.h - ranks as threads of one process ------------*- C++ -*-===//
//
// `run --ranks N` runs every rank as a thread of one process. A LocalWorld
// is what the threads share: the mailboxes of point-to-point messages and
// one meeting point per group for collectives. Buffers are read and written
// through the Device, so the same code serves host memory (cpu) and ranks
// that share one GPU (cuda).
//
// Semantics are NCCL's: a send returns once the matching recv has copied the
// data, and a collective returns once this rank's result is in place. Every
// wait has the watchdog's deadline (pprt/Watchdog.h).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LOCALCOMM_H
#define PPRT_LOCALCOMM_H

#include "pprt/Comm.h"

#include <memory>

namespace pprt {

class Device;

class LocalWorld {
public:
  /// A world of every rank of `mesh`, each waiting at most `timeoutSeconds`.
  LocalWorld(const MeshSpec &mesh, Device &device, double timeoutSeconds);
  ~LocalWorld();
  LocalWorld(const LocalWorld &) = delete;
  LocalWorld &operator=(const LocalWorld &) = delete;

  int numRanks() const;
  /// The Comm of `rank`, whose buffers belong to `ctx` (the context of the
  /// thread that runs the rank). `ctx` must outlive the Comm.
  std::unique_ptr<Comm> makeComm(int rank, Context &ctx);

  struct Shared;

private:
  std::unique_ptr<Shared> shared;
};

} // namespace pprt

#endif // PPRT_LOCALCOMM_H
