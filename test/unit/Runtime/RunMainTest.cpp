//===- RunMainTest.cpp - runMain end to end on hand-written programs ------===//
//
// The Programs here are what pp-opt would generate, written by hand: y = x W
// with W read from a weights file, plus small f16 and i64 identity programs
// for the dtype rules. runMain is called directly with the cpu device.
//
//===----------------------------------------------------------------------===//

#include "TempDir.h"
#include "pprt/Device.h"
#include "pprt/Half.h"
#include "pprt/Kernels.h"
#include "pprt/Npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>

using namespace pprt;
using pprt::test::TempDir;

namespace {

//===--- the programs -----------------------------------------------------===//

// y[2,4] = x[2,3] . W[3,4]; W is stored after an 8-byte prefix in w.bin.
void runLinear(Context &ctx, void *const *inputs, void *const *outputs,
               void *const *weights, char *arena) {
  // Go through the arena as generated code would for an intermediate.
  float *tmp = reinterpret_cast<float *>(arena);
  cpu::matmul<float>(ctx, tmp, static_cast<const float *>(inputs[0]),
                     static_cast<const float *>(weights[0]), 1, 2, 4, 3, 0, 0,
                     0, false, false);
  std::memcpy(outputs[0], tmp, 8 * sizeof(float));
}
const TensorSpec kLinearIn[] = {{"x", DType::F32, 2, {2, 3}}};
const TensorSpec kLinearOut[] = {{"y", DType::F32, 2, {2, 4}}};
const WeightSpec kLinearWeights[] = {
    {"W", "w.bin", 8, 48, DType::F32, DType::F32, 2, {3, 4}}};

Program linearProgram(const char *weightsDir) {
  return {"linear",       "cpu",
          weightsDir,     1,
          kLinearIn,      1,
          kLinearOut,     1,
          kLinearWeights, 32 * sizeof(float),
          runLinear};
}

const float kW[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
const float kX[6] = {1, 0, -1, 0.5f, 2, 3};

std::vector<float> expectedY() {
  std::vector<float> y(8, 0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int p = 0; p < 3; ++p)
        y[i * 4 + j] += kX[i * 3 + p] * kW[p * 4 + j];
  return y;
}

// Identity programs: y = x for an f16 and an i64 tensor of 3 elements.
void runCopy2(Context &ctx, void *const *inputs, void *const *outputs,
              void *const *, char *) {
  std::memcpy(outputs[0], inputs[0], 3 * 2);
}
void runCopy8(Context &ctx, void *const *inputs, void *const *outputs,
              void *const *, char *) {
  std::memcpy(outputs[0], inputs[0], 3 * 8);
}
const TensorSpec kHalfIn[] = {{"h", DType::F16, 1, {3}}};
const TensorSpec kHalfOut[] = {{"out/h:0", DType::F16, 1, {3}}};
const TensorSpec kLongIn[] = {{"ids", DType::I64, 1, {3}}};
const TensorSpec kLongOut[] = {{"ids_out", DType::I64, 1, {3}}};
const Program kHalfProgram = {"half",   "cpu", "",      1, kHalfIn, 1,
                              kHalfOut, 0,     nullptr, 0, runCopy2};
const Program kLongProgram = {"long",   "cpu", "",      1, kLongIn, 1,
                              kLongOut, 0,     nullptr, 0, runCopy8};

//===--- helpers ----------------------------------------------------------===//

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result run(const Program &program, std::vector<std::string> args) {
  args.insert(args.begin(), "run");
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int code =
      runMain(static_cast<int>(args.size()), argv.data(), program, cpuDevice());
  Result r;
  r.code = code;
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

std::string write(const TempDir &tmp, const std::string &name, DType type,
                  std::vector<int64_t> shape, const void *data) {
  std::string path = tmp.file(name);
  std::string error;
  EXPECT_TRUE(
      writeNpy(path, type, shape.data(), int(shape.size()), data, error))
      << error;
  return path;
}

/// A weights folder holding w.bin = 8 junk bytes + W.
void writeWeights(const TempDir &tmp) {
  std::string bytes(8, '#');
  bytes.append(reinterpret_cast<const char *>(kW), sizeof(kW));
  tmp.write("w.bin", bytes);
}

//===--- protobuf for test_data_set files ---------------------------------===//

void varint(std::string &out, uint64_t v) {
  while (v >= 0x80) {
    out += char((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += char(v);
}

/// A serialized TensorProto: dims (1), data_type (2), name (8), raw_data (9).
std::string tensorProto(const std::string &name, int dtype,
                        std::vector<int64_t> dims, const void *data,
                        size_t bytes) {
  std::string out;
  for (int64_t d : dims) {
    varint(out, (1 << 3) | 0);
    varint(out, uint64_t(d));
  }
  varint(out, (2 << 3) | 0);
  varint(out, uint64_t(dtype));
  varint(out, (8 << 3) | 2);
  varint(out, name.size());
  out += name;
  varint(out, (9 << 3) | 2);
  varint(out, bytes);
  out.append(static_cast<const char *>(data), bytes);
  return out;
}

//===--- tests ------------------------------------------------------------===//

TEST(RunMain, LinearWithNpyInputAndOutput) {
  TempDir tmp;
  writeWeights(tmp);
  std::string x = write(tmp, "x.npy", DType::F32, {2, 3}, kX);
  Program program = linearProgram("/nonexistent");
  Result r = run(program, {"--input", "x=" + x, "--output-dir", tmp.file("out"),
                           "--weights-dir", tmp.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  HostArray y;
  std::string error;
  ASSERT_TRUE(readNpy(tmp.file("out/y.npy"), y, error)) << error;
  EXPECT_EQ(y.dtype, DType::F32);
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 4}));
  std::vector<float> got(8);
  std::memcpy(got.data(), y.data.data(), 32);
  EXPECT_EQ(got, expectedY());
}

TEST(RunMain, WeightsDirFromProgramAndFloat64Input) {
  TempDir tmp;
  writeWeights(tmp);
  double x64[6];
  for (int i = 0; i < 6; ++i)
    x64[i] = kX[i];
  std::string x = write(tmp, "x64.npy", DType::F64, {2, 3}, x64);
  Program program = linearProgram(tmp.path().c_str());
  Result r = run(program, {"--input=x=" + x, "--output-dir=" + tmp.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  HostArray y;
  std::string error;
  ASSERT_TRUE(readNpy(tmp.file("y.npy"), y, error)) << error;
  std::vector<float> got(8);
  std::memcpy(got.data(), y.data.data(), 32);
  EXPECT_EQ(got, expectedY());
}

TEST(RunMain, RepeatPrintsTiming) {
  TempDir tmp;
  writeWeights(tmp);
  std::string x = write(tmp, "x.npy", DType::F32, {2, 3}, kX);
  Program program = linearProgram(tmp.path().c_str());
  Result r = run(program, {"--input", "x=" + x, "--repeat", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("time: forward mean "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ms over 3 runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ntime: warm-up run "), std::string::npos) << r.out;
}

TEST(RunMain, Help) {
  Program program = linearProgram("");
  Result r = run(program, {"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--input NAME=FILE.npy"), std::string::npos);
  EXPECT_NE(r.out.find("--test-data-dir"), std::string::npos);
  EXPECT_NE(r.out.find("'linear'"), std::string::npos);
}

TEST(RunMain, UsageErrorsExitTwo) {
  Program program = linearProgram("");
  for (std::vector<std::string> args : {std::vector<std::string>{"--bogus"},
                                        {"--input"},
                                        {"--input", "x"},
                                        {"--repeat", "0"},
                                        {"--repeat", "abc"},
                                        {"--tolerance", "-1"},
                                        {"stray"}}) {
    Result r = run(program, args);
    EXPECT_EQ(r.code, 2) << args[0];
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

void expectFailure(const Result &r, const std::string &needle) {
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(RunMain, InputErrors) {
  TempDir tmp;
  writeWeights(tmp);
  Program program = linearProgram(tmp.path().c_str());
  expectFailure(run(program, {}), "missing input 'x' (give --input x=");
  std::string x = write(tmp, "x.npy", DType::F32, {2, 3}, kX);
  expectFailure(run(program, {"--input", "z=" + x}),
                "unknown input 'z' (the program's inputs: x)");
  expectFailure(run(program, {"--input", "x=" + x, "--input", "x=" + x}),
                "input 'x' is given twice");
  expectFailure(run(program, {"--input", "x=" + tmp.file("none.npy")}),
                "none.npy: cannot open");
  std::string wrongShape = write(tmp, "s.npy", DType::F32, {3, 2}, kX);
  expectFailure(run(program, {"--input", "x=" + wrongShape}),
                "shape [3,2] does not match the program's [2,3]");
  int64_t ints[6] = {};
  std::string wrongType = write(tmp, "i.npy", DType::I64, {2, 3}, ints);
  expectFailure(run(program, {"--input", "x=" + wrongType}),
                "dtype i64 does not match the program's f32");
}

TEST(RunMain, WeightErrors) {
  TempDir tmp;
  std::string x = write(tmp, "x.npy", DType::F32, {2, 3}, kX);
  Program program = linearProgram(tmp.path().c_str());
  expectFailure(run(program, {"--input", "x=" + x}), "w.bin: cannot open");
  tmp.write("w.bin", std::string(40, '\0')); // too short for 8 + 48 bytes
  expectFailure(run(program, {"--input", "x=" + x}),
                "run past the end of the file (40 bytes)");
}

TEST(RunMain, TargetMismatch) {
  Program program = linearProgram("");
  program.target = "cuda";
  expectFailure(run(program, {}), "compiled for target 'cuda'");
}

TEST(RunMain, HalfProgramTakesF32AndWritesF32) {
  TempDir tmp;
  const float values[3] = {0.5f, -1.25f, 3.0f};
  std::string h = write(tmp, "h.npy", DType::F32, {3}, values);
  Result r =
      run(kHalfProgram, {"--input", "h=" + h, "--output-dir", tmp.file("out")});
  ASSERT_EQ(r.code, 0) << r.err;
  HostArray y;
  std::string error;
  // The output name "out/h:0" is flattened into a file name.
  ASSERT_TRUE(readNpy(tmp.file("out/out_h_0.npy"), y, error)) << error;
  EXPECT_EQ(y.dtype, DType::F32);
  float got[3];
  std::memcpy(got, y.data.data(), sizeof(got));
  EXPECT_EQ(got[0], 0.5f);
  EXPECT_EQ(got[1], -1.25f);
  EXPECT_EQ(got[2], 3.0f);
}

TEST(RunMain, Int32ForInt64Input) {
  TempDir tmp;
  const int32_t ids[3] = {7, -1, 50000};
  std::string p = write(tmp, "ids.npy", DType::I32, {3}, ids);
  Result r =
      run(kLongProgram, {"--input", "ids=" + p, "--output-dir", tmp.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  HostArray y;
  std::string error;
  ASSERT_TRUE(readNpy(tmp.file("ids_out.npy"), y, error)) << error;
  EXPECT_EQ(y.dtype, DType::I64);
  int64_t got[3];
  std::memcpy(got, y.data.data(), sizeof(got));
  EXPECT_EQ(got[2], 50000);
  EXPECT_EQ(got[1], -1);
}

//===--- --test-data-dir --------------------------------------------------===//

TEST(RunMain, TestDataDirPassesAndFails) {
  TempDir tmp;
  writeWeights(tmp);
  Program program = linearProgram(tmp.path().c_str());
  std::string set = tmp.file("test_data_set_0");
  std::filesystem::create_directories(set);
  tmp.write("test_data_set_0/input_0.pb",
            tensorProto("x", 1, {2, 3}, kX, sizeof(kX)));
  std::vector<float> y = expectedY();
  tmp.write("test_data_set_0/output_0.pb",
            tensorProto("y", 1, {2, 4}, y.data(), 32));

  Result pass = run(program, {"--test-data-dir", set});
  ASSERT_EQ(pass.code, 0) << pass.err;
  EXPECT_NE(pass.out.find("output y: max_abs_err=0 max_abs_ref="),
            std::string::npos)
      << pass.out;

  // Off by 0.01 on a reference whose max is 78: error 0.01 > 1e-4 x 78.
  y[5] += 0.01f;
  tmp.write("test_data_set_0/output_0.pb",
            tensorProto("y", 1, {2, 4}, y.data(), 32));
  Result fail = run(program, {"--test-data-dir", set});
  EXPECT_EQ(fail.code, 1);
  EXPECT_NE(fail.out.find("output y: max_abs_err="), std::string::npos);
  EXPECT_NE(fail.err.find("error: output y: max_abs_err"), std::string::npos)
      << fail.err;
  // A looser tolerance accepts it.
  Result loose = run(program, {"--test-data-dir", set, "--tolerance", "1e-3"});
  EXPECT_EQ(loose.code, 0) << loose.err;

  // An explicit --input overrides input_0.pb.
  std::string zeros = write(tmp, "z.npy", DType::F32, {2, 3},
                            std::vector<float>(6, 0.0f).data());
  Result overridden =
      run(program, {"--test-data-dir", set, "--input", "x=" + zeros});
  EXPECT_EQ(overridden.code, 1);

  // Wrong reference shape and missing files are errors before running.
  tmp.write("test_data_set_0/output_0.pb",
            tensorProto("y", 1, {4, 2}, y.data(), 32));
  expectFailure(run(program, {"--test-data-dir", set}),
                "does not match output y [2,4]");
  std::filesystem::remove(set + "/output_0.pb");
  expectFailure(run(program, {"--test-data-dir", set}), "output_0.pb");
  expectFailure(run(program, {"--test-data-dir", tmp.file("nowhere")}),
                "does not exist");
}

TEST(RunMain, TestDataDirComparesIntegersExactly) {
  TempDir tmp;
  std::string set = tmp.file("set");
  std::filesystem::create_directories(set);
  int64_t ids[3] = {1, 2, 3};
  tmp.write("set/input_0.pb", tensorProto("ids", 7, {3}, ids, sizeof(ids)));
  tmp.write("set/output_0.pb",
            tensorProto("ids_out", 7, {3}, ids, sizeof(ids)));
  Result same = run(kLongProgram, {"--test-data-dir", set});
  EXPECT_EQ(same.code, 0) << same.err;
  EXPECT_NE(same.out.find("output ids_out: max_abs_err=0 max_abs_ref=3"),
            std::string::npos)
      << same.out;

  int64_t off[3] = {1, 2, 4};
  tmp.write("set/output_0.pb",
            tensorProto("ids_out", 7, {3}, off, sizeof(off)));
  // Even a huge tolerance does not excuse an integer mismatch.
  Result differs =
      run(kLongProgram, {"--test-data-dir", set, "--tolerance", "10"});
  EXPECT_EQ(differs.code, 1);
  EXPECT_NE(differs.err.find("error: output ids_out differs"),
            std::string::npos)
      << differs.err;
}

} // namespace
