//===- CudaKernelsCheck.cu - cuda kernels against the cpu kernels ---------===//
//
// Runs every cuda kernel for float, __half and __nv_bfloat16 on small random
// inputs and compares with the cpu kernel on the same (rounded) inputs.
// Exits 77 (ctest: skipped) without a GPU, so CI builds it and GPU machines
// run it. `--bad-gather`, `--bad-scatter` and `--bad-label` check that an
// out-of-range index or label is reported.
//
//===----------------------------------------------------------------------===//

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "CudaPresence.h"
#include "RandomFloats.h"
#include "pprt/CudaCheck.h"
#include "pprt/DType.h"
#include "pprt/Device.h"
#include "pprt/Kernels.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace pprt;

namespace {

template <typename T> DType dtypeOf();
template <> DType dtypeOf<float>() { return DType::F32; }
template <> DType dtypeOf<__half>() { return DType::F16; }
template <> DType dtypeOf<__nv_bfloat16>() { return DType::BF16; }

/// Allowed max |gpu - cpu| / max(1, max |cpu|): the storage type's rounding.
template <typename T> float toleranceOf() {
  return dtypeOf<T>() == DType::F32   ? 1e-5f
         : dtypeOf<T>() == DType::F16 ? 4e-3f
                                      : 3e-2f;
}

int failures = 0;

/// Device buffers of T, filled from and read back as float.
template <typename T> class Buffer {
public:
  explicit Buffer(size_t n) : count(n) {
    PPRT_CUDA_CHECK(cudaMalloc(&ptr, n * sizeof(T) + 1));
  }
  Buffer(const std::vector<float> &values) : Buffer(values.size()) {
    std::vector<T> host(count);
    convertElements(host.data(), dtypeOf<T>(), values.data(), DType::F32,
                    count);
    PPRT_CUDA_CHECK(
        cudaMemcpy(ptr, host.data(), count * sizeof(T), cudaMemcpyDefault));
  }
  ~Buffer() { cudaFree(ptr); }
  std::vector<float> read() const {
    std::vector<T> host(count);
    PPRT_CUDA_CHECK(cudaDeviceSynchronize());
    PPRT_CUDA_CHECK(
        cudaMemcpy(host.data(), ptr, count * sizeof(T), cudaMemcpyDefault));
    std::vector<float> out(count);
    convertElements(out.data(), DType::F32, host.data(), dtypeOf<T>(), count);
    return out;
  }
  T *get() const { return ptr; }

private:
  T *ptr = nullptr;
  size_t count;
};

/// Rounds `v` to T and back, so both sides see identical inputs.
template <typename T> std::vector<float> rounded(std::vector<float> v) {
  return Buffer<T>(v).read();
}

template <typename T>
void expectClose(const std::string &what, const std::vector<float> &got,
                 const std::vector<float> &want) {
  float maxErr = 0, maxRef = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    maxErr = std::fmax(maxErr, std::fabs(got[i] - want[i]));
    maxRef = std::fmax(maxRef, std::fabs(want[i]));
    if (std::isnan(got[i]) != std::isnan(want[i]))
      maxErr = INFINITY;
  }
  bool ok = maxErr <= toleranceOf<T>() * std::fmax(1.0f, maxRef);
  std::printf("%s %s<%s>: max_abs_err=%g max_abs_ref=%g\n",
              ok ? "ok  " : "FAIL", what.c_str(), dtypeName(dtypeOf<T>()),
              maxErr, maxRef);
  failures += !ok;
}

