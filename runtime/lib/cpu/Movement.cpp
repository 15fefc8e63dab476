//===- Movement.cpp - cpu data movement kernels ---------------------------===//
//
// copyStrided, gather and trilu work on raw bytes of any element size; the
// common sizes get typed inner loops so the compiler can vectorize them.
// scatterAdd, gather's adjoint, adds and so is typed.
//
//===----------------------------------------------------------------------===//

#include "ParallelFor.h"
#include "pprt/Kernels.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pprt::cpu {

namespace {

/// Copies `n` elements of `Size` bytes between strided rows (byte strides).
template <size_t Size>
void copyRow(char *dst, int64_t dstStride, const char *src, int64_t srcStride,
             int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(dst + i * dstStride, src + i * srcStride, Size);
}

void copyRowAny(char *dst, int64_t dstStride, const char *src,
                int64_t srcStride, int64_t n, size_t elemSize) {
  if (dstStride == static_cast<int64_t>(elemSize) && srcStride == dstStride) {
    std::memcpy(dst, src, n * elemSize);
    return;
  }
  switch (elemSize) {
  case 1:
    return copyRow<1>(dst, dstStride, src, srcStride, n);
  case 2:
    return copyRow<2>(dst, dstStride, src, srcStride, n);
  case 4:
    return copyRow<4>(dst, dstStride, src, srcStride, n);
  case 8:
    return copyRow<8>(dst, dstStride, src, srcStride, n);
  default:
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(dst + i * dstStride, src + i * srcStride, elemSize);
  }
}

[[noreturn]] void die(const char *message) {
  std::fprintf(stderr, "error: %s\n", message);
  std::exit(1);
}

/// Checks every index before anything is written; `what` names the op.
void checkIndices(const char *what, const int64_t *indices, int64_t numIndices,
                  int64_t axisDim) {
  for (int64_t j = 0; j < numIndices; ++j) {
    int64_t index = indices[j];
    if (index < -axisDim || index >= axisDim) {
      std::fprintf(stderr, "error: %s index %lld out of range [%lld, %lld)\n",
                   what, static_cast<long long>(index),
                   static_cast<long long>(index < 0 ? -axisDim : 0),
                   static_cast<long long>(axisDim));
      std::exit(1);
    }
  }
}

} // namespace

void copyStrided(Context &, void *dst, const int64_t *dstStrides,
                 const void *src, const int64_t *srcStrides,
                 const int64_t *shape, int rank, size_t elemSize) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  if (rank == 0) {
    std::memcpy(d, s, elemSize);
    return;
  }
  if (rank < 0 || rank > kMaxRank)
    die("copyStrided: rank out of range");
  for (int i = 0; i < rank; ++i)
    if (shape[i] <= 0)
      return;
  const int64_t es = static_cast<int64_t>(elemSize);
  int last = rank - 1;
  int64_t rows = 1;
  for (int i = 0; i < last; ++i)
    rows *= shape[i];
  // Each thread copies a range of rows, walking the outer dims like an
  // odometer from the range's first row.
  parallelRanges(rows, shape[last], [&](int64_t begin, int64_t end) {
    int64_t index[kMaxRank] = {};
    int64_t dOff = 0, sOff = 0;
    for (int64_t rest = begin, dim = last - 1; dim >= 0; --dim) {
      index[dim] = rest % shape[dim];
      rest /= shape[dim];
      dOff += index[dim] * dstStrides[dim] * es;
      sOff += index[dim] * srcStrides[dim] * es;
    }
    for (int64_t r = begin; r < end; ++r) {
      copyRowAny(d + dOff, dstStrides[last] * es, s + sOff,
                 srcStrides[last] * es, shape[last], elemSize);
      for (int dim = last - 1; dim >= 0; --dim) {
        dOff += dstStrides[dim] * es;
        sOff += srcStrides[dim] * es;
        if (++index[dim] < shape[dim])
          break;
        dOff -= dstStrides[dim] * es * shape[dim];
        sOff -= srcStrides[dim] * es * shape[dim];
        index[dim] = 0;
      }
    }
  });
}

void gather(Context &, void *dst, const void *data, const int64_t *indices,
            size_t elemSize, int64_t outer, int64_t axisDim, int64_t inner,
            int64_t numIndices) {
  checkIndices("gather", indices, numIndices, axisDim);
  size_t rowBytes = static_cast<size_t>(inner) * elemSize;
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(data);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < numIndices; ++j) {
      int64_t index = indices[j] < 0 ? indices[j] + axisDim : indices[j];
      std::memcpy(d + (o * numIndices + j) * rowBytes,
                  s + (o * axisDim + index) * rowBytes, rowBytes);
    }
}

template <typename T>
void scatterAdd(Context &, T *dst, const T *updates, const int64_t *indices,
                int64_t outer, int64_t axisDim, int64_t inner,
                int64_t numIndices) {
  checkIndices("scatter_add", indices, numIndices, axisDim);
  std::fill(dst, dst + outer * axisDim * inner, T(0));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < numIndices; ++j) {
      int64_t index = indices[j] < 0 ? indices[j] + axisDim : indices[j];
      T *d = dst + (o * axisDim + index) * inner;
      const T *u = updates + (o * numIndices + j) * inner;
      for (int64_t i = 0; i < inner; ++i)
        d[i] += u[i];
    }
}

template void scatterAdd<float>(Context &, float *, const float *,
                                const int64_t *, int64_t, int64_t, int64_t,
                                int64_t);
template void scatterAdd<double>(Context &, double *, const double *,
                                 const int64_t *, int64_t, int64_t, int64_t,
                                 int64_t);

void trilu(Context &, void *dst, const void *src, size_t elemSize,
           int64_t batch, int64_t rows, int64_t cols, int64_t k, bool upper) {
  char *d = static_cast<char *>(dst);
  const char *s = static_cast<const char *>(src);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < rows; ++i) {
      size_t row = static_cast<size_t>((b * rows + i) * cols) * elemSize;
      // Kept columns: j >= i + k (upper) or j <= i + k (lower).
      int64_t begin = upper ? std::clamp<int64_t>(i + k, 0, cols) : 0;
      int64_t end = upper ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
      if (end < begin)
        end = begin;
      std::memset(d + row, 0, begin * elemSize);
      if (d != s)
        std::memcpy(d + row + begin * elemSize, s + row + begin * elemSize,
                    (end - begin) * elemSize);
      std::memset(d + row + end * elemSize, 0, (cols - end) * elemSize);
    }
}

} // namespace pprt::cpu
