//===- PackedWeights.cpp - weights packed once for the GEMM ---------------===//
//
// The registry of constant weights is process-wide (ranks that are threads
// load their own weights, each declared once); the packed copies are per
// rank thread, so packing needs no lock on the hot path.
//
//===----------------------------------------------------------------------===//

#include "PackedWeights.h"

#include "BlockProduct.h"
#include "ParallelFor.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace pprt::cpu {

namespace {

constexpr int64_t kPanel = 16;
/// Rows of c per kernel call (BlockProduct.h's 6 x 16 tile).
constexpr int64_t kTileRows = 6;
/// Depth per pass over a panel: 1024 x 16 floats of B (64 KiB, streamed
/// from L2). Each pass loads and stores c's tiles once, which costs more
/// than B's spilling out of L1: against 256-deep passes (B in L1) every
/// Llama and GPT shape of bench/gemm_prepacked.sh gained 3-7% (2 threads,
/// weights from memory: 512 x 1024 x 1024 from 163 to 169-175 GFLOP/s,
/// 128 x 3072 x 768 from 158 to 170).
constexpr int64_t kDepthBlock = 1024;
/// Up to this many rows the threads split the panels, each passing over
/// all of A.
constexpr int64_t kWholeRows = 256;
/// Beyond, rows per block of A: 48 x 1024 floats (192 KiB) stay in L2,
/// and panels per group: 256 columns.
constexpr int64_t kRowBlock = 48;
constexpr int64_t kPanelGroup = 16;

/// A declared weight: where it ends, and a number no other declaration
/// had, so that memory freed and declared again is packed again.
struct Range {
  const char *end;
  uint64_t id;
};

std::mutex registryMutex;
uint64_t lastId = 0;
PackingTotals totals; // guarded by registryMutex
std::map<const char *, Range> &registry() {
  static std::map<const char *, Range> ranges;
  return ranges;
}

/// The declaration holding [b, b + bytes), or 0.
uint64_t constantWeightId(const float *b, size_t bytes) {
  const char *begin = reinterpret_cast<const char *>(b);
  std::lock_guard<std::mutex> lock(registryMutex);
  auto &ranges = registry();
  auto it = ranges.upper_bound(begin);
  if (it == ranges.begin())
    return 0;
  --it;
  return begin + bytes <= it->second.end ? it->second.id : 0;
}

/// Floats in b's packed copy: whole panels.
int64_t packedSize(int64_t n, int64_t k) {
  return (n + kPanel - 1) / kPanel * k * kPanel;
}

/// Panel j holds columns [16j, 16j + 16) of b for every k, contiguously;
/// the last is zero-padded. The threads split the panels (each page is
/// first touched by the thread that fills it).
std::unique_ptr<float[]> pack(const float *b, int64_t n, int64_t k,
                              bool transB) {
  std::unique_ptr<float[]> packed(new float[packedSize(n, k)]);
  float *out = packed.get();
  const int64_t panels = (n + kPanel - 1) / kPanel;
  parallelRanges(panels, k * kPanel, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j)
      for (int64_t p = 0; p < k; ++p)
        for (int64_t l = 0; l < kPanel; ++l) {
          const int64_t col = j * kPanel + l;
          out[(j * k + p) * kPanel + l] = col >= n ? 0.0f
                                          : transB ? b[col * k + p]
                                                   : b[p * n + col];
        }
  });
  return packed;
}

} // namespace

void markConstantWeight(const void *data, size_t bytes) {
  const char *begin = static_cast<const char *>(data);
  std::lock_guard<std::mutex> lock(registryMutex);
  registry()[begin] = Range{begin + bytes, ++lastId};
}

void forgetConstantWeight(const void *data) {
  std::lock_guard<std::mutex> lock(registryMutex);
  registry().erase(static_cast<const char *>(data));
}

PackingTotals packingTotals() {
  std::lock_guard<std::mutex> lock(registryMutex);
  return totals;
}

