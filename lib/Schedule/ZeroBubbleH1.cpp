//===- ZeroBubbleH1.cpp - 1F1B with weight gradients deferred -------------===//
//
// ZB-H1 (Qi et al., 2024, "Zero Bubble Pipeline Parallelism", section 3):
// the backward is split into B (input gradient, on the critical path) and W
// (weight gradient, which nothing downstream waits for). The order is 1F1B's
// (same warm-up, so the same peak activations), with B sending its gradient
// at once, and rank r holding back its W passes by r micro-batches: W(i) runs
// right after B(i + r), and the last r run at the end, where they fill the
// cool-down bubble that 1F1B leaves. Each rank's idle time drops from 1F1B's
// (p-1)(f+b+w) to (p-1)(f+b-w), provided m >= p, w <= f and w <= b (with a
// larger w the deferred W passes no longer fit in the gaps).
//
//===----------------------------------------------------------------------===//

#include "GeneratorOrders.h"

#include "pp/Schedule/ComputeOrder.h"

#include <algorithm>

namespace pp::schedule {

RankOrders zeroBubbleH1Order(int ranks, int microbatches) {
  RankOrders orders;
  for (int rank = 0; rank < ranks; ++rank) {
    ComputeOrderBuilder order(/*chunks=*/1, microbatches);
    int warmup = std::min(ranks - 1 - rank, microbatches);
    int weightGradLag = rank;
    for (int i = 0; i < warmup; ++i)
      order.next(ActionKind::Forward, 0);
    for (int i = 0; i < microbatches; ++i) {
      order.next(ActionKind::Forward, 0); // none left in the cool-down
      order.next(ActionKind::InputGrad, 0);
      if (i >= weightGradLag)
        order.next(ActionKind::WeightGrad, 0);
    }
    while (order.next(ActionKind::WeightGrad, 0))
      ;
    orders.push_back(order.take());
  }
  return orders;
}

} // namespace pp::schedule