template <typename T> void checkTyped(Context &gpu, Context &host) {
  // matmul: every transpose combination, with a broadcast A.
  for (int t = 0; t < 8; ++t) {
    bool transA = t & 1, transB = t & 2, broadcastA = t & 4;
    const int64_t batch = 3, m = 5, n = 7, k = 33;
    int64_t strideA = broadcastA ? 0 : m * k;
    auto a = rounded<T>(randomFloats(batch * m * k, 1));
    auto b = rounded<T>(randomFloats(batch * k * n, 2));
    std::vector<float> want(batch * m * n);
    cpu::matmul<float>(host, want.data(), a.data(), b.data(), batch, m, n, k,
                       strideA, k * n, m * n, transA, transB);
    Buffer<T> da(a), db(b), dc(want.size());
    cuda::matmul<T>(gpu, dc.get(), da.get(), db.get(), batch, m, n, k, strideA,
                    k * n, m * n, transA, transB);
    expectClose<T>("matmul t=" + std::to_string(t), dc.read(), want);
  }
  // matmulAdd: a bias, an addend (like c, or broadcast over the batch).
  for (int adds = 1; adds < 6; ++adds) {
    const int64_t batch = 2, m = 5, n = 7, k = 33;
    auto a = rounded<T>(randomFloats(batch * m * k, 3));
    auto b = rounded<T>(randomFloats(batch * k * n, 4));
    auto bias = rounded<T>(randomFloats(n, 5));
    auto addend = rounded<T>(randomFloats(batch * m * n, 6));
    const float *hb = adds & 1 ? bias.data() : nullptr;
    const float *ha = adds & 6 ? addend.data() : nullptr;
    int64_t addendStride = adds & 4 ? 0 : m * n;
    std::vector<float> want(batch * m * n);
    float alpha = adds == 5 ? 0.125f : 1.0f;
    cpu::matmulAdd<float>(host, want.data(), a.data(), b.data(), alpha, hb, ha,
                          addendStride, batch, m, n, k, m * k, k * n, false,
                          false);
    Buffer<T> da(a), db(b), dbias(bias), daddend(addend), dc(want.size());
    cuda::matmulAdd<T>(gpu, dc.get(), da.get(), db.get(), alpha,
                       hb ? dbias.get() : nullptr, ha ? daddend.get() : nullptr,
                       addendStride, batch, m, n, k, m * k, k * n, false,
                       false);
    expectClose<T>("matmulAdd adds=" + std::to_string(adds), dc.read(), want);
  }
  // matmulAdd as a linear layer (transposed weight, batch 1) with a bias
  // and a residual, every operand one element off its allocation's
  // alignment: cuBLASLt must pick an algorithm for such pointers.
  {
    const int64_t m = 6, n = 9, k = 17;
    auto a = rounded<T>(randomFloats(m * k, 7));
    auto b = rounded<T>(randomFloats(n * k, 8));
    auto bias = rounded<T>(randomFloats(n, 9));
    auto addend = rounded<T>(randomFloats(m * n, 10));
    std::vector<float> want(m * n);
    cpu::matmulAdd<float>(host, want.data(), a.data(), b.data(), 1.0f,
                          bias.data(), addend.data(), m * n, 1, m, n, k, m * k,
                          n * k, false, true);
    std::vector<float> packed{0.0f};
    for (const auto *part : {&a, &b, &bias, &addend})
      packed.insert(packed.end(), part->begin(), part->end());
    Buffer<T> operands(packed), dc(m * n + 1);
    T *da = operands.get() + 1, *db = da + m * k, *dbias = db + n * k,
      *daddend = dbias + n;
    cuda::matmulAdd<T>(gpu, dc.get() + 1, da, db, 1.0f, dbias, daddend, m * n,
                       1, m, n, k, m * k, n * k, false, true);
    std::vector<float> got = dc.read();
    expectClose<T>("matmulAdd misaligned, transB",
                   std::vector<float>(got.begin() + 1, got.end()), want);
  }
  // attention: head-split strides, GQA, an addend and an inverted keep
  // mask, with and without causal skipping (the mask hides exactly the
  // keys after the diagonal), 70 queries over 3 key blocks of 32.
  for (bool causal : {false, true}) {
    AttentionShape s{};
    s.batch = 2;
    s.heads = 4;
    s.kvGroup = 2;
    s.queries = s.keys = 70;
    s.depth = 40;
    s.valueDepth = 24;
    const int64_t kvHeads = s.heads / s.kvGroup;
    // [b, seq, heads, depth] read as (b, h, seq, depth).
    auto split = [&](int64_t *st, int64_t seq, int64_t heads, int64_t d) {
      st[0] = seq * heads * d;
      st[1] = d;
      st[2] = heads * d;
      st[3] = 1;
    };
    split(s.q, s.queries, s.heads, s.depth);
    split(s.k, s.keys, kvHeads, s.depth);
    split(s.v, s.keys, kvHeads, s.valueDepth);
    split(s.out, s.queries, s.heads, s.valueDepth);
    s.addend[2] = s.keys;
    s.addend[3] = 1;
    s.keep[2] = s.keys;
    s.keep[3] = 1;
    s.causal = causal;
    s.invertKeep = true;
    auto q = rounded<T>(randomFloats(s.batch * s.queries * s.heads * s.depth, 7));
    auto k = rounded<T>(randomFloats(s.batch * s.keys * kvHeads * s.depth, 8));
    auto v = rounded<T>(randomFloats(s.batch * s.keys * kvHeads * s.valueDepth, 9));
    auto addend = rounded<T>(randomFloats(s.queries * s.keys, 10));
    std::vector<char> dropped(s.queries * s.keys);
    for (int64_t i = 0; i < s.queries; ++i)
      for (int64_t j = 0; j < s.keys; ++j)
        dropped[i * s.keys + j] = causal ? j > i : (i + j) % 7 == 0;
    std::vector<float> want(s.batch * s.queries * s.heads * s.valueDepth);
    const float scale = 0.2f, fill = -3.4e38f;
    cpu::attention<float>(host, want.data(), q.data(), k.data(), v.data(),
                          addend.data(), (const bool *)dropped.data(), scale,
                          fill, s);
    Buffer<T> dq(q), dk(k), dv(v), daddend(addend), dout(want.size());
    bool *dmask = nullptr;
    PPRT_CUDA_CHECK(cudaMalloc(&dmask, dropped.size()));
    PPRT_CUDA_CHECK(cudaMemcpy(dmask, dropped.data(), dropped.size(),
                               cudaMemcpyDefault));
    cuda::attention<T>(gpu, dout.get(), dq.get(), dk.get(), dv.get(),
                       daddend.get(), dmask, scale, fill, s);
    expectClose<T>(std::string("attention causal=") + (causal ? "1" : "0"),
                   dout.read(), want);
    cudaFree(dmask);
  }
  // softmax over a row longer than a block, and over a middle dim.
  for (int64_t inner : {1, 3})
    for (bool log : {false, true}) {
      const int64_t outer = 4, n = 300;
      auto x = rounded<T>(randomFloats(outer * n * inner, 3));
      std::vector<float> want(x.size());
      cpu::softmax<float>(host, want.data(), x.data(), outer, n, inner, log);
      Buffer<T> dx(x), dy(x.size());
      cuda::softmax<T>(gpu, dy.get(), dx.get(), outer, n, inner, log);
      expectClose<T>("softmax inner=" + std::to_string(inner) +
                         " log=" + std::to_string(log),
                     dy.read(), want);
    }
  // norms
  {
    const int64_t rows = 5, cols = 1000;
    auto x = rounded<T>(randomFloats(rows * cols, 4));
    auto scale = rounded<T>(randomFloats(cols, 5));
    auto bias = rounded<T>(randomFloats(cols, 6));
    Buffer<T> dx(x), ds(scale), db(bias), dy(x.size());
    std::vector<float> want(x.size());
    for (bool withBias : {false, true}) {
      cpu::layerNorm<float>(host, want.data(), x.data(), scale.data(),
                            withBias ? bias.data() : nullptr, rows, cols,
                            1e-5f);
      cuda::layerNorm<T>(gpu, dy.get(), dx.get(), ds.get(),
                         withBias ? db.get() : nullptr, rows, cols, 1e-5f);
      expectClose<T>("layerNorm bias=" + std::to_string(withBias), dy.read(),
                     want);
    }
    cpu::rmsNorm<float>(host, want.data(), x.data(), scale.data(), rows, cols,
                        1e-6f);
    cuda::rmsNorm<T>(gpu, dy.get(), dx.get(), ds.get(), rows, cols, 1e-6f);
    expectClose<T>("rmsNorm", dy.read(), want);
  }
  // reduce
  for (int64_t inner : {1, 3})
    for (int kind = 0; kind < 5; ++kind) {
      const int64_t outer = 4, n = 37;
      auto x = randomFloats(outer * n * inner, 7);
      // Keep products representable in every type.
      for (float &v : x)
        v = 1.0f + v / 16;
      x = rounded<T>(x);
      std::vector<float> want(outer * inner);
      cpu::reduce<float>(host, want.data(), x.data(), outer, n, inner,
                         ReduceKind(kind));
      Buffer<T> dx(x), dy(want.size());
      cuda::reduce<T>(gpu, dy.get(), dx.get(), outer, n, inner,
                      ReduceKind(kind));
      expectClose<T>("reduce kind=" + std::to_string(kind) +
                         " inner=" + std::to_string(inner),
                     dy.read(), want);
    }
  // crossEntropy over rows longer than a block, logits in the tens, some
  // labels ignored; then every label ignored (a loss of 0).
  {
    const int64_t rows = 6, vocab = 1000;
    auto x = randomFloats(rows * vocab, 8);
    for (float &v : x)
      v *= 30;
    x = rounded<T>(x);
    std::vector<int64_t> labels = {3, -100, 999, 0, -100, 517};
    Buffer<T> dx(x), dloss(1);
    Buffer<float> drows(rows);
    int64_t *dlabels;
    PPRT_CUDA_CHECK(cudaMalloc(&dlabels, rows * sizeof(int64_t)));
    for (bool allIgnored : {false, true}) {
      if (allIgnored)
        labels.assign(rows, -100);
      PPRT_CUDA_CHECK(cudaMemcpy(dlabels, labels.data(), rows * sizeof(int64_t),
                                 cudaMemcpyHostToDevice));
      std::vector<float> want(1), wantRows(rows);
      cpu::crossEntropy<float>(host, want.data(), x.data(), labels.data(),
                               wantRows.data(), rows, vocab, -100);
      cuda::crossEntropy<T>(gpu, dloss.get(), dx.get(), dlabels, drows.get(),
                            rows, vocab, -100);
      std::string what =
          allIgnored ? "crossEntropy all ignored" : "crossEntropy";
      expectClose<T>(what, dloss.read(), want);
      expectClose<float>(what + " rows", drows.read(), wantRows);
    }
    cudaFree(dlabels);
  }
  // scatterAdd into a middle dim with repeated and negative indices.
  {
    const int64_t outer = 3, axisDim = 4, inner = 70, numIndices = 6;
    const int64_t indices[] = {1, 3, -3, 0, 1, 1};
    auto u = rounded<T>(randomFloats(outer * numIndices * inner, 9));
    std::vector<float> want(outer * axisDim * inner);
    cpu::scatterAdd<float>(host, want.data(), u.data(), indices, outer, axisDim,
                           inner, numIndices);
    int64_t *dindices;
    PPRT_CUDA_CHECK(cudaMalloc(&dindices, sizeof(indices)));
    PPRT_CUDA_CHECK(
        cudaMemcpy(dindices, indices, sizeof(indices), cudaMemcpyHostToDevice));
    Buffer<T> du(u), dy(randomFloats(want.size(), 10)); // stale values
    cuda::scatterAdd<T>(gpu, dy.get(), du.get(), dindices, outer, axisDim,
                        inner, numIndices);
    expectClose<T>("scatterAdd", dy.read(), want);
    cudaFree(dindices);
  }
}

