//===- Interleaved.cpp - interleaved 1F1B over v chunks per rank ----------===//
//
// Megatron-LM's interleaved schedule (Narayanan et al., 2021, section 2.2).
// Rank r holds stages r, r+p, ..., r+(v-1)p. Micro-batches go through in
// groups of p: the k-th forward a rank runs is micro-batch
// (k / (p*v)) * p + k % p on chunk (k / p) % v, and the k-th backward takes
// the same micro-batch on chunk v-1 - (k / p) % v. Rank r first runs
// (p-1-r)*2 + (v-1)*p forwards (all of them if there are fewer), then
// alternates forward and backward (B and W together), then drains.
// Grouping by p is why m must be a multiple of p.
//
//===----------------------------------------------------------------------===//

#include "GeneratorOrders.h"

#include "pp/Schedule/ComputeOrder.h"

#include <algorithm>

namespace pp::schedule {

namespace {

struct Slot {
  int microbatch;
  int chunk;
};

/// The k-th forward (or backward) of any rank in Megatron's order.
Slot nthPass(int k, int ranks, int chunks, bool backward) {
  int microbatch = (k / (ranks * chunks)) * ranks + k % ranks;
  int chunk = (k / ranks) % chunks;
  return {microbatch, backward ? chunks - 1 - chunk : chunk};
}

} // namespace

RankOrders interleavedOrder(int ranks, int microbatches, int chunks) {
  int total = microbatches * chunks;
  RankOrders orders;
  for (int rank = 0; rank < ranks; ++rank) {
    ComputeOrderBuilder order(chunks, microbatches);
    auto forward = [&](int k) {
      Slot slot = nthPass(k, ranks, chunks, /*backward=*/false);
      order.append(ActionKind::Forward, slot.microbatch, slot.chunk);
    };
    auto backward = [&](int k) {
      Slot slot = nthPass(k, ranks, chunks, /*backward=*/true);
      order.append(ActionKind::InputGrad, slot.microbatch, slot.chunk);
      order.append(ActionKind::WeightGrad, slot.microbatch, slot.chunk);
    };
    int warmup = std::min((ranks - 1 - rank) * 2 + (chunks - 1) * ranks, total);
    for (int k = 0; k < warmup; ++k)
      forward(k);
    for (int k = 0; k < total - warmup; ++k) {
      forward(warmup + k);
      backward(k);
    }
    for (int k = total - warmup; k < total; ++k)
      backward(k);
    orders.push_back(order.take());
  }
  return orders;
}

} // namespace pp::schedule
