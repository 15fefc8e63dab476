//===- MlpProgram.cpp - a multi-rank program written by hand --------------===//
//
// The stage functions see local blocks only: x [2,6], W1 [6,4], W2 [4,5].
// Stage 0 all-gathers its hidden block over tp (output "h") and sends it to
// its stage-1 partner (same dp and tp coordinate), which multiplies by its
// rows of W2 and all-reduces the partial sums over tp.
//
//===----------------------------------------------------------------------===//

#include "MlpProgram.h"
#include "pprt/Comm.h"
#include "pprt/Kernels.h"
#include "pprt/Npy.h"

#include <cstdio>
#include <cstring>

namespace pprt::test {

namespace {

constexpr int kTp = 2, kDp = 2;
constexpr int kLocalBatch = kMlpBatch / kDp, kLocalHidden = kMlpHidden / kTp;
constexpr AxisMask kOverPp = 1u << 1, kOverTp = 1u << 2;

// Values with exact f32 products and small sums.
float xValue(int i, int j) { return float((i * 7 + j * 3) % 5) - 2; }
float w1Value(int i, int j) { return float((i * 5 + j) % 7) * 0.25f - 0.75f; }
double w2Value(int i, int j) { return double((i * 3 + j * 2) % 9) * 0.5 - 2; }
float bValue(int j) { return float(j) - 1.5f; }

enum Output { H = 0, HBlocks = 1, Y = 2 };

void relu(float *v, int n) {
  for (int i = 0; i < n; ++i)
    v[i] = v[i] > 0 ? v[i] : 0;
}

void stage0(Context &ctx, void *const *inputs, void *const *outputs,
            void *const *weights, char *arena) {
  auto *hidden = reinterpret_cast<float *>(arena);
  auto *gathered = hidden + kLocalBatch * kLocalHidden;
  cpu::matmul<float>(ctx, hidden, static_cast<const float *>(inputs[0]),
                     static_cast<const float *>(weights[0]), 1, kLocalBatch,
                     kLocalHidden, kMlpIn, 0, 0, 0, false, false);
  relu(hidden, kLocalBatch * kLocalHidden);
  size_t blockBytes = kLocalBatch * kLocalHidden * sizeof(float);
  std::memcpy(outputs[HBlocks], hidden, blockBytes);
  // [tp][batch][hidden/tp] -> [batch][hidden]
  allGather(ctx, gathered, hidden, blockBytes, kOverTp,
            "mlp stage 0: all_gather h over tp");
  auto *h = static_cast<float *>(outputs[H]);
  for (int t = 0; t < kTp; ++t)
    for (int i = 0; i < kLocalBatch; ++i)
      for (int j = 0; j < kLocalHidden; ++j)
        h[i * kMlpHidden + t * kLocalHidden + j] =
            gathered[(t * kLocalBatch + i) * kLocalHidden + j];
  send(ctx, hidden, blockBytes, kOverPp, 1, 0,
       "mlp stage 0: send h to stage 1");
}

void stage1(Context &ctx, void *const *, void *const *outputs,
            void *const *weights, char *arena) {
  auto *hidden = reinterpret_cast<float *>(arena);
  recv(ctx, hidden, kLocalBatch * kLocalHidden * sizeof(float), kOverPp, 0, 0,
       "mlp stage 1: recv h from stage 0");
  auto *y = static_cast<float *>(outputs[Y]);
  cpu::matmul<float>(ctx, y, hidden, static_cast<const float *>(weights[1]), 1,
                     kLocalBatch, kMlpOut, kLocalHidden, 0, 0, 0, false, false);
  allReduce(ctx, y, kLocalBatch * kMlpOut, DType::F32, CollectiveOp::Sum,
            kOverTp, "mlp stage 1: all_reduce y over tp");
  const auto *b = static_cast<const float *>(weights[2]);
  for (int i = 0; i < kLocalBatch; ++i)
    for (int j = 0; j < kMlpOut; ++j)
      y[i * kMlpOut + j] += b[j];
}

void single(Context &ctx, void *const *inputs, void *const *outputs,
            void *const *weights, char *) {
  auto *h = static_cast<float *>(outputs[H]);
  cpu::matmul<float>(ctx, h, static_cast<const float *>(inputs[0]),
                     static_cast<const float *>(weights[0]), 1, kMlpBatch,
                     kMlpHidden, kMlpIn, 0, 0, 0, false, false);
  relu(h, kMlpBatch * kMlpHidden);
  std::memcpy(outputs[HBlocks], h, kMlpBatch * kMlpHidden * sizeof(float));
  auto *y = static_cast<float *>(outputs[Y]);
  cpu::matmul<float>(ctx, y, h, static_cast<const float *>(weights[1]), 1,
                     kMlpBatch, kMlpOut, kMlpHidden, 0, 0, 0, false, false);
  const auto *b = static_cast<const float *>(weights[2]);
  for (int i = 0; i < kMlpBatch; ++i)
    for (int j = 0; j < kMlpOut; ++j)
      y[i * kMlpOut + j] += b[j];
}

// Mesh axes: 0 = dp, 1 = pp, 2 = tp.
const int kBatchOverDp[] = {0, -1};
const int kBatchOverDpHiddenOverTp[] = {0, 2};
const int kColumns[] = {-1, 2};
const int kRows[] = {2, -1};

const TensorSpec kInputs[] = {
    {"x", DType::F32, 2, {kMlpBatch, kMlpIn}, kBatchOverDp}};
const TensorSpec kOutputs[] = {
    {"h", DType::F32, 2, {kMlpBatch, kMlpHidden}, kBatchOverDp},
    {"h_blocks",
     DType::F32,
     2,
     {kMlpBatch, kMlpHidden},
     kBatchOverDpHiddenOverTp},
    {"y", DType::F32, 2, {kMlpBatch, kMlpOut}, kBatchOverDp}};
const TensorSpec kSingleInputs[] = {{"x", DType::F32, 2, {kMlpBatch, kMlpIn}}};
const TensorSpec kSingleOutputs[] = {
    {"h", DType::F32, 2, {kMlpBatch, kMlpHidden}},
    {"h_blocks", DType::F32, 2, {kMlpBatch, kMlpHidden}},
    {"y", DType::F32, 2, {kMlpBatch, kMlpOut}}};

constexpr uint64_t kHeader = 16;
constexpr uint64_t kW1Bytes = kMlpIn * kMlpHidden * 4;
constexpr uint64_t kW2Bytes = kMlpHidden * kMlpOut * 8;
constexpr uint64_t kBBytes = kMlpOut * 4;
const WeightSpec kWeights[] = {{"W1",
                                "mlp.bin",
                                kHeader,
                                kW1Bytes,
                                DType::F32,
                                DType::F32,
                                2,
                                {kMlpIn, kMlpHidden},
                                kColumns},
                               {"W2",
                                "mlp.bin",
                                kHeader + kW1Bytes,
                                kW2Bytes,
                                DType::F64,
                                DType::F32,
                                2,
                                {kMlpHidden, kMlpOut},
                                kRows},
                               {"b",
                                "mlp.bin",
                                kHeader + kW1Bytes + kW2Bytes,
                                kBBytes,
                                DType::F32,
                                DType::F32,
                                1,
                                {kMlpOut}}};
const WeightSpec kSingleWeights[] = {{"W1",
                                      "mlp.bin",
                                      kHeader,
                                      kW1Bytes,
                                      DType::F32,
                                      DType::F32,
                                      2,
                                      {kMlpIn, kMlpHidden}},
                                     {"W2",
                                      "mlp.bin",
                                      kHeader + kW1Bytes,
                                      kW2Bytes,
                                      DType::F64,
                                      DType::F32,
                                      2,
                                      {kMlpHidden, kMlpOut}},
                                     {"b",
                                      "mlp.bin",
                                      kHeader + kW1Bytes + kW2Bytes,
                                      kBBytes,
                                      DType::F32,
                                      DType::F32,
                                      1,
                                      {kMlpOut}}};

const int kStage0Weights[] = {0};
const int kStage0Inputs[] = {0};
const int kStage0Outputs[] = {H, HBlocks};
const int kStage1Weights[] = {1, 2};
const int kStage1Outputs[] = {Y};
constexpr uint64_t kStage0Arena =
    (1 + kTp) * kLocalBatch * kLocalHidden * sizeof(float);
constexpr uint64_t kStage1Arena = kLocalBatch * kLocalHidden * sizeof(float);
const StageSpec kStages[] = {
    {stage0, kStage0Arena, 1, kStage0Weights, 1, kStage0Inputs, 2,
     kStage0Outputs},
    {stage1, kStage1Arena, 2, kStage1Weights, 0, nullptr, 1, kStage1Outputs}};

} // namespace

const Program &mlpProgram(const char *weightsDir) {
  static Program program;
  program = {"mlp",    "cpu", weightsDir, 1, kInputs, 3,
             kOutputs, 3,     kWeights,   0, nullptr};
  program.mesh.numAxes = 3;
  const char *names[] = {"dp", "pp", "tp"};
  for (int a = 0; a < 3; ++a) {
    program.mesh.axisNames[a] = names[a];
    program.mesh.axisSizes[a] = 2;
  }
  program.stageAxis = 1;
  program.numStages = 2;
  program.stages = kStages;
  return program;
}

const Program &mlpSingleProgram(const char *weightsDir) {
  static Program program;
  program = {"mlp-single",   "cpu", weightsDir,     1, kSingleInputs, 3,
             kSingleOutputs, 3,     kSingleWeights, 0, single};
  return program;
}

bool writeMlpFixture(const std::string &dir, std::string &error) {
  std::string bytes(kHeader, 'P');
  auto append = [&](const void *p, size_t n) {
    bytes.append(static_cast<const char *>(p), n);
  };
  for (int i = 0; i < kMlpIn; ++i)
    for (int j = 0; j < kMlpHidden; ++j) {
      float v = w1Value(i, j);
      append(&v, 4);
    }
  for (int i = 0; i < kMlpHidden; ++i)
    for (int j = 0; j < kMlpOut; ++j) {
      double v = w2Value(i, j);
      append(&v, 8);
    }
  for (int j = 0; j < kMlpOut; ++j) {
    float v = bValue(j);
    append(&v, 4);
  }
  std::string path = dir + "/mlp.bin";
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    error = "cannot write " + path;
    if (f)
      std::fclose(f);
    return false;
  }
  std::fclose(f);
  std::vector<float> x;
  for (int i = 0; i < kMlpBatch; ++i)
    for (int j = 0; j < kMlpIn; ++j)
      x.push_back(xValue(i, j));
  const int64_t shape[2] = {kMlpBatch, kMlpIn};
  return writeNpy(dir + "/x.npy", DType::F32, shape, 2, x.data(), error);
}

std::vector<float> mlpExpectedH() {
  std::vector<float> h(kMlpBatch * kMlpHidden, 0);
  for (int i = 0; i < kMlpBatch; ++i)
    for (int j = 0; j < kMlpHidden; ++j) {
      float sum = 0;
      for (int k = 0; k < kMlpIn; ++k)
        sum += xValue(i, k) * w1Value(k, j);
      h[i * kMlpHidden + j] = sum > 0 ? sum : 0;
    }
  return h;
}

std::vector<float> mlpExpectedY() {
  std::vector<float> h = mlpExpectedH(), y(kMlpBatch * kMlpOut, 0);
  for (int i = 0; i < kMlpBatch; ++i)
    for (int j = 0; j < kMlpOut; ++j) {
      float sum = bValue(j);
      for (int k = 0; k < kMlpHidden; ++k)
        sum += h[i * kMlpHidden + k] * float(w2Value(k, j));
      y[i * kMlpOut + j] = sum;
    }
  return y;
}

} // namespace pprt::test
