//===- Half.cpp - host f16 and bf16 conversion ----------------------------===//
//
// Written on the bit patterns so that rounding is exactly IEEE
// round-to-nearest-even, independent of the host's F16C support or compiler
// flags.
//
//===----------------------------------------------------------------------===//

#include "pprt/Half.h"

#include <cmath>
#include <cstring>

namespace pprt {

namespace {
uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}
float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}
// Rounds `value >> shift` to nearest, ties to even.
uint32_t shiftRoundEven(uint32_t value, uint32_t shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1)))
    ++kept;
  return kept;
}
} // namespace

uint16_t floatToHalf(float value) {
  uint32_t x = bitsOf(value);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t mag = x & 0x7fffffff;
  if (mag >= 0x7f800000) {
    if (mag == 0x7f800000)
      return sign | 0x7c00;
    // Quiet NaN, keeping the top payload bits.
    return sign | 0x7e00 | ((mag >> 13) & 0x3ff);
  }
  // 65520 and above round to inf (65504 is the largest half).
  if (mag >= 0x477ff000)
    return sign | 0x7c00;
  // Normal half: rebias the exponent (127 -> 15) and round 13 bits away. A
  // carry out of the mantissa correctly bumps the exponent.
  if (mag >= 0x38800000)
    return sign | shiftRoundEven(mag - 0x38000000, 13);
  // Below 2^-25 everything rounds to zero (2^-25 itself ties to even 0).
  if (mag < 0x33000000)
    return sign;
  // Subnormal half: units of 2^-24. The float is m * 2^(e - 150) with the
  // implicit bit in m, so the count of units is m >> (126 - e); rounding up
  // to 0x400 gives the smallest normal, which is the right encoding.
  uint32_t e = mag >> 23;
  uint32_t m = (mag & 0x7fffff) | 0x800000;
  return sign | shiftRoundEven(m, 126 - e);
}

float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exp = (bits >> 10) & 0x1f;
  uint32_t mant = bits & 0x3ff;
  if (exp == 0x1f)
    return floatOf(sign | 0x7f800000 | (mant << 13));
  if (exp == 0) {
    float f = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -f : f;
  }
  return floatOf(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t floatToBF16(float value) {
  uint32_t x = bitsOf(value);
  if ((x & 0x7fffffff) > 0x7f800000)
    return static_cast<uint16_t>((x >> 16) | 0x0040);
  // Round the low 16 bits away, ties to even; inf stays inf and the largest
  // floats overflow to inf, as IEEE rounding says.
  return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

float bf16ToFloat(uint16_t bits) {
  return floatOf(static_cast<uint32_t>(bits) << 16);
}

} // namespace pprt
