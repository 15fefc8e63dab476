//===- GPipe.cpp - all forwards, then all backwards -----------------------===//
//
// GPipe (Huang et al., 2019): every rank runs the forward of every
// micro-batch, then the backward (B and W together) of every micro-batch in
// the same order. All m activations are stashed at the peak.
//
//===----------------------------------------------------------------------===//

#include "GeneratorOrders.h"

#include "pp/Schedule/ComputeOrder.h"

namespace pp::schedule {

RankOrders gpipeOrder(int ranks, int microbatches) {
  RankOrders orders;
  for (int rank = 0; rank < ranks; ++rank) {
    ComputeOrderBuilder order(/*chunks=*/1, microbatches);
    while (order.next(ActionKind::Forward, 0))
      ;
    while (order.next(ActionKind::InputGrad, 0))
      order.next(ActionKind::WeightGrad, 0);
    orders.push_back(order.take());
  }
  return orders;
}

} // namespace pp::schedule
