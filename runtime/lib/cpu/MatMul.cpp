//===- MatMul.cpp - cpu batched matmul ------------------------------------===//
//
// Two libraries and a GEMM of the runtime's own, all on the calling
// thread's OpenMP team (the one the generated loops use), chosen by what
// bench/gemm_backends.sh and bench/gemm_prepacked.sh measured
// (bench/README.md):
// - float 2-D matmuls whose B is a weight that never changes (every
//   program but a training one) multiply its copy packed once
//   (PackedWeights.h), whatever their rows: OpenBLAS and oneDNN would pack
//   it again on every call. With 1024-deep passes (ed66567) that beat
//   oneDNN on every 512-row GEMM of a Llama forward (4 x 1024, GQA):
//   309.8 against 314.5 ms, faster in 6 of 6 alternating runs; and at
//   1024 rows (GPT-2-style, batch 8): 589.9 against 593.8 ms, faster in
//   7 of 9. (Before, with 256-deep passes, only Q, K, V, output and down
//   projections below 1024 rows won.)
// - other float batched matmuls (attention's many small GEMMs when not
//   fused) go to oneDNN, one primitive per shape for the whole batch: 4x
//   faster than a BLAS call per batch entry. So do 2-D ones of 512 rows or
//   more (training's weights), where oneDNN is 3-8% faster.
// - other float 2-D matmuls of fewer rows go to OpenBLAS: there oneDNN
//   2.6's gemm:jit runs 2.3-2.7x slower whenever the weight is 64-byte
//   aligned (128 x 3072 x 768: 9.2 ms against 3.8 ms), which every buffer
//   here is.
// - float 2-D matmuls of one or two rows (decode) are OpenBLAS's sgemv per
//   row, which reads B in place instead of packing it.
// - double, which oneDNN lacks, goes to OpenBLAS, one GEMM per batch entry.
// Integer matmuls are rare and small (shape arithmetic), so they are plain
// loops.
//
//===----------------------------------------------------------------------===//

#include "PackedWeights.h"
#include "ParallelFor.h"
#include "pprt/Kernels.h"

#include <algorithm>
#include <cblas.h>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dnnl.hpp>
#include <omp.h>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <type_traits>

namespace pprt::cpu {

namespace {

void checkBlasDims(int64_t m, int64_t n, int64_t k) {
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX) {
    std::fprintf(stderr,
                 "error: matmul dims m=%lld n=%lld k=%lld exceed BLAS int\n",
                 static_cast<long long>(m), static_cast<long long>(n),
                 static_cast<long long>(k));
    std::exit(1);
  }
}

/// Zeroes C when k == 0 (BLAS rejects lda = 0) and says whether there is
/// nothing left to do.
template <typename T>
bool trivial(T *c, int64_t batch, int64_t m, int64_t n, int64_t k,
             int64_t strideC) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return true;
  if (k > 0)
    return false;
  for (int64_t b = 0; b < batch; ++b)
    std::memset(c + b * strideC, 0, sizeof(T) * m * n);
  return true;
}

