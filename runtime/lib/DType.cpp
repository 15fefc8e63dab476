//===- DType.cpp - element type queries and conversion --------------------===//
//
// Conversion dispatches once per array on the (source, destination) pair and
// then runs a typed loop, so converting a large weight is a tight loop, not a
// switch per element. Floats go through double and integers through int64_t,
// which is exact for every pair except f64 -> f16/bf16 (rounded via f32).
//
//===----------------------------------------------------------------------===//

#include "pprt/DType.h"
#include "pprt/Half.h"

#include <cstring>
#include <limits>
#include <type_traits>

namespace pprt {

size_t dtypeSize(DType type) {
  switch (type) {
  case DType::U8:
  case DType::I8:
  case DType::Bool:
    return 1;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
  case DType::U16:
    return 2;
  case DType::F32:
  case DType::I32:
  case DType::U32:
    return 4;
  case DType::I64:
  case DType::U64:
  case DType::F64:
    return 8;
  }
  return 0;
}

const char *dtypeName(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  case DType::U8:
    return "u8";
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "bool";
  case DType::F16:
    return "f16";
  case DType::F64:
    return "f64";
  case DType::BF16:
    return "bf16";
  case DType::I16:
    return "i16";
  case DType::U16:
    return "u16";
  case DType::U32:
    return "u32";
  case DType::U64:
    return "u64";
  }
  return "unknown";
}

bool isKnownDType(int32_t value) {
  switch (static_cast<DType>(value)) {
  case DType::F32:
  case DType::U8:
  case DType::I8:
  case DType::I32:
  case DType::I64:
  case DType::Bool:
  case DType::F16:
  case DType::F64:
  case DType::BF16:
  case DType::I16:
  case DType::U16:
  case DType::U32:
  case DType::U64:
    return true;
  }
  return false;
}

bool isFloatDType(DType type) {
  return type == DType::F16 || type == DType::BF16 || type == DType::F32 ||
         type == DType::F64;
}

int64_t numElements(const int64_t *shape, int rank) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d)
    n *= shape[d];
  return n;
}

namespace {

// Storage types for the 16-bit floats, distinct from uint16_t.
struct F16Bits {
  uint16_t bits;
};
struct BF16Bits {
  uint16_t bits;
};

// Widening: floats to double, integers to int64_t.
double widen(float v) { return v; }
double widen(double v) { return v; }
double widen(F16Bits v) { return halfToFloat(v.bits); }
double widen(BF16Bits v) { return bf16ToFloat(v.bits); }
int64_t widen(int8_t v) { return v; }
int64_t widen(uint8_t v) { return v; }
int64_t widen(int32_t v) { return v; }
int64_t widen(int64_t v) { return v; }
int64_t widen(int16_t v) { return v; }
int64_t widen(uint16_t v) { return v; }
int64_t widen(uint32_t v) { return v; }
// Values above INT64_MAX wrap; comparisons for equality still hold.
int64_t widen(uint64_t v) { return static_cast<int64_t>(v); }

// Bools are bytes holding 0 or 1; read as uint8_t, written through this.
struct BoolByte {
  uint8_t value;
};

template <typename T> struct Narrow {
  template <typename W> static T from(W v) {
    // Float to integer saturates (NaN gives 0) instead of being undefined.
    if constexpr (std::is_floating_point_v<W> && std::is_integral_v<T>) {
      if (v != v)
        return 0;
      if (v <= static_cast<W>(std::numeric_limits<T>::min()))
        return std::numeric_limits<T>::min();
      if (v >= static_cast<W>(std::numeric_limits<T>::max()))
        return std::numeric_limits<T>::max();
    }
    return static_cast<T>(v);
  }
};
template <> struct Narrow<BoolByte> {
  template <typename W> static BoolByte from(W v) { return {v != 0}; }
};
template <> struct Narrow<F16Bits> {
  template <typename W> static F16Bits from(W v) {
    return {floatToHalf(static_cast<float>(v))};
  }
};
template <> struct Narrow<BF16Bits> {
  template <typename W> static BF16Bits from(W v) {
    return {floatToBF16(static_cast<float>(v))};
  }
};

template <typename D, typename S>
void convertLoop(void *dst, const void *src, size_t count) {
  // memcpy in and out: the buffers may be unaligned (mmap'd file offsets).
  const char *s = static_cast<const char *>(src);
  char *d = static_cast<char *>(dst);
  for (size_t i = 0; i < count; ++i) {
    S in;
    std::memcpy(&in, s + i * sizeof(S), sizeof(S));
    D out = Narrow<D>::from(widen(in));
    std::memcpy(d + i * sizeof(D), &out, sizeof(D));
  }
}

template <typename S>
void convertFrom(void *dst, DType dstType, const void *src, size_t count) {
  switch (dstType) {
  case DType::F32:
    return convertLoop<float, S>(dst, src, count);
  case DType::F64:
    return convertLoop<double, S>(dst, src, count);
  case DType::F16:
    return convertLoop<F16Bits, S>(dst, src, count);
  case DType::BF16:
    return convertLoop<BF16Bits, S>(dst, src, count);
  case DType::I8:
    return convertLoop<int8_t, S>(dst, src, count);
  case DType::U8:
    return convertLoop<uint8_t, S>(dst, src, count);
  case DType::I32:
    return convertLoop<int32_t, S>(dst, src, count);
  case DType::I64:
    return convertLoop<int64_t, S>(dst, src, count);
  case DType::I16:
    return convertLoop<int16_t, S>(dst, src, count);
  case DType::U16:
    return convertLoop<uint16_t, S>(dst, src, count);
  case DType::U32:
    return convertLoop<uint32_t, S>(dst, src, count);
  case DType::U64:
    return convertLoop<uint64_t, S>(dst, src, count);
  case DType::Bool:
    return convertLoop<BoolByte, S>(dst, src, count);
  }
}

} // namespace

void convertElements(void *dst, DType dstType, const void *src, DType srcType,
                     size_t count) {
  if (dstType == srcType) {
    std::memmove(dst, src, count * dtypeSize(srcType));
    return;
  }
  switch (srcType) {
  case DType::F32:
    return convertFrom<float>(dst, dstType, src, count);
  case DType::F64:
    return convertFrom<double>(dst, dstType, src, count);
  case DType::F16:
    return convertFrom<F16Bits>(dst, dstType, src, count);
  case DType::BF16:
    return convertFrom<BF16Bits>(dst, dstType, src, count);
  case DType::I8:
    return convertFrom<int8_t>(dst, dstType, src, count);
  case DType::U8:
    return convertFrom<uint8_t>(dst, dstType, src, count);
  case DType::I32:
    return convertFrom<int32_t>(dst, dstType, src, count);
  case DType::I64:
    return convertFrom<int64_t>(dst, dstType, src, count);
  case DType::I16:
    return convertFrom<int16_t>(dst, dstType, src, count);
  case DType::U16:
    return convertFrom<uint16_t>(dst, dstType, src, count);
  case DType::U32:
    return convertFrom<uint32_t>(dst, dstType, src, count);
  case DType::U64:
    return convertFrom<uint64_t>(dst, dstType, src, count);
  case DType::Bool:
    return convertFrom<uint8_t>(dst, dstType, src, count);
  }
}

} // namespace pprt
