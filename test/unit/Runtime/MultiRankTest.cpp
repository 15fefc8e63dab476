//===- MultiRankTest.cpp - runMain on a 2-stage x 2-TP x 2-DP program -----===//
//
// The hand-written MLP of MlpProgram.h run with --ranks 8 against the same
// model on one rank: identical output files, per-rank weight bytes, timing,
// test data, and the errors (wrong rank counts, launchers, bad programs, a
// rank that cannot load its weights, a recv nobody sends to).
//
//===----------------------------------------------------------------------===//

#include "MlpProgram.h"
#include "TempDir.h"
#include "pprt/Device.h"
#include "pprt/Launch.h"
#include "pprt/Npy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

using namespace pprt;
using pprt::test::TempDir;

namespace {

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
  int code = runMain(int(args.size()), argv.data(), program, cpuDevice());
  Result r{code, ::testing::internal::GetCapturedStdout(),
           ::testing::internal::GetCapturedStderr()};
  return r;
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<float> readFloats(const std::string &path) {
  HostArray array;
  std::string error;
  EXPECT_TRUE(readNpy(path, array, error)) << error;
  std::vector<float> v(array.numElements());
  if (array.dtype == DType::F32)
    std::memcpy(v.data(), array.data.data(), v.size() * sizeof(float));
  return v;
}

/// Sets an environment variable for the scope.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnv() { unsetenv(name); }

private:
  const char *name;
};

class MultiRank : public ::testing::Test {
protected:
  void SetUp() override {
    // The suite itself may run under srun or mpirun: start from a clean
    // environment so that only the tests' own launcher variables count.
    for (const char *name :
         {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_SIZE",
          "PMI_RANK", "PMIX_RANK", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS",
          "SLURM_PROCID", "SLURM_STEP_ID", "PPRT_COMM_TIMEOUT"})
      if (const char *value = std::getenv(name)) {
        saved.emplace_back(name, value);
        unsetenv(name);
      }
    std::string error;
    ASSERT_TRUE(test::writeMlpFixture(tmp.path(), error)) << error;
  }
  void TearDown() override {
    for (const auto &[name, value] : saved)
      setenv(name.c_str(), value.c_str(), 1);
  }
  std::vector<std::string> args(const std::string &outDir) {
    return {"--input",  "x=" + tmp.file("x.npy"), "--weights-dir",
            tmp.path(), "--output-dir",           tmp.file(outDir)};
  }
  const Program &mlp() { return test::mlpProgram(""); }

  TempDir tmp;
  std::vector<std::pair<std::string, std::string>> saved;
};

TEST_F(MultiRank, EightThreadsMatchTheSingleRankProgram) {
  Result single = run(test::mlpSingleProgram(""), args("single"));
  ASSERT_EQ(single.code, 0) << single.err;
  std::vector<std::string> ranks = args("ranks");
  ranks.insert(ranks.end(), {"--ranks", "8"});
  Result multi = run(mlp(), ranks);
  ASSERT_EQ(multi.code, 0) << multi.err;
  EXPECT_EQ(multi.err, "");
  for (const char *name : {"h.npy", "h_blocks.npy", "y.npy"}) {
    std::string a = slurp(tmp.file("single/") + name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, slurp(tmp.file("ranks/") + name)) << name;
  }
  EXPECT_EQ(readFloats(tmp.file("ranks/y.npy")), test::mlpExpectedY());
  EXPECT_EQ(readFloats(tmp.file("ranks/h.npy")), test::mlpExpectedH());
  EXPECT_EQ(readFloats(tmp.file("ranks/h_blocks.npy")), test::mlpExpectedH());
}

