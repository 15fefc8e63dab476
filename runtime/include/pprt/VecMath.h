//===- VecMath.h - exp, tanh and erf that vectorise -------------*- C++ -*-===//
//
// libm's expf, tanhf and erff are scalar calls with branches, so a loop that
// calls them runs one element at a time. These are branch-free float
// versions (selects, not ifs) that GCC and clang vectorise inside
// `#pragma omp simd` loops. The cpu kernels and the generated cpu code use
// them; double keeps libm.
//
// Error bounds, asserted by test/unit/Runtime/VecMathTest.cpp against
// double-precision libm over a sweep of 7 million float inputs (measured
// maxima in brackets):
//   vexpf   relative error <= 1.5e-7 [8.0e-8] for normal results;
//           subnormal results within 2^-148 absolute
//   vtanhf  relative error <= 2e-7 [1.3e-7]
//   verff   relative error <= 2.5e-7 [1.9e-7], absolute <= 2e-7 [1.3e-7]
// (float's own rounding is 6e-8 relative).
// Special values follow libm: exp(+inf) = +inf, exp(-inf) = 0, tanh(+-inf)
// = +-1, erf(+-inf) = +-1, and NaN in gives NaN out.
//
// The constants are the classical minimax and Chebyshev fits (Cody-Waite
// reduction with a degree-6 polynomial for exp, an odd degree-11 polynomial
// for tanh near zero, the Taylor series of erf near zero and Press et al.'s
// erfc fit elsewhere).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_VECMATH_H
#define PPRT_VECMATH_H

#include <cstdint>
#include <cstring>
#include <limits>

namespace pprt {

/// 2^n for an integer-valued float n in [-126, 127], built from its bits.
inline float vexp2iInRange(float n) {
  int32_t bits = (int32_t(n) + 127) << 23;
  float r;
  std::memcpy(&r, &bits, sizeof r);
  return r;
}

/// x rounded to an integer (to even at halves), for |x| < 2^22: adding and
/// subtracting 1.5 * 2^23 leaves no fraction bits. Unlike floorf it needs no
/// SSE4.1 to vectorise. (Only valid without -ffast-math, which would fold
/// the two additions away.)
inline float roundToInteger(float x) {
  constexpr float kMagic = 12582912.0f;
  return (x + kMagic) - kMagic;
}

inline float vexpf(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  // ln 2 split so that n * kLn2Hi is exact for |n| < 2^11.
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kLn2Lo = -2.12194440e-4f;
  // Clamped so that the polynomial and the scaling see finite values; the
  // selects below put the true answer back at the ends.
  float xc = x > 88.8f ? 88.8f : (x < -104.0f ? -104.0f : x);
  xc = x != x ? 0.0f : xc; // NaN: no float-to-int conversion of it
  float n = roundToInteger(xc * kLog2e);
  float r = xc - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float r2 = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  // 2^n as two factors, each a normal float, so that results down to the
  // subnormals come out right.
  float half = roundToInteger(n * 0.5f);
  float result = p * vexp2iInRange(half) * vexp2iInRange(n - half);
  result = x > 88.72283935546875f ? std::numeric_limits<float>::infinity()
                                  : result;
  result = x < -103.97208404541015625f ? 0.0f : result;
  return x != x ? x : result;
}

inline float vtanhf(float x) {
  float ax = x < 0 ? -x : x;
  // Near zero: x + x^3 P(x^2).
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  float small = p * z * x + x;
  // Elsewhere: 1 - 2 / (e^{2|x|} + 1), with the sign put back.
  float big = 1.0f - 2.0f / (vexpf(2.0f * ax) + 1.0f);
  big = x < 0 ? -big : big;
  float result = ax < 0.625f ? small : big;
  return x != x ? x : result;
}

inline float verff(float x) {
  float ax = x < 0 ? -x : x;
  // |x| < 0.75: the Taylor series, whose next term is below 2e-8 relative.
  float z = x * x;
  float s = 1.0f / 685440.0f;
  s = s * z - 1.0f / 75600.0f;
  s = s * z + 1.0f / 9360.0f;
  s = s * z - 1.0f / 1320.0f;
  s = s * z + 1.0f / 216.0f;
  s = s * z - 1.0f / 42.0f;
  s = s * z + 1.0f / 10.0f;
  s = s * z - 1.0f / 3.0f;
  s = s * z + 1.0f;
  float small = 1.1283791670955126f * x * s;
  // Elsewhere: 1 - erfc(|x|), erfc from Press et al.'s fit (fractional
  // error below 1.2e-7).
  float t = 1.0f / (1.0f + 0.5f * ax);
  float q = 0.17087277f;
  q = q * t - 0.82215223f;
  q = q * t + 1.48851587f;
  q = q * t - 1.13520398f;
  q = q * t + 0.27886807f;
  q = q * t - 0.18628806f;
  q = q * t + 0.09678418f;
  q = q * t + 0.37409196f;
  q = q * t + 1.00002368f;
  q = q * t - 1.26551223f;
  float big = 1.0f - t * vexpf(q - ax * ax);
  big = x < 0 ? -big : big;
  float result = ax < 0.75f ? small : big;
  return x != x ? x : result;
}

} // namespace pprt

#endif // PPRT_VECMATH_H
