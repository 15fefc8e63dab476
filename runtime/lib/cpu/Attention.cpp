//===- Attention.cpp - cpu fused attention --------------------------------===//
//
// Flash-style: a task is one (batch, head), whose keys and values it packs
// once; each block of 64 queries walks the keys in blocks of 64, computing
// that block's scores, folding them into a running max and sum per query
// (online softmax) and adding the weighted values to an accumulator
// rescaled whenever the max grows. The
// scores therefore never exist whole, and q, k, v and the output are read
// and written through their strides (a head split or merge is no copy).
//
// The two small products per block (scores = Q K^T, out += P V) share one
// register-blocked kernel over packed operands, 6 rows by 16 columns, in
// the compiler's vector extensions (8-wide with AVX2, FMAs where the target
// has them). Tasks run on the calling thread's OpenMP team; each query row
// is computed by one thread, so the result does not depend on the thread
// count.
//
//===----------------------------------------------------------------------===//

#include "BlockProduct.h"
#include "ParallelFor.h"
#include "pprt/Kernels.h"
#include "pprt/VecMath.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace pprt::cpu {

namespace {

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kKeyBlock = 64;
constexpr int64_t kLanes = 16;

int64_t roundUp(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

/// p[j] += addend[j * stride] over a row of scores.
template <typename T>
void addRow(float *p, const T *addend, int64_t stride, int64_t n) {
#pragma omp simd
  for (int64_t j = 0; j < n; ++j)
    p[j] += float(addend[j * stride]);
}

/// p[j] = fill where keep[j * stride] == invert.
void selectRow(float *p, const bool *keep, int64_t stride, int64_t n,
               bool invert, float fill) {
#pragma omp simd
  for (int64_t j = 0; j < n; ++j)
    p[j] = keep[j * stride] != invert ? p[j] : fill;
}

/// One thread's working memory, kept between calls: one (batch, head)'s
/// keys and values packed whole, and one block of queries' state.
struct Workspace {
  std::vector<float> query, keysT, values, scores, acc, max, sum;
  int64_t keyCols = 0, valueCols = 0;
  void size(const AttentionShape &s) {
    keyCols = roundUp(s.keys, kLanes);
    valueCols = roundUp(s.valueDepth, kLanes);
    query.resize(kQueryBlock * s.depth);
    keysT.resize(s.depth * keyCols);
    values.resize(s.keys * valueCols);
    scores.resize(std::max(kQueryBlock * kKeyBlock, s.keys));
    acc.resize(kQueryBlock * valueCols);
    max.resize(kQueryBlock);
    sum.resize(kQueryBlock);
  }
};

/// K^T [depth x keyCols] and V [keys x valueCols], zero-padded to whole
/// vectors; K read along its contiguous dim (a key's row, or a cached
/// K^T's).
template <typename T>
void packKeysValues(Workspace &w, const T *ks, const T *vs,
                    const AttentionShape &s) {
  std::fill(w.keysT.begin(), w.keysT.end(), 0.0f);
  if (s.k[3] == 1) {
    for (int64_t j = 0; j < s.keys; ++j)
      for (int64_t c = 0; c < s.depth; ++c)
        w.keysT[c * w.keyCols + j] = float(ks[j * s.k[2] + c]);
  } else {
    for (int64_t c = 0; c < s.depth; ++c)
      for (int64_t j = 0; j < s.keys; ++j)
        w.keysT[c * w.keyCols + j] = float(ks[j * s.k[2] + c * s.k[3]]);
  }
  for (int64_t j = 0; j < s.keys; ++j) {
    float *row = &w.values[j * w.valueCols];
    for (int64_t c = 0; c < s.valueDepth; ++c)
      row[c] = float(vs[j * s.v[2] + c * s.v[3]]);
    std::fill(row + s.valueDepth, row + w.valueCols, 0.0f);
  }
}

/// Queries [first, first + 64) of one (batch, head) against its packed keys
/// and values; `qs`, `adds`, `keeps` and `os` point at that head.
template <typename T>
void queryBlock(Workspace &w, T *os, const T *qs, const T *adds,
                const bool *keeps, float scale, float fill,
                const AttentionShape &s, int64_t first) {
  const int64_t rows = std::min(kQueryBlock, s.queries - first);
  const int64_t valueCols = w.valueCols;
  // Queries after the last key's diagonal see keys up to their own.
  const int64_t shift = s.keys - s.queries;

  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < s.depth; ++c)
      w.query[r * s.depth + c] = float(qs[(first + r) * s.q[2] + c * s.q[3]]);
  std::fill(w.acc.begin(), w.acc.end(), 0.0f);
  std::fill(w.max.begin(), w.max.end(),
            -std::numeric_limits<float>::infinity());
  std::fill(w.sum.begin(), w.sum.end(), 0.0f);

  int64_t keyEnd = s.keys;
  if (s.causal)
    keyEnd = std::min(keyEnd, first + rows + shift);
  for (int64_t j0 = 0; j0 < keyEnd; j0 += kKeyBlock) {
    const int64_t n = std::min(kKeyBlock, keyEnd - j0);
    // Under a causal mask, query row r sees this block's keys up to
    // r + reach: the products stop there, tile by tile (the diagonal
    // block's upper half is neither scored nor weighed).
    const int64_t reach = first + shift - j0;
    if (s.causal)
      causalProduct(w.scores.data(), kKeyBlock, w.query.data(), s.depth,
                    w.keysT.data() + j0, w.keyCols, rows, roundUp(n, kLanes),
                    s.depth, reach, false);
    else
      blockProduct(w.scores.data(), kKeyBlock, w.query.data(), s.depth,
                   w.keysT.data() + j0, w.keyCols, rows, roundUp(n, kLanes),
                   s.depth, false);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = first + r;
      float *p = &w.scores[r * kKeyBlock];
      // Keys this query sees in the block (all but the causal tail).
      const int64_t seen = s.causal ? causalEnd(r, reach, n) : n;
      // Scale and masks, a vectorised pass each, in the masks' order.
#pragma omp simd
      for (int64_t j = 0; j < seen; ++j)
        p[j] *= scale;
      const T *addRowStart =
          adds ? adds + i * s.addend[2] + j0 * s.addend[3] : nullptr;
      if (addRowStart && !s.selectFirst)
        addRow(p, addRowStart, s.addend[3], seen);
      if (keeps)
        selectRow(p, keeps + i * s.keep[2] + j0 * s.keep[3], s.keep[3], seen,
                  s.invertKeep, fill);
      if (addRowStart && s.selectFirst)
        addRow(p, addRowStart, s.addend[3], seen);
      float blockMax = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : blockMax)
      for (int64_t j = 0; j < seen; ++j)
        blockMax = std::max(blockMax, p[j]);
      const float oldMax = w.max[r];
      const float newMax = std::max(oldMax, blockMax);
      float blockSum = 0;
      if (newMax == -std::numeric_limits<float>::infinity()) {
        // Nothing but -inf so far: no weight yet (a later finite score
        // takes over; a row of only -inf ends 0/0 = NaN, as softmax does).
        std::fill(p, p + kKeyBlock, 0.0f);
        continue;
      }
#pragma omp simd reduction(+ : blockSum)
      for (int64_t j = 0; j < seen; ++j) {
        float e = vexpf(p[j] - newMax);
        p[j] = e;
        blockSum += e;
      }
      std::fill(p + seen, p + kKeyBlock, 0.0f);
      const float correction = oldMax == -std::numeric_limits<float>::infinity()
                                   ? 0.0f
                                   : vexpf(oldMax - newMax);
      w.max[r] = newMax;
      w.sum[r] = w.sum[r] * correction + blockSum;
      if (correction != 1.0f) {
        float *a = &w.acc[r * valueCols];
#pragma omp simd
        for (int64_t c = 0; c < valueCols; ++c)
          a[c] *= correction;
      }
    }
    if (s.causal)
      causalProduct(w.acc.data(), valueCols, w.scores.data(), kKeyBlock,
                    w.values.data() + j0 * valueCols, valueCols, rows,
                    valueCols, n, reach, true);
    else
      blockProduct(w.acc.data(), valueCols, w.scores.data(), kKeyBlock,
                   w.values.data() + j0 * valueCols, valueCols, rows,
                   valueCols, n, true);
  }

  for (int64_t r = 0; r < rows; ++r) {
    const float inv = 1.0f / w.sum[r];
    const float *a = &w.acc[r * valueCols];
    for (int64_t c = 0; c < s.valueDepth; ++c)
      os[(first + r) * s.out[2] + c * s.out[3]] = T(a[c] * inv);
  }
}

