//===- NpyTest.cpp - .npy round trips and malformed files -----------------===//
//
// Round trips every supported dtype, reads files laid out byte for byte as
// NumPy writes them, and checks that each kind of bad file is a clear error.
//
//===----------------------------------------------------------------------===//

#include "pprt/Npy.h"
#include "TempDir.h"
#include "pprt/DType.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace pprt;
using pprt::test::TempDir;

namespace {

/// A .npy file with `header` as its dict (padded like NumPy) and `data`.
std::string npyBytes(const std::string &dict, const std::string &data,
                     int major = 1) {
  std::string header = dict;
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6);
  out += char(major);
  out += char(0);
  uint32_t len = header.size();
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  if (major != 1) {
    out += char((len >> 16) & 0xff);
    out += char((len >> 24) & 0xff);
  }
  return out + header + data;
}

std::string floatBytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values)
    s.append(reinterpret_cast<const char *>(&v), sizeof(v));
  return s;
}

TEST(Npy, RoundTripEveryDType) {
  TempDir tmp;
  const DType types[] = {DType::F32,  DType::F64, DType::I64, DType::I32,
                         DType::Bool, DType::U8,  DType::I8,  DType::F16};
  const int64_t shape[] = {2, 3};
  for (DType type : types) {
    std::vector<char> data(6 * dtypeSize(type));
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = char(i * 7 + 1);
    if (type == DType::Bool)
      for (size_t i = 0; i < data.size(); ++i)
        data[i] = char(i % 2);
    std::string path = tmp.file(std::string(dtypeName(type)) + ".npy");
    std::string error;
    ASSERT_TRUE(writeNpy(path, type, shape, 2, data.data(), error)) << error;
    HostArray back;
    ASSERT_TRUE(readNpy(path, back, error)) << error;
    EXPECT_EQ(back.dtype, type) << dtypeName(type);
    EXPECT_EQ(back.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(back.data, data) << dtypeName(type);
  }
}

TEST(Npy, ScalarsVectorsAndEmpty) {
  TempDir tmp;
  std::string error;
  HostArray back;
  float scalar = 2.5f;
  ASSERT_TRUE(
      writeNpy(tmp.file("s.npy"), DType::F32, nullptr, 0, &scalar, error));
  ASSERT_TRUE(readNpy(tmp.file("s.npy"), back, error)) << error;
  EXPECT_TRUE(back.shape.empty());
  EXPECT_EQ(back.numElements(), 1);

  int64_t v[] = {4, 5, 6};
  const int64_t shape1[] = {3};
  ASSERT_TRUE(writeNpy(tmp.file("v.npy"), DType::I64, shape1, 1, v, error));
  ASSERT_TRUE(readNpy(tmp.file("v.npy"), back, error)) << error;
  EXPECT_EQ(back.shape, (std::vector<int64_t>{3}));

  const int64_t shape0[] = {0, 4};
  ASSERT_TRUE(
      writeNpy(tmp.file("e.npy"), DType::F32, shape0, 2, nullptr, error));
  ASSERT_TRUE(readNpy(tmp.file("e.npy"), back, error)) << error;
  EXPECT_EQ(back.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_TRUE(back.data.empty());
}

TEST(Npy, WritesNumPyLayout) {
  TempDir tmp;
  const int64_t shape[] = {3};
  float v[] = {1, 2, 3};
  std::string error;
  ASSERT_TRUE(writeNpy(tmp.file("a.npy"), DType::F32, shape, 1, v, error));
  FILE *f = std::fopen(tmp.file("a.npy").c_str(), "rb");
  ASSERT_TRUE(f);
  char buf[256];
  size_t n = std::fread(buf, 1, sizeof(buf), f);
  std::fclose(f);
  std::string bytes(buf, n);
  // The layout np.save uses (NumPy may add more padding spaces).
  EXPECT_EQ(bytes, npyBytes("{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (3,), }",
                            floatBytes({1, 2, 3})));
  EXPECT_EQ((bytes.size() - 12) % 64, 0u);
}

TEST(Npy, ReadsNumPyFilesIncludingVersion2) {
  TempDir tmp;
  std::string error;
  HostArray a;
  std::string p = tmp.write(
      "v1.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(2, 2), }",
                         floatBytes({1, 2, 3, 4})));
  ASSERT_TRUE(readNpy(p, a, error)) << error;
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  float got[4];
  std::memcpy(got, a.data.data(), 16);
  EXPECT_EQ(got[3], 4.0f);

  p = tmp.write("v2.npy",
                npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(1,), }",
                         floatBytes({7}), 2));
  ASSERT_TRUE(readNpy(p, a, error)) << error;
  EXPECT_EQ(a.numElements(), 1);

  // Keys in another order and '|u1' / '|b1' byte types.
  p = tmp.write("u8.npy", npyBytes("{'shape': (2,), 'fortran_order': False, "
                                   "'descr': '|u1'}",
                                   std::string("\x01\xff", 2)));
  ASSERT_TRUE(readNpy(p, a, error)) << error;
  EXPECT_EQ(a.dtype, DType::U8);
}

void expectError(const std::string &path, const std::string &needle) {
  HostArray a;
  std::string error;
  EXPECT_FALSE(readNpy(path, a, error));
  EXPECT_NE(error.find(needle), std::string::npos) << error;
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(Npy, Errors) {
  TempDir tmp;
  expectError(tmp.file("missing.npy"), "cannot open");
  expectError(tmp.write("magic.npy", "not a numpy file at all"), "bad magic");
  expectError(tmp.write("fortran.npy",
                        npyBytes("{'descr': '<f4', 'fortran_order': True, "
                                 "'shape': (2, 2), }",
                                 floatBytes({1, 2, 3, 4}))),
              "Fortran-order");
  expectError(tmp.write("complex.npy",
                        npyBytes("{'descr': '<c8', 'fortran_order': False, "
                                 "'shape': (1,), }",
                                 floatBytes({1, 2}))),
              "unsupported dtype '<c8'");
  expectError(
      tmp.write("big.npy", npyBytes("{'descr': '>f4', 'fortran_order': False, "
                                    "'shape': (1,), }",
                                    floatBytes({1}))),
      "big-endian");
  expectError(tmp.write("short.npy",
                        npyBytes("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (2, 3), }",
                                 floatBytes({1, 2, 3}))),
              "truncated: expected 24 data bytes, found 12");
  std::string whole = npyBytes("{'descr': '<f4', 'fortran_order': False, "
                               "'shape': (2,), }",
                               "");
  expectError(tmp.write("cut.npy", whole.substr(0, 30)), "truncated header");
  expectError(
      tmp.write("junk.npy", npyBytes("{'descr': '<f4', 'shape': [2], }", "")),
      "'shape' is not a tuple");
  expectError(tmp.write("version.npy",
                        npyBytes("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (), }",
                                 floatBytes({1}), 9)),
              "unsupported .npy version 9");
}

TEST(Npy, WriteRejectsBF16) {
  TempDir tmp;
  std::string error;
  uint16_t v = 0;
  const int64_t shape[] = {1};
  EXPECT_FALSE(writeNpy(tmp.file("b.npy"), DType::BF16, shape, 1, &v, error));
  EXPECT_NE(error.find("bf16"), std::string::npos) << error;
}

} // namespace
