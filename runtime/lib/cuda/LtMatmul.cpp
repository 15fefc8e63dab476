//===- LtMatmul.cpp - matmulAdd as one cuBLASLt call ----------------------===//
//
// cuBLASLt is column-major, as cuBLAS: row-major c = op(a) op(b) is the
// column-major n x m product op(b)^T op(a)^T, so b is cuBLASLt's A, a its B,
// and the bias (n values per row of c) is a vector along the rows of its D,
// which is what the BIAS epilogue adds.
//
//===----------------------------------------------------------------------===//

#include "LtMatmul.h"

#include "BlasHandles.h"
#include "pprt/CudaCheck.h"

#include <cublasLt.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pprt::cuda {

struct LtPlan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t layoutA = nullptr, layoutB = nullptr,
                         layoutC = nullptr, layoutD = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool usable = false;

  ~LtPlan() {
    for (cublasLtMatrixLayout_t l : {layoutA, layoutB, layoutC, layoutD})
      if (l)
        cublasLtMatrixLayoutDestroy(l);
    if (desc)
      cublasLtMatmulDescDestroy(desc);
  }
};

LtPlanCache::LtPlanCache() = default;
LtPlanCache::~LtPlanCache() = default;

namespace {

bool ltEnabled() {
  static const bool enabled = [] {
    const char *v = std::getenv("PPRT_CUBLASLT");
    return !(v && std::strcmp(v, "0") == 0);
  }();
  return enabled;
}

/// The largest power of two (at most 256, cuBLASLt's default assumption)
/// that divides the address.
uint32_t alignmentOf(const void *p) {
  auto address = reinterpret_cast<uintptr_t>(p);
  uint32_t align = 256;
  while (align > 1 && address % align)
    align /= 2;
  return align;
}

/// A column-major rows x cols layout with leading dimension ld, repeated
/// `batch` times `stride` elements apart.
cublasLtMatrixLayout_t makeLayout(cudaDataType_t type, int64_t rows,
                                  int64_t cols, int64_t ld, int64_t batch,
                                  int64_t stride) {
  cublasLtMatrixLayout_t layout = nullptr;
  PPRT_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&layout, type, rows, cols, ld));
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    PPRT_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
        layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)));
    PPRT_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(
        layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
        sizeof(stride)));
  }
  return layout;
}

template <typename V>
void setDesc(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr,
             const V &value) {
  PPRT_CUBLAS_CHECK(
      cublasLtMatmulDescSetAttribute(desc, attr, &value, sizeof(value)));
}

template <typename V>
void setPreference(cublasLtMatmulPreference_t pref,
                   cublasLtMatmulPreferenceAttributes_t attr, const V &value) {
  PPRT_CUBLAS_CHECK(
      cublasLtMatmulPreferenceSetAttribute(pref, attr, &value, sizeof(value)));
}

LtPlanCache::Key planKey(const LtGemm &g) {
  unsigned flags = g.transA | g.transB << 1 | (g.bias != nullptr) << 2 |
                   (g.addend != nullptr) << 3;
  return {int(g.type), g.batch, g.m, g.n, g.k, g.strideA, g.strideB, flags,
          alignmentOf(g.a), alignmentOf(g.b), alignmentOf(g.c),
          alignmentOf(g.addend ? g.addend : g.c), alignmentOf(g.bias)};
}

/// Descriptors for `g` and the heuristic's first algorithm; `usable` is
/// false when it has none.
std::unique_ptr<LtPlan> makePlan(BlasHandles &handles, const LtGemm &g) {
  auto plan = std::make_unique<LtPlan>();
  PPRT_CUBLAS_CHECK(
      cublasLtMatmulDescCreate(&plan->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  setDesc(plan->desc, CUBLASLT_MATMUL_DESC_TRANSA,
          g.transB ? CUBLAS_OP_T : CUBLAS_OP_N);
  setDesc(plan->desc, CUBLASLT_MATMUL_DESC_TRANSB,
          g.transA ? CUBLAS_OP_T : CUBLAS_OP_N);
  setDesc(plan->desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
          g.bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT);
  // The heuristic reads the bias pointer's alignment, not its data.
  if (g.bias)
    setDesc(plan->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, g.bias);

  // Stored shapes (column-major view) of b, a and c.
  plan->layoutA = g.transB
                      ? makeLayout(g.type, g.k, g.n, g.k, g.batch, g.strideB)
                      : makeLayout(g.type, g.n, g.k, g.n, g.batch, g.strideB);
  plan->layoutB = g.transA
                      ? makeLayout(g.type, g.m, g.k, g.m, g.batch, g.strideA)
                      : makeLayout(g.type, g.k, g.m, g.k, g.batch, g.strideA);
  plan->layoutC = makeLayout(g.type, g.n, g.m, g.n, g.batch, g.m * g.n);
  plan->layoutD = makeLayout(g.type, g.n, g.m, g.n, g.batch, g.m * g.n);

  cublasLtMatmulPreference_t pref = nullptr;
  PPRT_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  setPreference(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                uint64_t(handles.workspaceBytes));
  setPreference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
                alignmentOf(g.b));
  setPreference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                alignmentOf(g.a));
  setPreference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES,
                alignmentOf(g.addend ? g.addend : g.c));
  setPreference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES,
                alignmentOf(g.c));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(
      handles.lt, plan->desc, plan->layoutA, plan->layoutB, plan->layoutC,
      plan->layoutD, pref, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  if (status == CUBLAS_STATUS_SUCCESS && found > 0 &&
      result.state == CUBLAS_STATUS_SUCCESS &&
      result.workspaceSize <= handles.workspaceBytes) {
    plan->algo = result.algo;
    plan->usable = true;
  }
  return plan;
}

} // namespace

bool ltMatmulAdd(Context &ctx, const LtGemm &g) {
  if (!ltEnabled() || g.k <= 0 ||
      (g.batch > 1 && (g.strideA == 0 || g.strideB == 0)))
    return false;
  BlasHandles &handles = blasOf(ctx);
  std::unique_ptr<LtPlan> &plan = handles.plans->plans[planKey(g)];
  if (!plan)
    plan = makePlan(handles, g);
  if (!plan->usable)
    return false;
  if (g.bias)
    setDesc(plan->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, g.bias);
  float beta = g.addend ? 1.0f : 0.0f;
  cublasStatus_t status = cublasLtMatmul(
      handles.lt, plan->desc, &g.alpha, g.b, plan->layoutA, g.a, plan->layoutB,
      &beta, g.addend ? g.addend : g.c, plan->layoutC, g.c, plan->layoutD,
      &plan->algo, handles.workspace, handles.workspaceBytes,
      static_cast<cudaStream_t>(ctx.stream));
  if (status == CUBLAS_STATUS_SUCCESS)
    return true;
  // Rejected before launching: say so once, and use the fallback from now.
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true))
    std::fprintf(stderr,
                 "warning: cublasLtMatmul failed (%s); matmulAdd falls back "
                 "to cuBLAS for this shape\n",
                 cublasGetStatusString(status));
  plan->usable = false;
  return false;
}

} // namespace pprt::cuda
