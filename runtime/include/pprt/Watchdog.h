//===- Watchdog.h - turning a hung communication into an error --*- C++ -*-===//
//
// A rank that waits for a peer that never comes (a mismatched send/recv, a
// rank that died, a collective some ranks skip) would otherwise hang the
// whole job silently. Every blocking wait in a Comm backend has a deadline of
// PPRT_COMM_TIMEOUT seconds (default 300); past it the process ends with
//   error: rank 3: timed out after 300 s in recv from rank 2 (tag 1): <what>
// where <what> is what the compiler wrote for the op (ONNX node, pp op).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_WATCHDOG_H
#define PPRT_WATCHDOG_H

#include <chrono>
#include <string>

namespace pprt {

constexpr double kDefaultCommTimeout = 300;

/// Seconds from PPRT_COMM_TIMEOUT (kDefaultCommTimeout when unset); false
/// with `error` when it is not a positive number.
bool commTimeoutFromEnv(double &seconds, std::string &error);

/// The moment a blocked comm call gives up.
class Deadline {
public:
  explicit Deadline(double seconds);
  bool passed() const { return std::chrono::steady_clock::now() >= end; }
  std::chrono::steady_clock::time_point when() const { return end; }

private:
  std::chrono::steady_clock::time_point end;
};

/// Waits between two polls of a nonblocking MPI/NCCL/CUDA operation: yields
/// at first, then sleeps up to a millisecond, so polling ranks that share
/// cores (mpirun --oversubscribe) leave them to the ranks that compute.
class Backoff {
public:
  void pause();

private:
  int polls = 0;
};

/// Run by commFatal before the process ends: the MPI backend installs
/// MPI_Abort so that mpirun takes the other processes down too.
using CommAbortHook = void (*)();
void setCommAbortHook(CommAbortHook hook);

/// Prints `error: <message>` and ends the process with exit code 1 without
/// running destructors (other rank threads may still be blocked in comm).
[[noreturn]] void commFatal(const std::string &message);

/// commFatal("rank R: timed out after S s in OP: WHAT").
[[noreturn]] void commTimedOut(int rank, double seconds, const std::string &op,
                               const char *what);

} // namespace pprt

#endif // PPRT_WATCHDOG_H