/// Query i of one (batch, head) against its keys and values where they lie,
/// the whole row of scores at once: with a few queries (decode) packing
/// the keys and values would cost as much as the products.
template <typename T>
void directRow(Workspace &w, T *os, const T *qs, const T *ks, const T *vs,
               const T *adds, const bool *keeps, float scale, float fill,
               const AttentionShape &s, int64_t i) {
  int64_t keyEnd =
      s.causal ? std::min(s.keys, i + s.keys - s.queries + 1) : s.keys;
  // Trailing keys whose masks kill the score (<= -1e30 whatever q . k is:
  // a decode step's keys past its position) weigh exactly 0, unless no
  // other key is left: left out.
  auto dead = [&](int64_t j) {
    const bool kept =
        !keeps || keeps[i * s.keep[2] + j * s.keep[3]] != s.invertKeep;
    const bool addDead =
        adds && float(adds[i * s.addend[2] + j * s.addend[3]]) <= kDeadAttentionScore;
    return (!kept && fill <= kDeadAttentionScore && (!s.selectFirst || !adds)) ||
           (addDead && (kept || s.selectFirst));
  };
  int64_t live = keyEnd;
  while (live > 0 && dead(live - 1))
    --live;
  if (live > 0)
    keyEnd = live;
  float *p = w.scores.data();
  if (s.k[2] == 1) {
    // Keys contiguous (a cached K^T): one pass over the keys per depth.
    std::fill(p, p + keyEnd, 0.0f);
    for (int64_t c = 0; c < s.depth; ++c) {
      const float qc = float(qs[i * s.q[2] + c * s.q[3]]);
      const T *row = ks + c * s.k[3];
#pragma omp simd
      for (int64_t j = 0; j < keyEnd; ++j)
        p[j] += qc * float(row[j]);
    }
  } else {
    for (int64_t j = 0; j < keyEnd; ++j) {
      const T *row = ks + j * s.k[2];
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t c = 0; c < s.depth; ++c)
        dot += float(qs[i * s.q[2] + c * s.q[3]]) * float(row[c * s.k[3]]);
      p[j] = dot;
    }
  }
