//===- OneFOneB.cpp - one forward, one backward ---------------------------===//
//
// 1F1B (PipeDream-Flush, Narayanan et al., 2021): rank r runs p-1-r warm-up
// forwards, then alternates one forward with one backward (B and W
// together), then drains the remaining backwards. A rank never holds more
// than p-r micro-batches' activations, against m for GPipe, for the same
// bubble.
//
//===----------------------------------------------------------------------===//

#include "GeneratorOrders.h"

#include "pp/Schedule/ComputeOrder.h"

#include <algorithm>

namespace pp::schedule {

RankOrders oneFOneBOrder(int ranks, int microbatches) {
  RankOrders orders;
  for (int rank = 0; rank < ranks; ++rank) {
    ComputeOrderBuilder order(/*chunks=*/1, microbatches);
    int warmup = std::min(ranks - 1 - rank, microbatches);
    for (int i = 0; i < warmup; ++i)
      order.next(ActionKind::Forward, 0);
    while (order.next(ActionKind::Forward, 0)) {
      order.next(ActionKind::InputGrad, 0);
      order.next(ActionKind::WeightGrad, 0);
    }
    while (order.next(ActionKind::InputGrad, 0))
      order.next(ActionKind::WeightGrad, 0);
    orders.push_back(order.take());
  }
  return orders;
}

} // namespace pp::schedule
