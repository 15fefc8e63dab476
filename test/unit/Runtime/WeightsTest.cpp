//===- WeightsTest.cpp - weight ranges, conversion and slices -------------===//
//
// Weights come from files the program did not write; every inconsistency
// between a WeightSpec and its file must be a message, never a wild read.
//
//===----------------------------------------------------------------------===//

#include "pprt/Weights.h"
#include "TempDir.h"
#include "pprt/Half.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace pprt;
using pprt::test::TempDir;

namespace {

/// A 16-byte junk prefix followed by a 4x5 f32 tensor with value 10*r + c.
std::string weightFile() {
  std::string bytes(16, 'x');
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) {
      float v = float(10 * r + c);
      bytes.append(reinterpret_cast<const char *>(&v), sizeof(v));
    }
  return bytes;
}

WeightSpec spec4x5() {
  WeightSpec s = {"w", "w.bin", 16, 80, DType::F32, DType::F32, 2, {4, 5}};
  return s;
}

TEST(Weights, LoadWholeTensor) {
  TempDir tmp;
  tmp.write("w.bin", weightFile());
  WeightFiles files(tmp.path());
  std::string error;
  const MappedFile *file = files.get("w.bin", error);
  ASSERT_TRUE(file) << error;
  EXPECT_EQ(file->size(), 96u);
  EXPECT_EQ(files.get("w.bin", error), file); // opened once
  float w[20];
  ASSERT_TRUE(loadWeight(spec4x5(), *file, w, error)) << error;
  EXPECT_EQ(w[0], 0.0f);
  EXPECT_EQ(w[7], 12.0f);
  EXPECT_EQ(w[19], 34.0f);
}

TEST(Weights, ConvertsFileDtype) {
  TempDir tmp;
  tmp.write("w.bin", weightFile());
  WeightFiles files(tmp.path());
  std::string error;
  const MappedFile *file = files.get("w.bin", error);
  ASSERT_TRUE(file) << error;

  WeightSpec toHalf = spec4x5();
  toHalf.dtype = DType::F16;
  uint16_t h[20];
  ASSERT_TRUE(loadWeight(toHalf, *file, h, error)) << error;
  EXPECT_EQ(halfToFloat(h[19]), 34.0f);

  WeightSpec toDouble = spec4x5();
  toDouble.dtype = DType::F64;
  double d[20];
  ASSERT_TRUE(loadWeight(toDouble, *file, d, error)) << error;
  EXPECT_EQ(d[13], 23.0);

  // An f16 file read as f32.
  std::string halves;
  for (float v : {1.0f, -2.0f, 0.5f}) {
    uint16_t bits = floatToHalf(v);
    halves.append(reinterpret_cast<const char *>(&bits), 2);
  }
  tmp.write("h.bin", halves);
  const MappedFile *hf = files.get("h.bin", error);
  ASSERT_TRUE(hf) << error;
  WeightSpec fromHalf = {"h", "h.bin", 0, 6, DType::F16, DType::F32, 1, {3}};
  float f[3];
  ASSERT_TRUE(loadWeight(fromHalf, *hf, f, error)) << error;
  EXPECT_EQ(f[1], -2.0f);
  EXPECT_EQ(f[2], 0.5f);
}

TEST(Weights, SliceRead) {
  TempDir tmp;
  tmp.write("w.bin", weightFile());
  WeightFiles files(tmp.path());
  std::string error;
  const MappedFile *file = files.get("w.bin", error);
  ASSERT_TRUE(file) << error;
  // Rows 1..2, columns 2..4: what a column-parallel shard reads.
  const int64_t starts[] = {1, 2}, sizes[] = {2, 3};
  float s[6];
  ASSERT_TRUE(loadWeightSlice(spec4x5(), *file, starts, sizes, s, error))
      << error;
  const float expect[] = {12, 13, 14, 22, 23, 24};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(s[i], expect[i]);

  // Converting while slicing, and a 3-d view of the same bytes [2,2,5].
  WeightSpec cube = spec4x5();
  cube.rank = 3;
  cube.shape[0] = 2;
  cube.shape[1] = 2;
  cube.shape[2] = 5;
  cube.dtype = DType::F64;
  const int64_t starts3[] = {1, 0, 3}, sizes3[] = {1, 2, 2};
  double c[4];
  ASSERT_TRUE(loadWeightSlice(cube, *file, starts3, sizes3, c, error)) << error;
  EXPECT_EQ(c[0], 23.0);
  EXPECT_EQ(c[1], 24.0);
  EXPECT_EQ(c[2], 33.0);
  EXPECT_EQ(c[3], 34.0);

  const int64_t badStarts[] = {3, 0}, badSizes[] = {2, 5};
  EXPECT_FALSE(
      loadWeightSlice(spec4x5(), *file, badStarts, badSizes, s, error));
  EXPECT_NE(error.find("outside shape [4,5]"), std::string::npos) << error;
}

TEST(Weights, RangeErrors) {
  TempDir tmp;
  tmp.write("w.bin", weightFile());
  WeightFiles files(tmp.path());
  std::string error;
  const MappedFile *file = files.get("w.bin", error);
  ASSERT_TRUE(file) << error;
  float w[20];

  WeightSpec pastEnd = spec4x5();
  pastEnd.offset = 17;
  EXPECT_FALSE(loadWeight(pastEnd, *file, w, error));
  EXPECT_NE(error.find("run past the end of the file (96 bytes)"),
            std::string::npos)
      << error;

  WeightSpec overflow = spec4x5();
  overflow.offset = ~uint64_t(0) - 10;
  EXPECT_FALSE(loadWeight(overflow, *file, w, error));
  EXPECT_NE(error.find("past the end"), std::string::npos) << error;

  WeightSpec wrongLength = spec4x5();
  wrongLength.length = 76;
  EXPECT_FALSE(loadWeight(wrongLength, *file, w, error));
  EXPECT_NE(error.find("does not match shape [4,5] of f32 (80 bytes)"),
            std::string::npos)
      << error;

  WeightSpec wrongType = spec4x5();
  wrongType.fileDtype = DType::F64;
  EXPECT_FALSE(loadWeight(wrongType, *file, w, error));
  EXPECT_NE(error.find("160 bytes"), std::string::npos) << error;

  EXPECT_EQ(files.get("absent.bin", error), nullptr);
  EXPECT_NE(error.find("absent.bin: cannot open"), std::string::npos) << error;
}

} // namespace
