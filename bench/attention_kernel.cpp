// The cpu `attention` kernel against the unfused sequence it replaces, on
// GPT-2-small's attention (12 heads of 64, causal) at several sequence
// lengths, same threads, one run (bench/attention_kernel.sh builds and runs
// it against the built runtime).
//
// The unfused side is what a compiled program ran before the fusion, with
// the runtime's own kernels: three head-split copies out of the [S, 3 x 768]
// projection, one batched matmul for the scores (oneDNN, scale and mask as
// a post-op addend), the softmax, one batched matmul with V, and the head
// merge copy. Both read the same projection and write [S, 768]; the max
// difference guards against comparing different results.

#include "Timing.h"
#include "pprt/Kernels.h"

#include <omp.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

using namespace pprt;

namespace {

void run(int64_t batch, int64_t seq, int repeat) {
  const int64_t heads = 12, depth = 64, width = heads * depth;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> qkv(batch * seq * 3 * width);
  for (float &x : qkv)
    x = dist(gen);
  // The additive form of the causal mask (0 or -inf), one matrix.
  std::vector<float> mask(seq * seq);
  std::vector<char> dropped(seq * seq);
  for (int64_t i = 0; i < seq; ++i)
    for (int64_t j = 0; j < seq; ++j) {
      mask[i * seq + j] = j > i ? -INFINITY : 0.0f;
      dropped[i * seq + j] = j > i;
    }
  const float scale = 1.0f / std::sqrt(float(depth));
  Context ctx;

  // Fused: reads the projection in place, writes the merged heads.
  std::vector<float> fusedOut(batch * seq * width);
  AttentionShape s{};
  s.batch = batch;
  s.heads = heads;
  s.kvGroup = 1;
  s.queries = s.keys = seq;
  s.depth = s.valueDepth = depth;
  const int64_t split[4] = {seq * 3 * width, depth, 3 * width, 1};
  for (int d = 0; d < 4; ++d)
    s.q[d] = s.k[d] = s.v[d] = split[d];
  const int64_t merged[4] = {seq * width, depth, width, 1};
  for (int d = 0; d < 4; ++d)
    s.out[d] = merged[d];
  s.keep[2] = seq;
  s.keep[3] = 1;
  s.causal = true;
  s.invertKeep = true;
  double fusedMs = millis(
      [&] {
        cpu::attention<float>(ctx, fusedOut.data(), qkv.data(),
                              qkv.data() + width, qkv.data() + 2 * width,
                              nullptr, (const bool *)dropped.data(), scale,
                              -INFINITY, s);
      },
      repeat);

  // Unfused.
  const int64_t bh = batch * heads;
  std::vector<float> q(bh * seq * depth), k(q.size()), v(q.size()),
      scores(bh * seq * seq), probs(scores.size()), o(q.size()),
      unfusedOut(fusedOut.size());
  const int64_t shape[4] = {batch, heads, seq, depth};
  const int64_t packed[4] = {heads * seq * depth, seq * depth, depth, 1};
  const int64_t heads4[4] = {seq * 3 * width, depth, 3 * width, 1};
  const int64_t mergedShape[4] = {batch, seq, heads, depth};
  const int64_t fromHeads[4] = {heads * seq * depth, depth, seq * depth, 1};
  const int64_t rowMajor[4] = {seq * width, width, depth, 1};
  double unfusedMs = millis(
      [&] {
        for (int which = 0; which < 3; ++which)
          cpu::copyStrided(ctx,
                           (which == 0   ? q
                            : which == 1 ? k
                                         : v)
                               .data(),
                           packed, qkv.data() + which * width, heads4, shape, 4,
                           sizeof(float));
        cpu::matmulAdd<float>(ctx, scores.data(), q.data(), k.data(), scale,
                              nullptr, mask.data(), 0, bh, seq, seq, depth,
                              seq * depth, seq * depth, false, true);
        cpu::softmax<float>(ctx, probs.data(), scores.data(), bh * seq, seq, 1,
                            false);
        cpu::matmul<float>(ctx, o.data(), probs.data(), v.data(), bh, seq,
                           depth, seq, seq * seq, seq * depth, seq * depth,
                           false, false);
        cpu::copyStrided(ctx, unfusedOut.data(), rowMajor, o.data(), fromHeads,
                         mergedShape, 4, sizeof(float));
      },
      repeat);

  double maxDiff = 0;
  for (size_t i = 0; i < fusedOut.size(); ++i)
    maxDiff = std::fmax(maxDiff, std::fabs(fusedOut[i] - unfusedOut[i]));
  std::printf("%5lld x %5lld   %10.3f %10.3f   %6.2f   %.2e\n",
              (long long)batch, (long long)seq, unfusedMs, fusedMs,
              unfusedMs / fusedMs, maxDiff);
}

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int repeat = argc > 2 ? std::atoi(argv[2]) : 20;
  omp_set_num_threads(threads);
  std::printf("GPT-2 attention, 12 heads x 64, causal, %d threads, mean of "
              "%d runs after one warm-up\n",
              threads, repeat);
  std::printf("batch x   seq   unfused ms   fused ms   ratio   max|diff|\n");
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 128},
                            {8, 128},
                            {1, 512},
                            {1, 1024},
                            {1, 2048}})
    run(batch, seq, repeat);
  return 0;
}
