//===- DTypeTest.cpp - f16/bf16 conversion and dtype helpers --------------===//
//
// Rounding is checked on the exact ties that distinguish round-to-nearest-
// even from round-half-up, and every 16-bit pattern is round-tripped.
//
//===----------------------------------------------------------------------===//

#include "pprt/DType.h"
#include "pprt/Half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace pprt;

namespace {

float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}
uint32_t toBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

TEST(Half, ExactValues) {
  EXPECT_EQ(floatToHalf(0.0f), 0x0000);
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001); // smallest subnormal
}

TEST(Half, RoundsToNearestEven) {
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even 1.
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  // 1 + 3 * 2^-11 lies halfway between mantissas 1 and 2: goes to 2.
  EXPECT_EQ(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  // Just above the tie rounds up.
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            0x3c01);
  // Subnormal ties: 2^-25 -> 0, 3 * 2^-25 -> 2 units, 1.5 * 2^-25 -> 1 unit.
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(floatToHalf(3 * std::ldexp(1.0f, -25)), 0x0002);
  EXPECT_EQ(floatToHalf(1.5f * std::ldexp(1.0f, -25)), 0x0001);
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -30)), 0x0000);
  // Rounding up out of the subnormals gives the smallest normal.
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -25)), 0x0400);
}

TEST(Half, OverflowInfNan) {
  EXPECT_EQ(floatToHalf(65519.0f), 0x7bff); // below the tie: stays finite
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00); // the tie rounds to inf
  EXPECT_EQ(floatToHalf(1e10f), 0x7c00);
  EXPECT_EQ(floatToHalf(-1e10f), 0xfc00);
  EXPECT_EQ(floatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(floatToHalf(-INFINITY), 0xfc00);
  uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  // A NaN whose payload is only in low bits must not become inf.
  uint16_t lowNan = floatToHalf(fromBits(0x7f800001));
  EXPECT_TRUE(std::isnan(halfToFloat(lowNan)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_EQ(halfToFloat(0x7c00), INFINITY);
  EXPECT_EQ(halfToFloat(0xfc00), -INFINITY);
}

TEST(Half, EveryPatternRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f))
      continue;
    ASSERT_EQ(floatToHalf(f), h) << "pattern " << h;
  }
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
}

TEST(BF16, RoundsToNearestEven) {
  EXPECT_EQ(floatToBF16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBF16(fromBits(0x3f808000)), 0x3f80); // tie -> even
  EXPECT_EQ(floatToBF16(fromBits(0x3f818000)), 0x3f82); // tie -> even
  EXPECT_EQ(floatToBF16(fromBits(0x3f808001)), 0x3f81); // above the tie
  EXPECT_EQ(floatToBF16(fromBits(0x3f807fff)), 0x3f80); // below the tie
  EXPECT_EQ(floatToBF16(-0.0f), 0x8000);
}

TEST(BF16, OverflowInfNan) {
  EXPECT_EQ(floatToBF16(INFINITY), 0x7f80);
  EXPECT_EQ(floatToBF16(-INFINITY), 0xff80);
  EXPECT_EQ(floatToBF16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBF16(fromBits(0x7f800001)))));
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBF16(fromBits(0xffc00000)))));
  EXPECT_EQ(toBits(bf16ToFloat(0x3f80)), 0x3f800000u);
}

TEST(BF16, EveryPatternRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = bf16ToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f))
      continue;
    ASSERT_EQ(floatToBF16(f), h) << "pattern " << h;
  }
}

TEST(DType, SizesAndNames) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(dtypeSize(DType::Bool), 1u);
  EXPECT_STREQ(dtypeName(DType::F16), "f16");
  EXPECT_STREQ(dtypeName(DType::I32), "i32");
  EXPECT_TRUE(isKnownDType(16));
  EXPECT_FALSE(isKnownDType(8)); // string
  EXPECT_TRUE(isFloatDType(DType::BF16));
  EXPECT_FALSE(isFloatDType(DType::I64));
  int64_t shape[] = {2, 3, 4};
  EXPECT_EQ(numElements(shape, 3), 24);
  EXPECT_EQ(numElements(shape, 0), 1);
}

TEST(DType, ConvertElements) {
  const double in[] = {1.5, -2.75, 0.0, 1e30, -1e30, NAN};
  float f[6];
  convertElements(f, DType::F32, in, DType::F64, 6);
  EXPECT_EQ(f[0], 1.5f);
  EXPECT_EQ(f[1], -2.75f);
  EXPECT_TRUE(std::isnan(f[5]));

  int32_t i[6];
  convertElements(i, DType::I32, in, DType::F64, 6);
  EXPECT_EQ(i[0], 1); // truncates
  EXPECT_EQ(i[1], -2);
  EXPECT_EQ(i[3], INT32_MAX); // saturates
  EXPECT_EQ(i[4], INT32_MIN);
  EXPECT_EQ(i[5], 0); // NaN

  uint8_t b[6];
  convertElements(b, DType::Bool, in, DType::F64, 6);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[2], 0);

  const int64_t big[] = {int64_t(1) << 40, -7};
  int64_t back[2];
  int32_t narrow[2];
  convertElements(narrow, DType::I32, big, DType::I64, 2);
  EXPECT_EQ(narrow[1], -7);
  convertElements(back, DType::I64, narrow, DType::I32, 2);
  EXPECT_EQ(back[1], -7);

  uint16_t h[2];
  const float two[] = {1.0f, -0.5f};
  convertElements(h, DType::F16, two, DType::F32, 2);
  EXPECT_EQ(h[0], 0x3c00);
  EXPECT_EQ(h[1], 0xb800);
  uint16_t bf[2];
  convertElements(bf, DType::BF16, h, DType::F16, 2);
  EXPECT_EQ(bf[0], 0x3f80);
  EXPECT_EQ(bf[1], 0xbf00);
}

} // namespace