/// Runs the same movement on both sides for elements of `elemSize` bytes.
void checkMovement(Context &gpu, Context &host, size_t elemSize) {
  std::vector<unsigned char> src(4 * 6 * 5 * elemSize);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<unsigned char>(i * 37 + 11);
  unsigned char *dsrc, *ddst;
  PPRT_CUDA_CHECK(cudaMalloc(&dsrc, src.size()));
  PPRT_CUDA_CHECK(cudaMalloc(&ddst, src.size()));
  PPRT_CUDA_CHECK(
      cudaMemcpy(dsrc, src.data(), src.size(), cudaMemcpyHostToDevice));
  auto compare = [&](const char *what, const std::vector<unsigned char> &want,
                     size_t bytes) {
    std::vector<unsigned char> got(bytes);
    PPRT_CUDA_CHECK(cudaDeviceSynchronize());
    PPRT_CUDA_CHECK(
        cudaMemcpy(got.data(), ddst, bytes, cudaMemcpyDeviceToHost));
    bool ok = std::memcmp(got.data(), want.data(), bytes) == 0;
    std::printf("%s %s elemSize=%zu\n", ok ? "ok  " : "FAIL", what, elemSize);
    failures += !ok;
  };
  std::vector<unsigned char> want(src.size());

  // Transpose [4,6,5] -> [5,4,6] reading the last row backwards in dim 0.
  const int64_t shape[] = {5, 4, 6};
  const int64_t dstStrides[] = {24, 6, 1};
  const int64_t srcStrides[] = {1, -30, 5};
  size_t lastBlock = 3 * 30 * elemSize;
  cpu::copyStrided(host, want.data(), dstStrides, src.data() + lastBlock,
                   srcStrides, shape, 3, elemSize);
  cuda::copyStrided(gpu, ddst, dstStrides, dsrc + lastBlock, srcStrides, shape,
                    3, elemSize);
  compare("copyStrided", want, src.size());

  // Broadcast a row of 5 to [6,5].
  const int64_t bshape[] = {6, 5}, bdst[] = {5, 1}, bsrc[] = {0, 1};
  cpu::copyStrided(host, want.data(), bdst, src.data(), bsrc, bshape, 2,
                   elemSize);
  cuda::copyStrided(gpu, ddst, bdst, dsrc, bsrc, bshape, 2, elemSize);
  compare("broadcast", want, 30 * elemSize);

  // Gather rows {5, -1, 0} of [4, 6, 5] along the middle dim.
  int64_t indices[] = {5, -1, 0};
  int64_t *dindices;
  PPRT_CUDA_CHECK(cudaMalloc(&dindices, sizeof(indices)));
  PPRT_CUDA_CHECK(
      cudaMemcpy(dindices, indices, sizeof(indices), cudaMemcpyHostToDevice));
  cpu::gather(host, want.data(), src.data(), indices, elemSize, 4, 6, 5, 3);
  cuda::gather(gpu, ddst, dsrc, dindices, elemSize, 4, 6, 5, 3);
  compare("gather", want, 4 * 3 * 5 * elemSize);
  cudaFree(dindices);

  // Trilu on [4, 6, 5] with k = -1, both triangles.
  for (bool upper : {false, true}) {
    cpu::trilu(host, want.data(), src.data(), elemSize, 4, 6, 5, -1, upper);
    cuda::trilu(gpu, ddst, dsrc, elemSize, 4, 6, 5, -1, upper);
    compare(upper ? "trilu upper" : "trilu lower", want, src.size());
  }
  cudaFree(dsrc);
  cudaFree(ddst);
}

