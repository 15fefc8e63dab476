//===- Verifier.h - complete, ordered and deadlock-free? --------*- C++ -*-===//
//
// Checks, in this order, stopping at the first group that fails:
//
//  1. shape: every action names a micro-batch, chunk and peer that exist;
//     every (micro-batch, chunk) runs F exactly once on its rank, and, in a
//     training schedule, B and W exactly once too;
//  2. messages: each SEND names a tensor its rank produces, goes to the rank
//     that consumes it, and comes after the producing pass; each RECV comes
//     before the consuming pass; between every ordered pair of ranks the
//     SENDs and the RECVs carry the same tensors in the same order (NCCL
//     matches p2p by order); members of a collective group call the same
//     collectives in the same order;
//  3. data dependences: F(mb, s) after F(mb, s-1), B(mb, s) after
//     B(mb, s+1), B after F, W after B - through the list order on one rank
//     and through a transfer between ranks;
//  4. a simulation under blocking rendezvous semantics finishes; a deadlock
//     is reported with its cycle of waiting ranks, e.g.
//     "deadlock: rank 0 waits in SEND F1.0->1 for rank 1, rank 1 waits in
//     SEND B0.0->0 for rank 0".
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_VERIFIER_H
#define PP_SCHEDULE_VERIFIER_H

#include "pp/Schedule/Schedule.h"

#include <string>
#include <vector>

namespace pp::schedule {

/// One line per problem found (at most a few dozen); empty when the schedule
/// is correct.
std::vector<std::string> verifySchedule(const Schedule &schedule);

} // namespace pp::schedule

#endif // PP_SCHEDULE_VERIFIER_H
