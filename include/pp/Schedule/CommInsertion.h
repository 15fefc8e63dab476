//===- CommInsertion.h - SEND/RECV for a compute order ----------*- C++ -*-===//
//
// Turns a compute order into a schedule that runs under blocking rendezvous
// point-to-point semantics (a SEND and its RECV complete together, as NCCL
// p2p outside a group does):
//
//  1. time the compute order with free, asynchronous messages (each pass
//     starts when its rank is free and its inputs exist);
//  2. give every cross-rank tensor a transfer instant between the end of its
//     producer and the start of its consumer, preferring an instant at which
//     both ranks are between passes, so that nobody waits;
//  3. put each transfer into both ranks' lists at that instant, transfers at
//     the same instant in one global order.
//
// Every rank meets its messages in one global order, so the lists cannot
// deadlock, whatever the costs are. When step 2 finds a common instant for
// every transfer (it does for all generators at f = b = w, and for GPipe,
// 1F1B and ZB-H1 at any uniform costs), the blocking schedule with free
// messages takes exactly as long as the asynchronous one.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SCHEDULE_COMMINSERTION_H
#define PP_SCHEDULE_COMMINSERTION_H

#include "pp/Schedule/ComputeOrder.h"
#include "pp/Schedule/CostModel.h"
#include "pp/Schedule/Schedule.h"

#include <optional>
#include <string>

namespace pp::schedule {

/// Returns std::nullopt and sets `error` when the compute order cannot run
/// at all (a pass waits on one that its rank only runs later).
/// `placementCosts` should have one entry per stage (missing ones count as
/// unit costs); passes that cost nothing are placed as if they took a
/// thousandth of the shortest pass, so that there is a "between" to use.
std::optional<Schedule> insertCommunication(const ComputeOrder &order,
                                            const CostModel &placementCosts,
                                            std::string &error);

} // namespace pp::schedule

#endif // PP_SCHEDULE_COMMINSERTION_H