/// beta 1 adds to what c holds (matmulAdd's prefilled bias and addend).
///
/// The OpenMP team splits the work itself, each thread calling a
/// single-threaded GEMM (OpenBLAS's OpenMP build runs on one thread inside a
/// parallel region): batch entries when there are enough, else column
/// blocks of 16. That measured 6% faster than OpenBLAS's own threading on
/// the 128-row GEMMs of a batch-1 GPT (bench/README.md); each thread packs
/// A once for its columns instead of the threads repacking it per block.
template <typename T, typename Gemm>
void blasMatmul(Gemm gemm, T *c, const T *a, const T *b, int64_t batch,
                int64_t m, int64_t n, int64_t k, int64_t strideA,
                int64_t strideB, int64_t strideC, bool transA, bool transB,
                T beta = T(0), T alpha = T(1)) {
  if (beta == T(0) && trivial(c, batch, m, n, k, strideC))
    return;
  if (batch <= 0 || m <= 0 || n <= 0 || k <= 0)
    return;
  checkBlasDims(m, n, k);
  // Row-major leading dims: the stored width of each matrix.
  int lda = static_cast<int>(transA ? m : k);
  int ldb = static_cast<int>(transB ? k : n);
  // Columns [n0, n1) of batch entry i.
  auto run = [&](int64_t i, int64_t n0, int64_t n1) {
    gemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
         transB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
         static_cast<int>(n1 - n0), static_cast<int>(k), alpha,
         a + i * strideA, lda, b + i * strideB + (transB ? n0 * k : n0), ldb,
         beta, c + i * strideC + n0, static_cast<int>(n));
  };
  int64_t threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  constexpr int64_t kBlock = 16;
  if (threads > 1 && batch >= threads) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < batch; ++i)
      run(i, 0, n);
    return;
  }
  if (threads > 1 && n >= 2 * kBlock * threads &&
      m * n * k >= kParallelMinElements * 64) {
    for (int64_t i = 0; i < batch; ++i) {
#pragma omp parallel
      {
        int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
        int64_t blocks = (n + kBlock - 1) / kBlock;
        int64_t n0 = std::min(n, blocks * t / count * kBlock);
        int64_t n1 = std::min(n, blocks * (t + 1) / count * kBlock);
        if (n0 < n1)
          run(i, n0, n1);
      }
    }
    return;
  }
  for (int64_t i = 0; i < batch; ++i)
    run(i, 0, n);
}

/// At most this many rows of A, each row is one matrix-vector product that
/// reads B where it lies. OpenBLAS's GEMM packs all of B first, which for a
/// row or two (decoding one token per sequence) costs more than the
/// product itself: 53% of a decode step went to that packing.
constexpr int64_t kGemvMaxRows = 2;

/// c (+)= alpha op(A) op(B) row by row with sgemv: c is prefilled (the
/// adds) or zeroed first, so sgemv always adds (beta 1). The OpenMP team
/// splits each row's columns.
void gemvMatmul(float *c, const float *a, const float *b, int64_t batch,
                int64_t m, int64_t n, int64_t k, int64_t strideA,
                int64_t strideB, int64_t strideC, bool transA, bool transB,
                bool prefilled, float alpha) {
  checkBlasDims(m, n, k);
  // Columns [n0, n1) of row i of batch entry bi.
  auto run = [&](int64_t bi, int64_t i, int64_t n0, int64_t n1) {
    const float *x = a + bi * strideA + (transA ? i : i * k);
    const int incX = static_cast<int>(transA ? m : 1);
    float *y = c + bi * strideC + i * n + n0;
    const float *rhs = b + bi * strideB;
    if (!prefilled)
      std::fill(y, y + (n1 - n0), 0.0f);
    if (transB) // rhs is [n x k]: its rows n0..n1 times x.
      cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n1 - n0),
                  static_cast<int>(k), alpha, rhs + n0 * k, static_cast<int>(k),
                  x, incX, 1.0f, y, 1);
    else // rhs is [k x n]: its columns n0..n1, transposed, times x.
      cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(k),
                  static_cast<int>(n1 - n0), alpha, rhs + n0,
                  static_cast<int>(n), x, incX, 1.0f, y, 1);
  };
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  for (int64_t bi = 0; bi < batch; ++bi)
    for (int64_t i = 0; i < m; ++i)
      parallelRanges(blocks, kBlock * k, [&](int64_t begin, int64_t end) {
        run(bi, i, begin * kBlock, std::min(n, end * kBlock));
      });
}

