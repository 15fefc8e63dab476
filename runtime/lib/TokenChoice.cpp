//===- TokenChoice.cpp - the next token from a row of logits --------------===//

#include "TokenChoice.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace pprt {

namespace {

/// SplitMix64: a well-mixed 64-bit value of a counter.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// A uniform number in [0, 1) for (seed, step, row).
double uniform(uint64_t seed, uint64_t step, uint64_t row) {
  uint64_t bits = mix(mix(mix(seed) ^ step) ^ row);
  return double(bits >> 11) * 0x1.0p-53;
}

} // namespace

int64_t chooseToken(const float *logits, int64_t vocab, const Sampling &s,
                    uint64_t step, uint64_t row) {
  if (s.temperature <= 0)
    return std::max_element(logits, logits + vocab) - logits;
  // Tokens by decreasing logit, ties by id, so that the order is the same
  // on every rank and run.
  std::vector<int64_t> order(vocab);
  std::iota(order.begin(), order.end(), int64_t(0));
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return logits[a] > logits[b];
  });
  int64_t kept = s.topK > 0 ? std::min<int64_t>(s.topK, vocab) : vocab;
  double top = logits[order[0]];
  std::vector<double> p(kept);
  double sum = 0;
  for (int64_t i = 0; i < kept; ++i)
    sum += p[i] = std::exp((double(logits[order[i]]) - top) / s.temperature);
  // Top-p: the fewest most likely tokens whose probability reaches topP.
  double mass = 0;
  int64_t n = 0;
  while (n < kept) {
    mass += p[n++] / sum;
    if (mass >= s.topP)
      break;
  }
  double total = std::accumulate(p.begin(), p.begin() + n, 0.0);
  double u = uniform(s.seed, step, row) * total;
  for (int64_t i = 0; i < n; ++i) {
    if (u < p[i])
      return order[i];
    u -= p[i];
  }
  return order[n - 1];
}

} // namespace pprt
