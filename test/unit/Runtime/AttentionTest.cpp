//===- AttentionTest.cpp - the cpu fused attention against its definition -===//
//
// Each case is checked against scores, mask, softmax and values computed
// one after the other in double: strided (head-split) operands, GQA, both
// masks in both orders, causal skipping, one query (decode), and sizes that
// are not multiples of the 64-row blocks or the 16-column vectors.
//
//===----------------------------------------------------------------------===//

#include "RandomFloats.h"
#include "pprt/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <omp.h>
#include <random>
#include <vector>

using namespace pprt;

namespace {

/// Row-major [b, s, h, d] (the projections' layout), read as (b, h, s, d).
void headSplitStrides(int64_t out[4], int64_t seq, int64_t heads,
                      int64_t depth) {
  out[0] = seq * heads * depth;
  out[1] = depth;
  out[2] = heads * depth;
  out[3] = 1;
}

struct Case {
  int64_t batch, heads, kvGroup, queries, keys, depth, valueDepth;
  bool addend, keep, selectFirst, causal;
  /// The bool mask marks the dropped scores instead of the kept ones.
  bool invert = false;
  /// K laid out [b, keys, heads, depth] like q instead of transposed.
  bool keysRowMajor = false;
  /// With keep: the last keys dropped for every query (a decode step's
  /// keys past its position), which the kernel may leave out.
  int64_t deadTail = 0;
};

void check(const Case &c) {
  AttentionShape s{};
  s.batch = c.batch;
  s.heads = c.heads;
  s.kvGroup = c.kvGroup;
  s.queries = c.queries;
  s.keys = c.keys;
  s.depth = c.depth;
  s.valueDepth = c.valueDepth;
  const int64_t kvHeads = c.heads / c.kvGroup;
  headSplitStrides(s.q, c.queries, c.heads, c.depth);
  // K transposed in memory ([b, kvh, d, keys]), as a materialised K^T is.
  s.k[0] = kvHeads * c.depth * c.keys;
  s.k[1] = c.depth * c.keys;
  s.k[2] = 1;
  s.k[3] = c.keys;
  if (c.keysRowMajor)
    headSplitStrides(s.k, c.keys, kvHeads, c.depth);
  headSplitStrides(s.v, c.keys, kvHeads, c.valueDepth);
  headSplitStrides(s.out, c.queries, c.heads, c.valueDepth);
  // The addend per (head, query, key), shared by the batch; keep one
  // matrix for everything.
  s.addend[0] = 0;
  s.addend[1] = c.queries * c.keys;
  s.addend[2] = c.keys;
  s.addend[3] = 1;
  s.keep[0] = s.keep[1] = 0;
  s.keep[2] = c.keys;
  s.keep[3] = 1;
  s.causal = c.causal;
  s.selectFirst = c.selectFirst;
  s.invertKeep = c.invert;

  auto q =
      randomFloats(c.batch * c.queries * c.heads * c.depth, 1, -1.5f, 1.5f);
  auto k = randomFloats(c.batch * kvHeads * c.depth * c.keys, 2, -1.5f, 1.5f);
  auto v =
      randomFloats(c.batch * c.keys * kvHeads * c.valueDepth, 3, -1.5f, 1.5f);
  auto addend = randomFloats(c.heads * c.queries * c.keys, 4, -1.5f, 1.5f);
  const int64_t shift = c.keys - c.queries;
  std::vector<char> keepBytes(c.queries * c.keys);
  std::mt19937 gen(5);
  for (int64_t i = 0; i < c.queries; ++i)
    for (int64_t j = 0; j < c.keys; ++j) {
      // Causal cases mask exactly the keys after the diagonal, so that
      // skipping them is exact; the others drop one key in five.
      bool above = j > i + shift;
      keepBytes[i * c.keys + j] = c.causal ? !above : gen() % 5 != 0;
      if (j >= c.keys - c.deadTail)
        keepBytes[i * c.keys + j] = 0;
      for (int64_t h = 0; h < c.heads; ++h)
        if (c.causal && above && c.addend && !c.keep)
          addend[(h * c.queries + i) * c.keys + j] = -3.0e38f;
    }
  std::vector<char> maskBytes = keepBytes;
  for (char &b : maskBytes)
    b = c.invert ? !b : b;
  const float scale = 0.3f, fill = c.causal || c.deadTail ? -3.4e38f : -7.0f;
  std::vector<float> out(c.batch * c.queries * c.heads * c.valueDepth, 99);
  Context ctx;
  cpu::attention<float>(ctx, out.data(), q.data(), k.data(), v.data(),
                        c.addend ? addend.data() : nullptr,
                        c.keep ? (const bool *)maskBytes.data() : nullptr,
                        scale, fill, s);

  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t h = 0; h < c.heads; ++h)
      for (int64_t i = 0; i < c.queries; ++i) {
        const int64_t kvh = h / c.kvGroup;
        std::vector<double> score(c.keys);
        double max = -INFINITY;
        for (int64_t j = 0; j < c.keys; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < c.depth; ++d)
            dot += double(q[b * s.q[0] + h * s.q[1] + i * s.q[2] + d]) *
                   k[b * s.k[0] + kvh * s.k[1] + j * s.k[2] + d * s.k[3]];
          double x = float(scale * dot);
          double add = c.addend ? addend[h * s.addend[1] + i * c.keys + j] : 0;
          bool kept = !c.keep || keepBytes[i * c.keys + j];
          x = c.selectFirst ? (kept ? x : fill) + add : (kept ? x + add : fill);
          score[j] = x;
          max = std::max(max, x);
        }
        double sum = 0;
        for (double &x : score)
          sum += (x = std::exp(x - max));
        for (int64_t d = 0; d < c.valueDepth; ++d) {
          double ref = 0;
          for (int64_t j = 0; j < c.keys; ++j)
            ref +=
                score[j] / sum * v[b * s.v[0] + kvh * s.v[1] + j * s.v[2] + d];
          float got = out[b * s.out[0] + h * s.out[1] + i * s.out[2] + d];
          ASSERT_NEAR(got, ref, 2e-5)
              << "b " << b << " h " << h << " query " << i << " col " << d
              << " (case " << c.batch << "x" << c.heads << " q" << c.queries
              << " k" << c.keys << " d" << c.depth << ")";
        }
      }
}