TEST_F(MultiRank, ReportMemoryMatchesThePlan) {
  std::vector<std::string> a = args("out");
  a.insert(a.end(), {"--ranks", "8", "--report-memory"});
  Result r = run(mlp(), a);
  ASSERT_EQ(r.code, 0) << r.err;
  // rank = dp*4 + pp*2 + tp; stage = pp. Activations: the stage's arena.
  std::string expected;
  for (int rank = 0; rank < 8; ++rank) {
    int stage = (rank / 2) % 2;
    uint64_t bytes =
        stage ? test::kMlpStage1WeightBytes : test::kMlpStage0WeightBytes;
    expected += "rank " + std::to_string(rank) + " (stage " +
                std::to_string(stage) + "): weights " + std::to_string(bytes) +
                " bytes, activations " +
                std::to_string(mlp().stages[stage].arenaBytes) + " bytes\n";
  }
  EXPECT_EQ(r.out, expected);
  // A quarter of W1 (6x8 f32); a half of W2's rows plus b: 4x5 + 5 f32.
  EXPECT_EQ(test::kMlpStage0WeightBytes, 96u);
  EXPECT_EQ(test::kMlpStage1WeightBytes, 100u);

  Result single = run(test::mlpSingleProgram(""),
                      {"--input", "x=" + tmp.file("x.npy"), "--weights-dir",
                       tmp.path(), "--report-memory"});
  ASSERT_EQ(single.code, 0) << single.err;
  EXPECT_EQ(single.out,
            "rank 0 (stage 0): weights 372 bytes, activations " +
                std::to_string(test::mlpSingleProgram("").arenaBytes) +
                " bytes\n");
}

TEST_F(MultiRank, RepeatTimesTheWholeStep) {
  std::vector<std::string> a = args("out");
  a.insert(a.end(), {"--ranks", "8", "--repeat", "3"});
  Result r = run(mlp(), a);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("time: forward mean ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" ms over 3 runs\n"), std::string::npos) << r.out;
}

TEST_F(MultiRank, WrongRankCounts) {
  Result four = run(mlp(), {"--ranks", "4"});
  EXPECT_EQ(four.code, 1);
  EXPECT_EQ(four.err, "error: this program was compiled for 8 ranks (dp=2 x "
                      "pp=2 x tp=2), got --ranks 4\n");
  Result none = run(mlp(), args("out"));
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.err,
            "error: this program was compiled for 8 ranks (dp=2 x "
            "pp=2 x tp=2): start it with --ranks 8 or mpirun -np 8\n");
  Result single = run(test::mlpSingleProgram(""), {"--ranks", "2"});
  EXPECT_EQ(single.code, 1);
  EXPECT_EQ(single.err,
            "error: this program was compiled for 1 rank, got --ranks 2\n");
  Result bad = run(mlp(), {"--ranks", "0"});
  EXPECT_EQ(bad.code, 2);
}

TEST_F(MultiRank, LauncherEnvironment) {
  {
    ScopedEnv size("OMPI_COMM_WORLD_SIZE", "4");
    Result r = run(mlp(), args("out"));
    EXPECT_EQ(r.err, "error: this program was compiled for 8 ranks (dp=2 x "
                     "pp=2 x tp=2), got mpirun with 4 processes\n");
    Result both = run(mlp(), {"--ranks", "8"});
    EXPECT_NE(both.err.find("--ranks cannot be combined with mpirun"),
              std::string::npos)
        << both.err;
  }
  {
    // The right size, but this runMain has no MPI process group.
    ScopedEnv size("OMPI_COMM_WORLD_SIZE", "8");
    Result r = run(mlp(), args("out"));
    EXPECT_NE(r.err.find("linked without MPI"), std::string::npos) << r.err;
  }
  {
    ScopedEnv tasks("SLURM_STEP_NUM_TASKS", "2");
    ScopedEnv id("SLURM_PROCID", "1");
    ScopedEnv step("SLURM_STEP_ID", "0");
    LaunchEnv env = detectLaunch();
    EXPECT_EQ(env.launcher, "srun");
    EXPECT_EQ(env.size, 2);
    EXPECT_EQ(env.rank, 1);
  }
  EXPECT_EQ(detectLaunch().launcher, "");
}