/// A constant uploaded twice (the second time from the device copy the
/// first made) arrives whole both times.
void checkConstants(Context &gpu) {
  static const float kTable[5] = {0.5f, -1.0f, 3.0f, 7.25f, -0.125f};
  std::vector<float> want(kTable, kTable + 5);
  for (int round = 0; round < 2; ++round) {
    Buffer<float> dst(5);
    cuda::uploadConstant(gpu, dst.get(), kTable, sizeof(kTable));
    expectClose<float>("uploadConstant round " + std::to_string(round),
                       dst.read(), want);
  }
}

/// What --cuda-graphs does: a step captured once (a constant upload and a
/// matmulAdd through cuBLASLt) replays with the inputs' current values.
void checkGraphReplay(Device &device, Context &gpu) {
  static const float kBias[3] = {1.0f, 2.0f, 3.0f};
  const int64_t m = 4, n = 3, k = 5;
  Buffer<float> a(randomFloats(m * k, 11)), b(randomFloats(k * n, 12)),
      bias(n), c(m * n);
  auto step = [&] {
    cuda::uploadConstant(gpu, bias.get(), kBias, sizeof(kBias));
    cuda::matmulAdd<float>(gpu, c.get(), a.get(), b.get(), 1.0f, bias.get(),
                           nullptr, 0, 1, m, n, k, 0, 0, false, false);
  };
  step(); // warm-up: the constant's device copy and the cuBLASLt plan
  std::string error;
  void *graph = device.captureGraph(gpu, step, error);
  if (!graph) {
    std::printf("FAIL graph capture: %s\n", error.c_str());
    ++failures;
    return;
  }
  for (int round = 0; round < 2; ++round) {
    auto av = randomFloats(m * k, 20 + round);
    PPRT_CUDA_CHECK(cudaMemcpy(a.get(), av.data(), av.size() * sizeof(float),
                               cudaMemcpyHostToDevice));
    auto bv = b.read();
    std::vector<float> want(m * n);
    Context host;
    cpu::matmulAdd<float>(host, want.data(), av.data(), bv.data(), 1.0f, kBias,
                          nullptr, 0, 1, m, n, k, 0, 0, false, false);
    device.launchGraph(gpu, graph);
    device.synchronize(gpu);
    expectClose<float>("graph replay round " + std::to_string(round), c.read(),
                       want);
  }
  device.destroyGraph(graph);
}

} // namespace

