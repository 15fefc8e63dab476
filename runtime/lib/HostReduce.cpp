//===- HostReduce.cpp - reducing ranks' contributions on the host ---------===//

#include "pprt/HostReduce.h"
#include "pprt/Half.h"

#include <algorithm>

namespace pprt {

namespace {

/// Element access for a storage type S accumulated as A.
template <typename S, typename A> struct Plain {
  static A load(const void *p, int64_t i) {
    return static_cast<A>(static_cast<const S *>(p)[i]);
  }
  static void store(void *p, int64_t i, A v) {
    static_cast<S *>(p)[i] = static_cast<S>(v);
  }
};

struct Half16 {
  static float load(const void *p, int64_t i) {
    return halfToFloat(static_cast<const uint16_t *>(p)[i]);
  }
  static void store(void *p, int64_t i, float v) {
    static_cast<uint16_t *>(p)[i] = floatToHalf(v);
  }
};

struct Brain16 {
  static float load(const void *p, int64_t i) {
    return bf16ToFloat(static_cast<const uint16_t *>(p)[i]);
  }
  static void store(void *p, int64_t i, float v) {
    static_cast<uint16_t *>(p)[i] = floatToBF16(v);
  }
};

struct Boolean {
  static int64_t load(const void *p, int64_t i) {
    return static_cast<const uint8_t *>(p)[i] != 0;
  }
  static void store(void *p, int64_t i, int64_t v) {
    static_cast<uint8_t *>(p)[i] = v != 0;
  }
};

template <typename Access, typename A>
void reduceWith(void *dst, const void *const *parts, int n, int64_t count,
                CollectiveOp op, bool isBool) {
  // Element by element: `dst` may alias a part, and each element is read
  // from every part before it is written.
  for (int64_t i = 0; i < count; ++i) {
    A acc = Access::load(parts[0], i);
    for (int j = 1; j < n; ++j) {
      A v = Access::load(parts[j], i);
      switch (op) {
      case CollectiveOp::Sum:
      case CollectiveOp::Avg:
        acc = isBool ? A(acc || v) : A(acc + v);
        break;
      case CollectiveOp::Max:
        acc = std::max(acc, v);
        break;
      case CollectiveOp::Min:
        acc = std::min(acc, v);
        break;
      }
    }
    if (op == CollectiveOp::Avg && !isBool)
      acc = static_cast<A>(acc / static_cast<A>(n));
    Access::store(dst, i, acc);
  }
}

} // namespace

void reduceHost(void *dst, const void *const *parts, int n, int64_t count,
                DType dtype, CollectiveOp op) {
  if (n <= 0 || count <= 0)
    return;
  switch (dtype) {
  case DType::F32:
    return reduceWith<Plain<float, float>, float>(dst, parts, n, count, op,
                                                  false);
  case DType::F64:
    return reduceWith<Plain<double, double>, double>(dst, parts, n, count, op,
                                                     false);
  case DType::F16:
    return reduceWith<Half16, float>(dst, parts, n, count, op, false);
  case DType::BF16:
    return reduceWith<Brain16, float>(dst, parts, n, count, op, false);
  case DType::I8:
    return reduceWith<Plain<int8_t, int64_t>, int64_t>(dst, parts, n, count, op,
                                                       false);
  case DType::U8:
    return reduceWith<Plain<uint8_t, int64_t>, int64_t>(dst, parts, n, count,
                                                        op, false);
  case DType::I32:
    return reduceWith<Plain<int32_t, int64_t>, int64_t>(dst, parts, n, count,
                                                        op, false);
  case DType::I64:
    return reduceWith<Plain<int64_t, int64_t>, int64_t>(dst, parts, n, count,
                                                        op, false);
  case DType::I16:
    return reduceWith<Plain<int16_t, int64_t>, int64_t>(dst, parts, n, count,
                                                        op, false);
  case DType::U16:
    return reduceWith<Plain<uint16_t, int64_t>, int64_t>(dst, parts, n, count,
                                                         op, false);
  case DType::U32:
    return reduceWith<Plain<uint32_t, int64_t>, int64_t>(dst, parts, n, count,
                                                         op, false);
  case DType::U64:
    return reduceWith<Plain<uint64_t, uint64_t>, uint64_t>(dst, parts, n,
                                                           count, op, false);
  case DType::Bool:
    return reduceWith<Boolean, int64_t>(dst, parts, n, count, op, true);
  }
}

} // namespace pprt
