// GEMM libraries on the shapes of issue 15's models: OpenBLAS (its OpenMP
// build, as the runtime links it) against oneDNN's matmul, same threads, one
// run (bench/gemm_backends.sh builds and runs it).
//
// Each shape is timed as the compiled program calls it: row-major,
// C = A * B, B transposed where the model's weight is [out, in]; batched
// shapes as one oneDNN primitive against one sgemm per batch entry. Buffers
// are 64-byte aligned like the runtime's, and each shape is timed again
// with its operands 16 bytes off that (oneDNN's speed depends on it). The
// max difference guards against comparing different results.

#include <cblas.h>
#include <dnnl.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace {

struct Shape {
  const char *what;
  int batch, m, n, k;
  bool transB;
};

double seconds(const std::chrono::steady_clock::time_point &t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

template <typename F> double timeIt(F &&f, int repeat) {
  f(); // warm-up
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeat; ++i)
    f();
  return seconds(t0) / repeat;
}

/// `count` floats at `offset` bytes past a 64-byte boundary.
struct Buffer {
  Buffer(size_t count, size_t offset)
      : base(static_cast<char *>(std::aligned_alloc(64, count * 4 + 64))) {
    data = reinterpret_cast<float *>(base.get() + offset);
  }
  struct Free {
    void operator()(char *p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> base;
  float *data;
};

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int repeat = argc > 2 ? std::atoi(argv[2]) : 20;
  openblas_set_num_threads(threads);
  const Shape shapes[] = {
      {"gpt b8 qkv", 1, 1024, 2304, 768, false},
      {"gpt b8 mlp up", 1, 1024, 3072, 768, false},
      {"gpt b8 mlp down", 1, 1024, 768, 3072, false},
      {"gpt b8 lm head", 1, 1024, 8192, 768, true},
      {"gpt b8 scores", 96, 128, 128, 64, true},
      {"gpt b8 values", 96, 128, 64, 128, false},
      {"gpt b1 qkv", 1, 128, 2304, 768, false},
      {"gpt b1 mlp up", 1, 128, 3072, 768, false},
      {"gpt b1 mlp down", 1, 128, 768, 3072, false},
      {"gpt b1 lm head", 1, 128, 8192, 768, false},
      {"llama b4 up", 1, 512, 2816, 1024, false},
  };
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  std::printf("threads %d, %s\n", threads, openblas_get_config());
  std::printf("%-18s %7s %10s %10s %8s %10s\n", "shape", "offset", "openblas",
              "onednn", "ratio", "max|diff|");
  for (const Shape &s : shapes)
    for (size_t offset : {0, 16}) {
      size_t na = size_t(s.batch) * s.m * s.k, nb = size_t(s.batch) * s.k * s.n,
             nc = size_t(s.batch) * s.m * s.n;
      Buffer a(na, offset), b(nb, offset), c1(nc, offset), c2(nc, offset);
      for (size_t i = 0; i < na; ++i)
        a.data[i] = std::sin(0.37f * float(i % 9973));
      for (size_t i = 0; i < nb; ++i)
        b.data[i] = std::cos(0.11f * float(i % 7919));
      double tBlas = timeIt(
          [&] {
            for (int i = 0; i < s.batch; ++i)
              cblas_sgemm(CblasRowMajor, CblasNoTrans,
                          s.transB ? CblasTrans : CblasNoTrans, s.m, s.n, s.k,
                          1.f, a.data + size_t(i) * s.m * s.k, s.k,
                          b.data + size_t(i) * s.k * s.n,
                          s.transB ? s.k : s.n, 0.f,
                          c1.data + size_t(i) * s.m * s.n, s.n);
          },
          repeat);
      using tag = dnnl::memory::format_tag;
      using dt = dnnl::memory::data_type;
      dnnl::memory::desc ad, bd, cd;
      if (s.batch == 1) {
        ad = dnnl::memory::desc({s.m, s.k}, dt::f32, tag::ab);
        bd = dnnl::memory::desc({s.k, s.n}, dt::f32,
                                s.transB ? tag::ba : tag::ab);
        cd = dnnl::memory::desc({s.m, s.n}, dt::f32, tag::ab);
      } else {
        ad = dnnl::memory::desc({s.batch, s.m, s.k}, dt::f32, tag::abc);
        bd = dnnl::memory::desc({s.batch, s.k, s.n}, dt::f32,
                                s.transB ? tag::acb : tag::abc);
        cd = dnnl::memory::desc({s.batch, s.m, s.n}, dt::f32, tag::abc);
      }
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), eng);
      dnnl::matmul mm(pd);
      dnnl::memory am(ad, eng, a.data), bm(bd, eng, b.data),
          cm(cd, eng, c2.data);
      double tDnnl = timeIt(
          [&] {
            mm.execute(strm, {{DNNL_ARG_SRC, am},
                              {DNNL_ARG_WEIGHTS, bm},
                              {DNNL_ARG_DST, cm}});
            strm.wait();
          },
          repeat);
      double diff = 0;
      for (size_t i = 0; i < nc; ++i)
        diff = std::fmax(diff, std::fabs(c1.data[i] - c2.data[i]));
      std::printf("%-18s %7zu %8.3fms %8.3fms %8.2f %10.2e\n", s.what, offset,
                  tBlas * 1e3, tDnnl * 1e3, tBlas / tDnnl, diff);
    }
}