const float *packedCopy(const float *b, int64_t n, int64_t k, bool transB) {
  if (n <= 0 || k <= 0)
    return nullptr;
  const uint64_t id =
      constantWeightId(b, sizeof(float) * size_t(n) * size_t(k));
  if (!id)
    return nullptr;
  using Key = std::tuple<uint64_t, const float *, int64_t, int64_t, bool>;
  thread_local std::map<Key, std::unique_ptr<float[]>> packs;
  auto [it, fresh] = packs.try_emplace(Key{id, b, n, k, transB});
  if (fresh) {
    const auto began = std::chrono::steady_clock::now();
    it->second = pack(b, n, k, transB);
    const std::chrono::duration<double, std::milli> took =
        std::chrono::steady_clock::now() - began;
    std::lock_guard<std::mutex> lock(registryMutex);
    ++totals.weights;
    totals.bytes += packedSize(n, k) * int64_t(sizeof(float));
    totals.ms += took.count();
  }
  return it->second.get();
}

void packedMatmul(float *c, const float *a, const float *packed, int64_t m,
                  int64_t n, int64_t k, const float *start,
                  int64_t startStride) {
  if (m <= 0)
    return;
  const int64_t panels = (n + kPanel - 1) / kPanel;
  // Rows [i0, i1) of c's panel j, adding depth [p0, p0 + kDepthBlock) of the
  // product to start (the first pass) or to c (the later ones).
  auto panelRows = [&](int64_t j, int64_t p0, int64_t i0, int64_t i1) {
    const int64_t cols = std::min(kPanel, n - j * kPanel);
    const int64_t depth = std::min(kDepthBlock, k - p0);
    const float *panel = packed + (j * k + p0) * kPanel;
    for (int64_t i = i0; i < i1; i += kTileRows) {
      const int64_t rows = std::min(kTileRows, i1 - i);
      float *ci = c + i * n + j * kPanel;
      const float *ai = a + i * k + p0;
      const float *from = p0 > 0 ? ci
                          : start ? start + i * startStride + j * kPanel
                                  : nullptr;
      const int64_t fromStride = p0 > 0 ? n : startStride;
      if (cols == kPanel) {
        tailKernel<6>(rows, ci, n, ai, k, panel, kPanel, depth, from,
                      fromStride);
        continue;
      }
      // A partial last panel goes through a full-width tile.
      float tile[6 * kPanel];
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t l = 0; l < kPanel; ++l)
          tile[r * kPanel + l] =
              from && l < cols ? from[r * fromStride + l] : 0.0f;
      tailKernel<6>(rows, tile, kPanel, ai, k, panel, kPanel, depth, tile,
                    kPanel);
      for (int64_t r = 0; r < rows; ++r)
        std::copy(tile + r * kPanel, tile + r * kPanel + cols, ci + r * n);
    }
  };
  if (m <= kWholeRows) {
    // Each panel's tiles of c stay hot; the threads split the panels.
    parallelRanges(panels, m * k * kPanel, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j)
        for (int64_t p0 = 0; p0 < k; p0 += kDepthBlock)
          panelRows(j, p0, 0, m);
    });
    return;
  }
  // More rows: A in blocks whose depth slice stays in L2 while a group of
  // panels passes over it, and the panels in groups whose packed columns
  // stay in cache while every block of A passes over them (else a wide
  // weight came from memory once per block of A). Measured against the
  // one-pass order on this 2-core machine (256-deep passes then): 1024 x
  // 3072 x 768 went from 141 to 176 GFLOP/s, 2048 x 1024 x 1024 from 124
  // to 171. The threads split the rows (in whole tiles), each passing over
  // every panel: with the panels split instead, a 256-wide weight left
  // each thread too few panels per block of A (512 x 1024 x 256: 139
  // against 167 GFLOP/s; the wider Llama and GPT shapes measured the same
  // either way).
  const int64_t tiles = (m + kTileRows - 1) / kTileRows;
  parallelRanges(tiles, kTileRows * k * n, [&](int64_t begin, int64_t end) {
    const int64_t rowsBegin = begin * kTileRows;
    const int64_t rowsEnd = std::min(m, end * kTileRows);
    for (int64_t j0 = 0; j0 < panels; j0 += kPanelGroup)
      for (int64_t i0 = rowsBegin; i0 < rowsEnd; i0 += kRowBlock)
        for (int64_t p0 = 0; p0 < k; p0 += kDepthBlock)
          for (int64_t j = j0; j < std::min(panels, j0 + kPanelGroup); ++j)
            panelRows(j, p0, i0, std::min(rowsEnd, i0 + kRowBlock));
  });
}

} // namespace pprt::cpu