#pragma omp simd
  for (int64_t j = 0; j < keyEnd; ++j)
    p[j] *= scale;
  const T *addRowStart = adds ? adds + i * s.addend[2] : nullptr;
  if (addRowStart && !s.selectFirst)
    addRow(p, addRowStart, s.addend[3], keyEnd);
  if (keeps)
    selectRow(p, keeps + i * s.keep[2], s.keep[3], keyEnd, s.invertKeep, fill);
  if (addRowStart && s.selectFirst)
    addRow(p, addRowStart, s.addend[3], keyEnd);
  float max = -std::numeric_limits<float>::infinity(), sum = 0;
#pragma omp simd reduction(max : max)
  for (int64_t j = 0; j < keyEnd; ++j)
    max = std::max(max, p[j]);
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < keyEnd; ++j) {
    float e = vexpf(p[j] - max);
    p[j] = e;
    sum += e;
  }
  float *acc = w.acc.data();
  std::fill(acc, acc + s.valueDepth, 0.0f);
  for (int64_t j = 0; j < keyEnd; ++j) {
    const float weight = p[j];
    if (weight == 0.0f)
      continue;
    const T *row = vs + j * s.v[2];
#pragma omp simd
    for (int64_t c = 0; c < s.valueDepth; ++c)
      acc[c] += weight * float(row[c * s.v[3]]);
  }
  for (int64_t c = 0; c < s.valueDepth; ++c)
    os[i * s.out[2] + c * s.out[3]] = T(acc[c] / sum);
}

/// Up to this many queries, each row is computed directly (directRow).
constexpr int64_t kDirectMaxQueries = 4;

} // namespace

template <typename T>
void attention(Context &, T *out, const T *q, const T *k, const T *v,
               const T *addend, const bool *keep, float scale, float fill,
               const AttentionShape &s) {
  // A task is one (batch, head): its keys and values are packed once for
  // all its blocks of queries (unless there are only a few queries).
  const int64_t tasks = s.batch * s.heads;
  const int64_t work = s.queries * s.keys * (s.depth + s.valueDepth);
  parallelRanges(tasks, work, [&](int64_t begin, int64_t end) {
    thread_local Workspace w;
    w.size(s);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t b = t / s.heads, h = t % s.heads, kvHead = h / s.kvGroup;
      T *os = out + b * s.out[0] + h * s.out[1];
      const T *qs = q + b * s.q[0] + h * s.q[1];
      const T *ks = k + b * s.k[0] + kvHead * s.k[1];
      const T *vs = v + b * s.v[0] + kvHead * s.v[1];
      const T *adds =
          addend ? addend + b * s.addend[0] + h * s.addend[1] : nullptr;
      const bool *keeps = keep ? keep + b * s.keep[0] + h * s.keep[1] : nullptr;
      if (s.queries <= kDirectMaxQueries) {
        for (int64_t i = 0; i < s.queries; ++i)
          directRow(w, os, qs, ks, vs, adds, keeps, scale, fill, s, i);
        continue;
      }
      packKeysValues(w, ks, vs, s);
      for (int64_t first = 0; first < s.queries; first += kQueryBlock)
        queryBlock(w, os, qs, adds, keeps, scale, fill, s, first);
    }
  });
}

template void attention<float>(Context &, float *, const float *, const float *,
                               const float *, const float *, const bool *,
                               float, float, const AttentionShape &);

} // namespace pprt::cpu
