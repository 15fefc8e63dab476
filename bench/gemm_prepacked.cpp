// What packing the weights once buys: OpenBLAS's sgemm (which packs the
// weight on every call) against the runtime's GEMM over a weight packed once
// into 16-column panels (runtime/lib/cpu/PackedWeights.cpp), on the model
// shapes below 512 rows where the runtime used OpenBLAS. Same threads, one run
// (bench/gemm_prepacked.sh). The packing itself is not timed: a program
// does it once, on a weight's first product (the warm-up call here). Then
// oneDNN against the packed copies on Llama's 512-row shapes, with the
// weights coming from memory as in a forward.

#include "Timing.h"
#include "cpu/PackedWeights.h"
#include "pprt/Kernels.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

struct Shape {
  const char *what;
  long m, k, n;
};

} // namespace

/// Inside a forward each weight is read once and comes from memory, not
/// from cache as when one GEMM repeats. So: oneDNN (the runtime's matmul on
/// weights not declared constant, from 512 rows) against the packed copies
/// of as many weights as fill 256 MiB, used in turn.
void coldWeights(int repeat) {
  std::printf("\nweights from memory: each call multiplies the next of C "
              "copies (256 MiB in all); mean over >= %d calls\n",
              repeat);
  std::printf("%-18s %5s %5s %5s %4s  %11s %11s  %6s\n", "shape", "m", "k", "n",
              "C", "oneDNN ms", "packed ms", "ratio");
  const Shape shapes[] = {{"llama b4 q/o", 512, 1024, 1024},
                          {"llama b4 k/v", 512, 1024, 256},
                          {"llama b4 up", 512, 1024, 2736},
                          {"llama b4 down", 512, 2736, 1024},
                          {"llama b4 lm head", 512, 1024, 8192}};
  pprt::Context ctx;
  for (const Shape &s : shapes) {
    const long m = s.m, k = s.k, n = s.n;
    const long copies = std::max(3L, (256L << 20) / (2 * 4 * n * k));
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    std::vector<float> a(m * k), c(m * n);
    for (float &x : a)
      x = dist(gen);
    // Separate weights for each side: only `declared` are constant.
    std::vector<std::vector<float>> plain(copies), declared(copies);
    for (long i = 0; i < copies; ++i) {
      plain[i].resize(k * n);
      declared[i].resize(k * n);
      for (float &x : plain[i])
        x = dist(gen);
      declared[i] = plain[i];
      pprt::cpu::markConstantWeight(declared[i].data(),
                                    declared[i].size() * sizeof(float));
    }
    long next = 0;
    const int calls = std::max<long>(repeat, 2 * copies);
    double dnnl = millis(
        [&] {
          pprt::cpu::matmul<float>(ctx, c.data(), a.data(),
                                   plain[next++ % copies].data(), 1, m, n, k, 0,
                                   0, 0, false, false);
        },
        calls);
    // Packing every copy first: a program packs each weight once.
    for (auto &w : declared)
      pprt::cpu::packedCopy(w.data(), n, k, false);
    double packed = millis(
        [&] {
          const float *w = declared[next++ % copies].data();
          pprt::cpu::packedMatmul(c.data(), a.data(),
                                  pprt::cpu::packedCopy(w, n, k, false), m, n,
                                  k);
        },
        calls);
    for (auto &w : declared)
      pprt::cpu::forgetConstantWeight(w.data());
    std::printf("%-18s %5ld %5ld %5ld %4ld  %11.3f %11.3f  %6.2f\n", s.what, m,
                k, n, copies, dnnl, packed, dnnl / packed);
  }
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int repeat = argc > 2 ? std::atoi(argv[2]) : 30;
  omp_set_num_threads(threads);
  std::printf("C = A x W, W [k x n] row-major, %d threads, mean of %d runs "
              "after one warm-up\n",
              threads, repeat);
  std::printf("%-18s %5s %5s %5s  %11s %11s  %6s  %s\n", "shape", "m", "k", "n",
              "openblas ms", "packed ms", "ratio", "max|diff|");
  const Shape shapes[] = {
      {"gpt b1 qkv", 128, 768, 2304},     {"gpt b1 proj", 128, 768, 768},
      {"gpt b1 mlp up", 128, 768, 3072},  {"gpt b1 mlp down", 128, 3072, 768},
      {"gpt b1 lm head", 128, 768, 8192}, {"llama b4 up", 512, 1024, 2736}};
  for (const Shape &s : shapes) {
    const long m = s.m, k = s.k, n = s.n;
    std::vector<float> a(m * k), w(k * n), c1(m * n), c2(m * n);
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (float &x : a)
      x = dist(gen);
    for (float &x : w)
      x = dist(gen);
    double blas = millis(
        [&] {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                      a.data(), k, w.data(), n, 0.0f, c1.data(), n);
        },
        repeat);
    // The runtime's path: the weight declared constant, packed on the
    // first (warm-up) call, multiplied from the packed copy after.
    pprt::cpu::markConstantWeight(w.data(), w.size() * sizeof(float));
    double ours = millis(
        [&] {
          pprt::cpu::packedMatmul(c2.data(), a.data(),
                                  pprt::cpu::packedCopy(w.data(), n, k, false),
                                  m, n, k);
        },
        repeat);
    pprt::cpu::forgetConstantWeight(w.data());
    double diff = 0;
    for (long i = 0; i < m * n; ++i)
      diff = std::fmax(diff, std::fabs(c1[i] - c2[i]));
    std::printf("%-18s %5ld %5ld %5ld  %11.3f %11.3f  %6.2f  %.1e\n", s.what, m,
                k, n, blas, ours, blas / ours, diff);
  }
  coldWeights(repeat);
  return 0;
}
