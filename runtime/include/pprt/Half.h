//===- Half.h - host f16 and bf16 conversion --------------------*- C++ -*-===//
//
// Bit-level conversions for reading and writing 16-bit floats on the host
// (weights, .npy files, outputs). Narrowing rounds to nearest, ties to even;
// overflow gives inf and NaN stays a quiet NaN of the same sign.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_HALF_H
#define PPRT_HALF_H

#include <cstdint>

namespace pprt {

uint16_t floatToHalf(float value);
float halfToFloat(uint16_t bits);
uint16_t floatToBF16(float value);
float bf16ToFloat(uint16_t bits);

} // namespace pprt

#endif // PPRT_HALF_H
