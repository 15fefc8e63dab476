//===- TokenChoice.cpp - the next token from a row of logits --------------===//

#include "TokenChoice.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace pprt {

namespace {

/// SplitMix64: a well-mixed 64-bit value of a counter.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Gumbel noise for (seed, step, row, token): -log(-log(u)), u in (0, 1).
double gumbel(uint64_t seed, uint64_t step, uint64_t row, int64_t token) {
  uint64_t bits = mix(mix(mix(mix(seed) ^ step) ^ row) ^ uint64_t(token));
  double u = (double(bits >> 11) + 0.5) * 0x1.0p-53;
  return -std::log(-std::log(u));
}

} // namespace

Candidate bestCandidate(const float *logits, int64_t first, int64_t n,
                        const Sampling &s, uint64_t step, uint64_t row,
                        const std::vector<bool> *keep) {
  Candidate best{-std::numeric_limits<double>::infinity(),
                 std::numeric_limits<int64_t>::max()};
  for (int64_t i = 0; i < n; ++i) {
    int64_t token = first + i;
    if (keep && !(*keep)[size_t(token)])
      continue;
    double score = s.temperature > 0
                       ? double(logits[i]) / s.temperature +
                             gumbel(s.seed, step, row, token)
                       : double(logits[i]);
    if (score > best.score || best.token == std::numeric_limits<int64_t>::max())
      best = {score, token};
  }
  return best;
}

std::vector<bool> keptTokens(const float *logits, int64_t vocab,
                             const Sampling &s) {
  // Tokens by decreasing logit, ties by id, so that every rank agrees.
  std::vector<int64_t> order(static_cast<size_t>(vocab));
  std::iota(order.begin(), order.end(), int64_t(0));
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return logits[a] > logits[b];
  });
  int64_t kept = s.topK > 0 ? std::min<int64_t>(s.topK, vocab) : vocab;
  double top = logits[order[0]], sum = 0;
  std::vector<double> p(static_cast<size_t>(kept));
  for (int64_t i = 0; i < kept; ++i)
    sum += p[i] = std::exp((double(logits[order[i]]) - top) / s.temperature);
  // The fewest most likely tokens whose probability reaches top-p.
  std::vector<bool> keep(static_cast<size_t>(vocab), false);
  double mass = 0;
  for (int64_t i = 0; i < kept; ++i) {
    keep[size_t(order[i])] = true;
    mass += p[i] / sum;
    if (mass >= s.topP)
      break;
  }
  return keep;
}

} // namespace pprt
