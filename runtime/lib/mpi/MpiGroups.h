//===- MpiGroups.h - one MPI communicator per axis mask ---------*- C++ -*-===//
//
// Shared by the MPI Comm (cpu) and the NCCL Comm (cuda, which bootstraps its
// communicators over these). All communicators are split from
// MPI_COMM_WORLD when the Comm is made: MPI_Comm_split is collective over
// the whole world, and once the ranks run their stages they no longer reach
// the same calls, so a lazy split could deadlock. A mesh has at most 4
// axes, hence at most 16 communicators.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_MPI_MPIGROUPS_H
#define PPRT_LIB_MPI_MPIGROUPS_H

#include "pprt/CommGroups.h"

#include <mpi.h>

#include <string>
#include <vector>

namespace pprt {

/// Ends the job with `error: rank R: CALL failed: REASON` unless `code` is
/// MPI_SUCCESS (rank -1: not known yet, left out).
void mpiCheck(int code, const char *call, int rank);

#define PPRT_MPI_CHECK(call, rank) ::pprt::mpiCheck((call), #call, (rank))

class MpiGroups {
public:
  /// Collective over MPI_COMM_WORLD.
  MpiGroups(const MeshSpec &mesh, int rank, double timeoutSeconds);
  ~MpiGroups();
  MpiGroups(const MpiGroups &) = delete;
  MpiGroups &operator=(const MpiGroups &) = delete;

  int rank() const { return groups.rank(); }
  double timeout() const { return timeoutSeconds; }
  const CommGroup &group(AxisMask axes, const char *op, const char *what) {
    return groups.get(axes, op, what);
  }
  int64_t peerRank(const CommGroup &group, int64_t peer, const char *op,
                   const char *what) const {
    return groups.peerRank(group, peer, op, what);
  }
  /// The communicator of `group`; member i has rank i in it.
  MPI_Comm comm(const CommGroup &group) const { return comms[group.axes]; }

  /// Polls `request` until it completes. Past the watchdog's deadline the
  /// job ends naming `op`; an MPI error ends it naming MPI_Test.
  MPI_Status wait(MPI_Request &request, const std::string &op,
                  const char *what) const;

  /// Ends the job with `error: rank R: PROBLEM: WHAT`.
  [[noreturn]] void fatal(const std::string &problem, const char *what) const;

private:
  CommGroups groups;
  double timeoutSeconds;
  std::vector<MPI_Comm> comms;
};

/// MPI counts are ints: larger messages are an error, not a truncation.
int mpiCount(size_t bytes, const MpiGroups &mpi, const std::string &op,
             const char *what);

} // namespace pprt

#endif // PPRT_LIB_MPI_MPIGROUPS_H