/// oneDNN matmul primitives by shape, per thread: creating one takes tens
/// of microseconds, and a program calls the same few shapes every step.
class DnnlMatmuls {
public:
  /// False when oneDNN has no matmul for this layout (a batch of
  /// broadcast operands against a gapped output, say).
  /// `bias` (n values per row) and `addend` (like c) are optional: the
  /// matmul's bias and a binary-add post-op.
  bool run(float *c, const float *a, const float *b, int64_t batch, int64_t m,
           int64_t n, int64_t k, int64_t strideA, int64_t strideB,
           int64_t strideC, bool transA, bool transB,
           const float *bias = nullptr, const float *addend = nullptr,
           int64_t addendStride = 0, float alpha = 1.0f,
           bool accumulate = false) {
    Key key{batch,   m,      n,      k,
            strideA, strideB, strideC, transA,
            transB,  bias != nullptr, addend != nullptr,
            addend && addendStride == 0 && batch > 1, alpha, accumulate};
    auto it = cache.find(key);
    if (it == cache.end())
      it = cache.emplace(key, make(key)).first;
    Entry &e = it->second;
    // oneDNN 2.6 scales the bias along with the product: not what is asked.
    if (!e.supported || (bias && alpha != 1.0f))
      return false;
    dnnl::memory am(e.a, engine, const_cast<float *>(a));
    dnnl::memory bm(e.b, engine, const_cast<float *>(b));
    dnnl::memory cm(e.c, engine, c);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
    if (bias)
      args.emplace(DNNL_ARG_BIAS,
                   dnnl::memory(e.bias, engine, const_cast<float *>(bias)));
    if (addend)
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1,
                   dnnl::memory(e.addend, engine, const_cast<float *>(addend)));
    e.primitive.execute(stream, args);
    stream.wait();
    return true;
  }

private:
  using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                         int64_t, bool, bool, bool, bool, bool, float, bool>;
  struct Entry {
    dnnl::memory::desc a, b, c, bias, addend;
    dnnl::matmul primitive;
    bool supported = true;
  };

  Entry make(const Key &key) {
    auto [batch, m, n, k, strideA, strideB, strideC, transA, transB, hasBias,
          hasAddend, addendBroadcast, alpha, accumulate] = key;
    using dims = dnnl::memory::dims;
    auto f32 = dnnl::memory::data_type::f32;
    // A batch stride of 0 is a broadcast: oneDNN spells it as batch 1.
    int64_t batchA = strideA ? batch : 1, batchB = strideB ? batch : 1;
    strideA = strideA ? strideA : m * k;
    strideB = strideB ? strideB : k * n;
    Entry e;
    if (batch == 1) {
      e.a = dnnl::memory::desc({m, k}, f32, transA ? dims{1, m} : dims{k, 1});
      e.b = dnnl::memory::desc({k, n}, f32, transB ? dims{1, k} : dims{n, 1});
      e.c = dnnl::memory::desc({m, n}, f32, dims{n, 1});
      e.bias = dnnl::memory::desc({1, n}, f32, dims{n, 1});
    } else {
      e.a = dnnl::memory::desc({batchA, m, k}, f32,
                               transA ? dims{strideA, 1, m}
                                      : dims{strideA, k, 1});
      e.b = dnnl::memory::desc({batchB, k, n}, f32,
                               transB ? dims{strideB, 1, k}
                                      : dims{strideB, n, 1});
      e.c = dnnl::memory::desc({batch, m, n}, f32, dims{strideC, n, 1});
      e.bias = dnnl::memory::desc({1, 1, n}, f32, dims{n, n, 1});
    }
    e.addend = addendBroadcast
                   ? dnnl::memory::desc({1, m, n}, f32, dims{m * n, n, 1})
                   : e.c;
    try {
      dnnl::primitive_attr attr;
      // The product's scale, applied before the bias and the post-op.
      if (alpha != 1.0f)
        attr.set_output_scales(0, {alpha});
      dnnl::post_ops ops;
      if (accumulate)
        ops.append_sum(1.0f); // dst += the scaled product
      if (hasAddend)
        ops.append_binary(dnnl::algorithm::binary_add, e.addend);
      attr.set_post_ops(ops);
      dnnl::matmul::primitive_desc pd(
          hasBias ? dnnl::matmul::desc(e.a, e.b, e.bias, e.c)
                  : dnnl::matmul::desc(e.a, e.b, e.c),
          attr, engine);
      // oneDNN answers some layouts and post-ops with its reference
      // implementation, 100x slower than a GEMM (a batched matmul with a
      // scale and a mask shared by the batch: 1 s against 10 ms,
      // measured): those are not used (floatMatmul tries another way).
      e.supported = std::string(pd.impl_info_str()).rfind("ref", 0) != 0;
      if (e.supported)
        e.primitive = dnnl::matmul(pd);
    } catch (const dnnl::error &) {
      e.supported = false;
    }
    return e;
  }

  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<Key, Entry> cache;
};

