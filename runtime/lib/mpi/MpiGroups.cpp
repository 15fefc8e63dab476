//===- MpiGroups.cpp - one MPI communicator per axis mask -----------------===//

#include "MpiGroups.h"
#include "pprt/Watchdog.h"

#include <climits>

namespace pprt {

namespace {
std::string mpiErrorString(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
    return "MPI error " + std::to_string(code);
  return std::string(text, length);
}
} // namespace

void mpiCheck(int code, const char *call, int rank) {
  if (code == MPI_SUCCESS)
    return;
  std::string who = rank >= 0 ? "rank " + std::to_string(rank) + ": " : "";
  commFatal(who + call + " failed: " + mpiErrorString(code));
}

MpiGroups::MpiGroups(const MeshSpec &mesh, int rank, double timeoutSeconds)
    : groups(mesh, rank), timeoutSeconds(timeoutSeconds) {
  AxisMask numMasks = allAxesMask(mesh) + 1;
  comms.assign(numMasks, MPI_COMM_NULL);
  for (AxisMask axes = 0; axes < numMasks; ++axes) {
    const CommGroup &g = groups.get(axes, "MPI_Comm_split", nullptr);
    // Colour: the group's first rank; key: the position in the group.
    PPRT_MPI_CHECK(MPI_Comm_split(MPI_COMM_WORLD, int(g.ranks[0]), int(g.index),
                                  &comms[axes]),
                   rank);
  }
}

MpiGroups::~MpiGroups() {
  for (MPI_Comm &comm : comms)
    if (comm != MPI_COMM_NULL)
      PPRT_MPI_CHECK(MPI_Comm_free(&comm), rank());
}

MPI_Status MpiGroups::wait(MPI_Request &request, const std::string &op,
                           const char *what) const {
  Deadline deadline(timeoutSeconds);
  Backoff backoff;
  MPI_Status status;
  for (;;) {
    int done = 0;
    int code = MPI_Test(&request, &done, &status);
    if (code != MPI_SUCCESS)
      fatal(op + ": MPI_Test failed: " + mpiErrorString(code), what);
    if (done)
      return status;
    if (deadline.passed())
      commTimedOut(rank(), timeoutSeconds, op, what);
    backoff.pause();
  }
}

void MpiGroups::fatal(const std::string &problem, const char *what) const {
  std::string message = "rank " + std::to_string(rank()) + ": " + problem;
  if (what && *what)
    message += std::string(": ") + what;
  commFatal(message);
}

int mpiCount(size_t bytes, const MpiGroups &mpi, const std::string &op,
             const char *what) {
  if (bytes > size_t(INT_MAX))
    mpi.fatal(op + ": " + std::to_string(bytes) +
                  " bytes exceed what one MPI message can carry (2 GiB)",
              what);
  return int(bytes);
}

} // namespace pprt