TEST(Attention, MultiHeadStridedOperands) {
  check({2, 3, 1, 70, 70, 16, 16, false, false, false, false});
}

TEST(Attention, GroupedQueryHeads) {
  check({1, 4, 2, 33, 33, 8, 12, false, false, false, false});
}

TEST(Attention, AddendThenKeepAndKeepThenAddend) {
  check({1, 2, 1, 20, 75, 16, 16, true, true, false, false});
  check({1, 2, 1, 20, 75, 16, 16, true, true, true, false});
  check({1, 2, 1, 20, 75, 16, 16, true, true, true, false, true});
}

TEST(Attention, CausalSkipsTheMaskedKeys) {
  check({1, 2, 1, 130, 130, 32, 32, false, true, false, true});
  check({1, 2, 1, 130, 130, 32, 32, false, true, false, true, true});
  check({2, 2, 2, 65, 65, 16, 20, true, false, false, true});
  // Fewer queries than keys (a chunk after cached ones): the diagonal
  // shifts right.
  check({1, 2, 1, 5, 77, 16, 16, false, true, false, true});
  // Several blocks of queries after cached keys: each tile's products stop
  // at the keys its last row sees, across blocks and within one.
  check({1, 2, 1, 70, 150, 16, 24, true, false, false, true});
  check({1, 2, 1, 131, 200, 16, 16, false, true, false, true});
}

// Up to 4 queries take the unpacked path: keys read along either layout.
TEST(Attention, OneQueryAsInDecode) {
  check({3, 4, 4, 1, 128, 64, 64, true, false, false, false});
  check({2, 4, 2, 1, 100, 32, 16, false, true, false, false, true, true});
  check({1, 2, 1, 3, 70, 16, 16, true, true, true, true, false, true});
  check({2, 2, 1, 2, 90, 16, 16, false, true, false, false, true, true, 50});
  check({2, 2, 1, 2, 90, 16, 16, true, true, false, false, false, false, 50});
}

TEST(Attention, OneAndTwoThreads) {
  Case c{2, 2, 1, 100, 100, 16, 16, true, true, false, false};
  int before = omp_get_max_threads();
  omp_set_num_threads(1);
  check(c);
  omp_set_num_threads(2);
  check(c);
  omp_set_num_threads(before);
}

} // namespace