/// Rows from which oneDNN takes 2-D float matmuls (see the top).
constexpr int64_t kDnnlMinRows = 512;

/// c = bias (per row, or none) + addend (one m x n matrix per batch entry,
/// addendStride apart, or none), in parallel rows: what a GEMM with beta 1
/// then adds to.
template <typename T>
void prefill(T *c, const T *bias, const T *addend, int64_t addendStride,
             int64_t rows, int64_t m, int64_t n) {
  parallelFor(rows, n, [&](int64_t r) {
    T *__restrict__ row = c + r * n;
    const T *add =
        addend ? addend + (r / m) * addendStride + (r % m) * n : nullptr;
    // One plain loop per case, so that each vectorises.
    if (bias && add) {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j)
        row[j] = bias[j] + add[j];
    } else if (bias) {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j)
        row[j] = bias[j];
    } else {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j)
        row[j] = add[j];
    }
  });
}

void floatMatmul(float *c, const float *a, const float *b, int64_t batch,
                 int64_t m, int64_t n, int64_t k, int64_t strideA,
                 int64_t strideB, int64_t strideC, bool transA, bool transB,
                 const float *bias = nullptr, const float *addend = nullptr,
                 int64_t addendStride = 0, float alpha = 1.0f) {
  bool adds = bias || addend;
  if (!adds && trivial(c, batch, m, n, k, strideC))
    return;
  // A weight shared by the batch (stride 0) against a packed activation:
  // one GEMM with the batch folded into the rows.
  // (Not with an addend broadcast over the batch: its rows repeat.)
  if (batch > 1 && strideB == 0 && !transA && strideA == m * k &&
      strideC == m * n && !(addend && addendStride == 0)) {
    m *= batch;
    batch = 1;
    addendStride = 0;
  }
  bool prefilled = false;
  // A weight that never changes: multiplied from its packed copy, whose
  // kernel starts from the bias or the addend itself (no prefill pass).
  if (m > kGemvMaxRows && batch == 1 && alpha == 1.0f && !transA)
    if (const float *packed = packedCopy(b, n, k, transB)) {
      if (bias && addend)
        prefill(c, bias, addend, addendStride, m, m, n);
      const float *start = bias && addend ? c : bias ? bias : addend;
      const int64_t startStride = bias && !addend ? 0 : n;
      packedMatmul(c, a, packed, m, n, k, start, startStride);
      return;
    }
  try {
    thread_local DnnlMatmuls matmuls;
    if (k > 0 && (batch > 1 || m >= kDnnlMinRows)) {
      if (matmuls.run(c, a, b, batch, m, n, k, strideA, strideB, strideC,
                      transA, transB, bias, addend, addendStride, alpha))
        return;
      // Without a oneDNN kernel for the adds as bias and post-op: c
      // prefilled with them, and oneDNN's GEMM adding to it.
      if (adds) {
        prefill(c, bias, addend, addendStride, batch * m, m, n);
        prefilled = true;
        if (matmuls.run(c, a, b, batch, m, n, k, strideA, strideB, strideC,
                        transA, transB, nullptr, nullptr, 0, alpha,
                        /*accumulate=*/true))
          return;
      }
    }
  } catch (const dnnl::error &e) {
    std::fprintf(stderr,
                 "error: oneDNN matmul batch=%lld m=%lld n=%lld k=%lld: %s\n",
                 static_cast<long long>(batch), static_cast<long long>(m),
                 static_cast<long long>(n), static_cast<long long>(k),
                 e.what());
    std::exit(1);
  }
  if (adds && !prefilled)
    prefill(c, bias, addend, addendStride, batch * m, m, n);
  if (k > 0 && m <= kGemvMaxRows) {
    gemvMatmul(c, a, b, batch, m, n, k, strideA, strideB, strideC, transA,
               transB, adds, alpha);
    return;
  }
  blasMatmul(cblas_sgemm, c, a, b, batch, m, n, k, strideA, strideB, strideC,
             transA, transB, adds ? 1.0f : 0.0f, alpha);
}

