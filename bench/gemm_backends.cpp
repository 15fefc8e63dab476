// GEMM libraries on the shapes of issue 15's models: OpenBLAS (whichever
// build the link names) against oneDNN's matmul, same threads, one binary
// per OpenBLAS build (bench/gemm_backends.sh builds and runs them).
//
// Each shape is timed as the compiled program calls it: row-major,
// C = A * B, B transposed where the model's weight is [out, in].
// The checksum difference guards against comparing different results.

#include <cblas.h>
#include <dnnl.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  std::printf("threads %d, OpenBLAS %s\n", threads, openblas_get_config());
  std::printf("%-18s %10s %10s %8s %10s\n", "shape", "openblas", "onednn",
              "ratio", "max|diff|");
  for (const Shape &s : shapes) {
    std::vector<float> a(size_t(s.batch) * s.m * s.k),
        b(size_t(s.batch) * s.k * s.n), c1(size_t(s.batch) * s.m * s.n),
        c2(c1.size());
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = std::sin(0.37f * float(i % 9973));
    for (size_t i = 0; i < b.size(); ++i)
      b[i] = std::cos(0.11f * float(i % 7919));
    double tBlas = timeIt(
        [&] {
          for (int i = 0; i < s.batch; ++i)
            cblas_sgemm(CblasRowMajor, CblasNoTrans,
                        s.transB ? CblasTrans : CblasNoTrans, s.m, s.n, s.k,
                        1.f, a.data() + size_t(i) * s.m * s.k, s.k,
                        b.data() + size_t(i) * s.k * s.n, s.transB ? s.k : s.n,
                        0.f, c1.data() + size_t(i) * s.m * s.n, s.n);
        },
        repeat);
    using tag = dnnl::memory::format_tag;
    using dt = dnnl::memory::data_type;
    dnnl::memory::desc ad({s.batch, s.m, s.k}, dt::f32, tag::abc);
    dnnl::memory::desc bd({s.batch, s.k, s.n}, dt::f32,
                          s.transB ? tag::acb : tag::abc);
    dnnl::memory::desc cd({s.batch, s.m, s.n}, dt::f32, tag::abc);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad, bd, cd), eng);
    dnnl::matmul mm(pd);
    dnnl::memory am(ad, eng, a.data()), bm(bd, eng, b.data()),
        cm(cd, eng, c2.data());
    double tDnnl = timeIt(
        [&] {
          mm.execute(strm, {{DNNL_ARG_SRC, am},
                            {DNNL_ARG_WEIGHTS, bm},
                            {DNNL_ARG_DST, cm}});
          strm.wait();
        },
        repeat);
    double diff = 0;
    for (size_t i = 0; i < c1.size(); ++i)
      diff = std::fmax(diff, std::fabs(c1[i] - c2[i]));
    std::printf("%-18s %8.3fms %8.3fms %8.2f %10.2e\n", s.what, tBlas * 1e3,
                tDnnl * 1e3, tBlas / tDnnl, diff);
  }
}
