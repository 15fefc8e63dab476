//===- ZeroBubbleV.cpp - two chunks per rank in a V, split backward -------===//
//
// ZB-V (Qi et al., 2024, section 6). Rank r holds chunk 0 = stage r and
// chunk 1 = stage 2p-1-r, so a micro-batch runs down the ranks and back up,
// and rank 0 computes both the first and the last stage. Writing F0/F1 for
// forwards on chunk 0/1 (likewise B, W), rank r runs:
//
//   warm-up    2(p-r)-1 x F0       until micro-batch 0 comes back to chunk 1
//              r x (F1 F0)         filling the wait for its first gradient
//              (p-r) x (F1 B1 W1)
//   steady     (F0 B0 W0 F1 B1 W1) while forwards remain or chunk 1 lags
//   cool-down  r x (B0 B1)         gradients first, W deferred ...
//              (p-r) x (B0 W0)
//              remaining W1, then remaining W0   ... to fill the tail
//
// The phases assume at least 2p-1 micro-batches; with fewer, the order is
// built for 2p-1 and the passes of the missing micro-batches are dropped,
// which keeps it valid but gives back part of the bubble saving. With
// f = b = w and m >= 2p-1 the only bubble left is the start-up: the last
// rank waits p-1 half-stage forwards for its first micro-batch.
//
//===----------------------------------------------------------------------===//

#include "GeneratorOrders.h"

#include "pp/Schedule/ComputeOrder.h"

#include <algorithm>

namespace pp::schedule {

static std::vector<Action> zeroBubbleVRank(int ranks, int rank,
                                           int microbatches) {
  const ActionKind F = ActionKind::Forward, B = ActionKind::InputGrad,
                   W = ActionKind::WeightGrad;
  ComputeOrderBuilder order(/*chunks=*/2, microbatches);
  for (int i = 0; i < 2 * (ranks - rank) - 1; ++i)
    order.next(F, 0);
  for (int i = 0; i < rank; ++i) {
    order.next(F, 1);
    order.next(F, 0);
  }
  for (int i = 0; i < ranks - rank; ++i) {
    order.next(F, 1);
    order.next(B, 1);
    order.next(W, 1);
  }
  while (order.done(F, 0) < microbatches ||
         order.done(F, 1) < order.done(F, 0)) {
    order.next(F, 0);
    order.next(B, 0);
    order.next(W, 0);
    order.next(F, 1);
    order.next(B, 1);
    order.next(W, 1);
  }
  for (int i = 0; i < rank; ++i) {
    order.next(B, 0);
    order.next(B, 1);
  }
  for (int i = 0; i < ranks - rank; ++i) {
    order.next(B, 0);
    order.next(W, 0);
  }
  while (order.next(W, 1))
    ;
  while (order.next(W, 0))
    ;
  return order.take();
}

RankOrders zeroBubbleVOrder(int ranks, int microbatches) {
  int padded = std::max(microbatches, 2 * ranks - 1);
  RankOrders orders;
  for (int rank = 0; rank < ranks; ++rank) {
    std::vector<Action> order = zeroBubbleVRank(ranks, rank, padded);
    order.erase(std::remove_if(order.begin(), order.end(),
                               [&](const Action &action) {
                                 return action.microbatch >= microbatches;
                               }),
                order.end());
    orders.push_back(std::move(order));
  }
  return orders;
}

} // namespace pp::schedule