template <typename T>
void loopMatmul(T *c, const T *a, const T *b, int64_t batch, int64_t m,
                int64_t n, int64_t k, int64_t strideA, int64_t strideB,
                int64_t strideC, bool transA, bool transB) {
  if (trivial(c, batch, m, n, k, strideC))
    return;
  for (int64_t bi = 0; bi < batch; ++bi) {
    const T *A = a + bi * strideA;
    const T *B = b + bi * strideB;
    T *C = c + bi * strideC;
    for (int64_t i = 0; i < m; ++i) {
      T *row = C + i * n;
      std::fill(row, row + n, T(0));
      for (int64_t p = 0; p < k; ++p) {
        T av = transA ? A[p * m + i] : A[i * k + p];
        for (int64_t j = 0; j < n; ++j)
          row[j] += av * (transB ? B[j * k + p] : B[p * n + j]);
      }
    }
  }
}

} // namespace

template <typename T>
void matmul(Context &, T *c, const T *a, const T *b, int64_t batch, int64_t m,
            int64_t n, int64_t k, int64_t strideA, int64_t strideB,
            int64_t strideC, bool transA, bool transB) {
  if constexpr (std::is_same_v<T, float>)
    floatMatmul(c, a, b, batch, m, n, k, strideA, strideB, strideC, transA,
                transB);
  else if constexpr (std::is_same_v<T, double>)
    blasMatmul(cblas_dgemm, c, a, b, batch, m, n, k, strideA, strideB, strideC,
               transA, transB);
  else
    loopMatmul(c, a, b, batch, m, n, k, strideA, strideB, strideC, transA,
               transB);
}

template <typename T>
void matmulAdd(Context &, T *c, const T *a, const T *b, float alpha,
               const T *bias, const T *addend, int64_t addendStride,
               int64_t batch, int64_t m, int64_t n, int64_t k, int64_t strideA,
               int64_t strideB, bool transA, bool transB) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  if constexpr (std::is_same_v<T, float>) {
    floatMatmul(c, a, b, batch, m, n, k, strideA, strideB, m * n, transA,
                transB, bias, addend, addendStride, alpha);
  } else {
    prefill(c, bias, addend, addendStride, batch * m, m, n);
    blasMatmul(cblas_dgemm, c, a, b, batch, m, n, k, strideA, strideB, m * n,
               transA, transB, 1.0, double(alpha));
  }
}

#define PPRT_INSTANTIATE(T)                                                    \
  template void matmul<T>(Context &, T *, const T *, const T *, int64_t,       \
                          int64_t, int64_t, int64_t, int64_t, int64_t,         \
                          int64_t, bool, bool);
template void matmulAdd<float>(Context &, float *, const float *, const float *,
                               float, const float *, const float *, int64_t,
                               int64_t, int64_t, int64_t, int64_t, int64_t,
                               int64_t, bool, bool);
template void matmulAdd<double>(Context &, double *, const double *,
                                const double *, float, const double *,
                                const double *, int64_t, int64_t, int64_t,
                                int64_t, int64_t, int64_t, int64_t, bool, bool);
PPRT_INSTANTIATE(float)
PPRT_INSTANTIATE(double)
PPRT_INSTANTIATE(int32_t)
PPRT_INSTANTIATE(int64_t)
#undef PPRT_INSTANTIATE

} // namespace pprt::cpu