int main(int argc, char **argv) {
  int exitCode = 0;
  if (pprt::test::countGpusOrExit(exitCode) < 0)
    return exitCode;
  Device &device = cudaDevice();
  std::string error;
  if (!device.init(error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  Context gpu = device.makeContext(0, 1);
  Context host;

  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--bad-scatter" || mode == "--bad-label") {
    float *data;
    int64_t *index;
    PPRT_CUDA_CHECK(cudaMalloc(&data, 64));
    PPRT_CUDA_CHECK(cudaMalloc(&index, sizeof(int64_t)));
    int64_t bad = mode == "--bad-scatter" ? -9 : 4;
    PPRT_CUDA_CHECK(
        cudaMemcpy(index, &bad, sizeof(bad), cudaMemcpyHostToDevice));
    if (mode == "--bad-scatter")
      cuda::scatterAdd(gpu, data, data + 8, index, 1, 8, 1, 1);
    else
      cuda::crossEntropy(gpu, data, data + 4, index, data + 8, 1, 4, -100);
    device.synchronize(gpu); // prints the error and exits 1
    return 0;
  }
  if (mode == "--bad-gather") {
    float *data;
    int64_t *index;
    PPRT_CUDA_CHECK(cudaMalloc(&data, 16));
    PPRT_CUDA_CHECK(cudaMalloc(&index, sizeof(int64_t)));
    int64_t bad = 70000;
    PPRT_CUDA_CHECK(
        cudaMemcpy(index, &bad, sizeof(bad), cudaMemcpyHostToDevice));
    cuda::gather(gpu, data, data, index, sizeof(float), 1, 50257, 1, 1);
    device.synchronize(gpu); // prints the error and exits 1
    return 0;
  }

  checkTyped<float>(gpu, host);
  checkTyped<__half>(gpu, host);
  checkTyped<__nv_bfloat16>(gpu, host);
  for (size_t elemSize : {1, 2, 4, 8, 3})
    checkMovement(gpu, host, elemSize);
  checkConstants(gpu);
  checkGraphReplay(device, gpu);
  device.destroyContext(gpu);
  std::printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
