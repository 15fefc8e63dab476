//===- TokenChoiceTest.cpp - choosing the next token ----------------------===//

#include "TokenChoice.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

using namespace pprt;

namespace {

/// The best of the whole row, found block by block as vocabulary-parallel
/// ranks do: the largest score, then the smallest token.
Candidate byBlocks(const std::vector<float> &row, int64_t blocks,
                   const Sampling &s, uint64_t step, uint64_t seq) {
  int64_t n = int64_t(row.size()) / blocks;
  Candidate best = bestCandidate(row.data(), 0, n, s, step, seq);
  for (int64_t b = 1; b < blocks; ++b) {
    Candidate c = bestCandidate(row.data() + b * n, b * n, n, s, step, seq);
    if (c.score > best.score || (c.score == best.score && c.token < best.token))
      best = c;
  }
  return best;
}

TEST(TokenChoice, GreedyTakesTheFirstLargest) {
  std::vector<float> row = {0.5f, 2.0f, -1.0f, 2.0f};
  Candidate c = bestCandidate(row.data(), 0, 4, Sampling{}, 0, 0);
  EXPECT_EQ(c.token, 1);
  EXPECT_EQ(c.score, 2.0);
  // The second block's tie loses to the first's smaller token.
  EXPECT_EQ(byBlocks(row, 2, Sampling{}, 0, 0).token, 1);
}

TEST(TokenChoice, SamplingIsTheSameInBlocksAndFollowsTheSoftmax) {
  std::vector<float> row = {0.0f, 1.0f, 2.0f, 0.5f, -1.0f, 1.5f, 0.0f, 0.2f};
  Sampling s;
  s.temperature = 0.8;
  s.seed = 7;
  std::map<int64_t, int> counts;
  const int draws = 20000;
  for (int d = 0; d < draws; ++d) {
    Candidate whole = bestCandidate(row.data(), 0, 8, s, uint64_t(d), 3);
    for (int64_t blocks : {2, 4})
      ASSERT_EQ(byBlocks(row, blocks, s, uint64_t(d), 3).token, whole.token);
    ++counts[whole.token];
  }
  double sum = 0;
  for (float x : row)
    sum += std::exp(x / s.temperature);
  for (int64_t t = 0; t < 8; ++t) {
    double p = std::exp(row[t] / s.temperature) / sum;
    EXPECT_NEAR(double(counts[t]) / draws, p, 0.015) << "token " << t;
  }
}

TEST(TokenChoice, TheSeedDecides) {
  std::vector<float> row(64, 0.0f);
  Sampling a, b;
  a.temperature = b.temperature = 1;
  a.seed = 1;
  b.seed = 2;
  int same = 0;
  for (uint64_t step = 0; step < 32; ++step) {
    int64_t ta = bestCandidate(row.data(), 0, 64, a, step, 0).token;
    EXPECT_EQ(ta, bestCandidate(row.data(), 0, 64, a, step, 0).token);
    same += ta == bestCandidate(row.data(), 0, 64, b, step, 0).token;
  }
  EXPECT_LT(same, 8);
}

TEST(TokenChoice, TopKAndTopPKeepTheMostLikely) {
  std::vector<float> row = {0.0f, 3.0f, 1.0f, 2.0f, 3.0f};
  Sampling s;
  s.temperature = 1;
  s.topK = 2;
  std::vector<bool> keep = keptTokens(row.data(), 5, s);
  EXPECT_EQ(keep, (std::vector<bool>{false, true, false, false, true}));
  // Top-p: the two tokens at 3.0 hold 0.39 each, the one at 2.0 0.14.
  s.topK = 0;
  s.topP = 0.6;
  keep = keptTokens(row.data(), 5, s);
  EXPECT_EQ(keep, (std::vector<bool>{false, true, false, false, true}));
  s.topP = 0.8;
  keep = keptTokens(row.data(), 5, s);
  EXPECT_EQ(keep, (std::vector<bool>{false, true, false, true, true}));
  // Only kept tokens are drawn.
  for (uint64_t step = 0; step < 200; ++step) {
    int64_t t = bestCandidate(row.data(), 0, 5, s, step, 0, &keep).token;
    EXPECT_TRUE(keep[size_t(t)]) << t;
  }
}

} // namespace
