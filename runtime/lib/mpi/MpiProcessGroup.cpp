//===- MpiProcessGroup.cpp - joining an mpirun or srun job ----------------===//
//
// MPI is initialised here, and only when runMain found a launcher in the
// environment. Errors from MPI calls return codes (MPI_ERRORS_RETURN) so
// that failures are one-line messages naming the call; fatal errors then
// end the whole job with MPI_Abort rather than leaving peers waiting.
//
//===----------------------------------------------------------------------===//

#include "MpiGroups.h"
#include "pprt/Mpi.h"
#include "pprt/Watchdog.h"

#include <cstdlib>

namespace pprt {

namespace {

void abortJob() { MPI_Abort(MPI_COMM_WORLD, 1); }

/// The launcher's node-local rank, or -1.
int localRankFromEnv() {
  for (const char *name :
       {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    const char *value = std::getenv(name);
    if (!value || !*value)
      continue;
    char *end = nullptr;
    long n = std::strtol(value, &end, 10);
    if (!*end && n >= 0)
      return int(n);
  }
  return -1;
}

class MpiProcessGroup final : public ProcessGroup {
public:
  explicit MpiProcessGroup(ProcessCommMaker maker) : maker(maker) {}

  bool join(std::string &error) override {
    int initialized = 0;
    PPRT_MPI_CHECK(MPI_Initialized(&initialized), -1);
    if (!initialized) {
      int code = MPI_Init(nullptr, nullptr);
      if (code != MPI_SUCCESS) {
        error = "MPI_Init failed (error " + std::to_string(code) + ")";
        return false;
      }
      ownsMpi = true;
    }
    PPRT_MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
                   -1);
    setCommAbortHook(abortJob);
    PPRT_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &worldRank), -1);
    PPRT_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &worldSize), worldRank);
    // The processes that share this node's memory (and cores).
    MPI_Comm node;
    PPRT_MPI_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED,
                                       worldRank, MPI_INFO_NULL, &node),
                   worldRank);
    PPRT_MPI_CHECK(MPI_Comm_size(node, &nodeSize), worldRank);
    nodeRank = localRankFromEnv();
    if (nodeRank < 0) // no launcher variable: the rank among them
      PPRT_MPI_CHECK(MPI_Comm_rank(node, &nodeRank), worldRank);
    PPRT_MPI_CHECK(MPI_Comm_free(&node), worldRank);
    return true;
  }

  int rank() const override { return worldRank; }
  int size() const override { return worldSize; }
  int localRank() const override { return nodeRank; }
  int localSize() const override { return nodeSize; }

  std::unique_ptr<Comm> makeComm(Context &ctx, const MeshSpec &mesh,
                                 double timeoutSeconds) override {
    return maker(ctx, mesh, timeoutSeconds);
  }

  void leave() override {
    setCommAbortHook(nullptr);
    int finalized = 0;
    PPRT_MPI_CHECK(MPI_Finalized(&finalized), worldRank);
    if (ownsMpi && !finalized)
      PPRT_MPI_CHECK(MPI_Finalize(), worldRank);
  }

private:
  ProcessCommMaker maker;
  bool ownsMpi = false;
  int worldRank = 0, worldSize = 1, nodeRank = 0, nodeSize = 1;
};

} // namespace

std::unique_ptr<ProcessGroup> makeMpiProcessGroup(ProcessCommMaker makeComm) {
  return std::make_unique<MpiProcessGroup>(makeComm);
}

} // namespace pprt