TEST_F(MultiRank, TestDataIsComparedOnce) {
  // References as raw TensorProto: dims (1), data_type (2), raw_data (9).
  auto proto = [](std::vector<int64_t> dims, const std::vector<float> &v) {
    std::string out;
    auto varint = [&](uint64_t x) {
      while (x >= 0x80) {
        out += char((x & 0x7f) | 0x80);
        x >>= 7;
      }
      out += char(x);
    };
    for (int64_t d : dims) {
      varint(1 << 3);
      varint(uint64_t(d));
    }
    varint(2 << 3);
    varint(1);
    varint((9 << 3) | 2);
    varint(v.size() * 4);
    out.append(reinterpret_cast<const char *>(v.data()), v.size() * 4);
    return out;
  };
  std::filesystem::create_directories(tmp.file("set"));
  tmp.write("set/output_0.pb", proto({4, 8}, test::mlpExpectedH()));
  tmp.write("set/output_1.pb", proto({4, 8}, test::mlpExpectedH()));
  tmp.write("set/output_2.pb", proto({4, 5}, test::mlpExpectedY()));
  Result r = run(mlp(), {"--input", "x=" + tmp.file("x.npy"), "--weights-dir",
                         tmp.path(), "--test-data-dir", tmp.file("set"),
                         "--ranks", "8"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("output h: max_abs_err=0 "), 0u) << r.out;
  EXPECT_NE(r.out.find("output y: max_abs_err=0 "), std::string::npos);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
}

TEST_F(MultiRank, RanksThatCannotLoadWeightsStopEveryone) {
  std::filesystem::remove(tmp.file("mlp.bin"));
  std::vector<std::string> a = args("out");
  a.insert(a.end(), {"--ranks", "8"});
  Result r = run(mlp(), a);
  EXPECT_EQ(r.code, 1);
  // Every rank reports for itself; nobody waits for the others.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 8) << r.err;
  EXPECT_NE(r.err.find("error: rank 7: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mlp.bin: cannot open"), std::string::npos) << r.err;
}

TEST_F(MultiRank, InvalidPrograms) {
  Program p = mlp();
  p.numStages = 3;
  EXPECT_EQ(run(p, {"--ranks", "8"}).err,
            "error: invalid program: 3 stages for a stage axis of 2\n");

  p = mlp();
  StageSpec stages[2] = {p.stages[0], p.stages[1]};
  stages[1].numOutputs = 0;
  p.stages = stages;
  EXPECT_EQ(run(p, {"--ranks", "8"}).err,
            "error: invalid program: no stage produces output y\n");

  p = mlp();
  TensorSpec inputs[1] = {p.inputs[0]};
  inputs[0].shape[0] = 3;
  p.inputs = inputs;
  EXPECT_EQ(run(p, {"--ranks", "8"}).err,
            "error: invalid program: input x: dim 0 of size 3 does not "
            "divide into 2 parts\n");

  p = mlp();
  WeightSpec weights[3] = {p.weights[0], p.weights[1], p.weights[2]};
  const int overStages[] = {-1, 1};
  weights[0].shardAxes = overStages;
  p.weights = weights;
  EXPECT_EQ(run(p, {"--ranks", "8"}).err,
            "error: invalid program: weight W1: dim 1 is split over the stage "
            "axis\n");
}

TEST_F(MultiRank, BadTimeoutIsAnError) {
  ScopedEnv timeout("PPRT_COMM_TIMEOUT", "soon");
  Result r = run(mlp(), {"--ranks", "8"});
  EXPECT_EQ(r.err, "error: PPRT_COMM_TIMEOUT must be a positive number of "
                   "seconds, got 'soon'\n");
}

/// Stands in for a stage 0 that forgets to send; it stays busy past the
/// timeout so that stage 1's recv is what times out first.
void forgetfulStage(Context &, void *const *, void *const *, void *const *,
                    char *) {
  std::this_thread::sleep_for(std::chrono::seconds(2));
}

using MultiRankDeathTest = MultiRank;

TEST_F(MultiRankDeathTest, UnmatchedRecvEndsTheRunInsteadOfHanging) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Stage 0 forgets to send: stage 1's recv has no partner.
  Program p = mlp();
  StageSpec stages[2] = {p.stages[0], p.stages[1]};
  stages[0].run = forgetfulStage;
  p.stages = stages;
  std::vector<std::string> a = args("out");
  a.insert(a.begin(), "run");
  a.insert(a.end(), {"--ranks", "8"});
  std::vector<char *> argv;
  for (std::string &s : a)
    argv.push_back(s.data());
  EXPECT_EXIT(
      {
        setenv("PPRT_COMM_TIMEOUT", "0.3", 1);
        runMain(int(argv.size()), argv.data(), p, cpuDevice());
      },
      ::testing::ExitedWithCode(1),
      "error: rank [2367]: timed out after 0.3 s in recv from rank [0145] "
      "\\(tag 0\\): mlp stage 1: recv h from stage 0");
}

} // namespace
