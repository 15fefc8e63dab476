//===- DpMicrobatchProgram.cpp - data parallelism with micro-batches ------===//
//
// Mesh ["dp"=2, "pp"=2] (rank = 2 dp + pp), 2 micro-batches. x [8,3] is
// split over dp (rows 0-3 and 4-7), and each rank's block into micro-batches
// of 2 rows. Stage 0 writes h = 10 x + 1 and sends it on; stage 1 writes
// y = 10 h + bias, where bias [3] has no batch dim, so every micro-batch
// reads all of it. Rank 0 must paste h from ranks 0 and 2 and y from ranks
// 1 and 3, micro-batch by micro-batch, into whole tensors.
//
//===----------------------------------------------------------------------===//

#include "PipelinePrograms.h"

namespace pprt::test {

namespace {

constexpr int kRows = 8, kCols = 3, kDp = 2, kMicrobatches = 2;
constexpr int kActivation = kRows / kDp / kMicrobatches * kCols;
constexpr uint64_t kActivationBytes = kActivation * sizeof(float);

float xValue(int i, int j) { return float(10 * i + j); }
float biasValue(int j) { return float(7 + j); }

enum Output { H = 0, Y = 1 };

void stage0(Context &ctx, void *const *inputs, void *const *outputs,
            void *const *, char *) {
  const auto *x = static_cast<const float *>(inputs[0]);
  auto *h = static_cast<float *>(outputs[H]);
  auto *next = static_cast<float *>(ctx.stageOutput);
  for (int i = 0; i < kActivation; ++i)
    h[i] = next[i] = 10 * x[i] + 1;
}

void stage1(Context &ctx, void *const *inputs, void *const *outputs,
            void *const *, char *) {
  const auto *h = static_cast<const float *>(ctx.stageInput);
  const auto *bias = static_cast<const float *>(inputs[1]);
  auto *y = static_cast<float *>(outputs[Y]);
  for (int i = 0; i < kActivation; ++i)
    y[i] = 10 * h[i] + bias[i % kCols];
}

// Mesh axes: 0 = dp, 1 = pp.
const int kRowsOverDp[] = {0, -1};
const TensorSpec kInputs[] = {
    {"x", DType::F32, 2, {kRows, kCols}, kRowsOverDp, /*batchDim=*/0},
    {"bias", DType::F32, 1, {kCols}}};
const TensorSpec kOutputs[] = {
    {"h", DType::F32, 2, {kRows, kCols}, kRowsOverDp, 0},
    {"y", DType::F32, 2, {kRows, kCols}, kRowsOverDp, 0}};

const int kStage0Inputs[] = {0};
const int kStage0Outputs[] = {H};
const int kStage1Inputs[] = {1};
const int kStage1Outputs[] = {Y};
const StageSpec kStages[] = {{stage0, 0, 0, nullptr, 1, kStage0Inputs, 1,
                              kStage0Outputs, 0, kActivationBytes},
                             {stage1, 0, 0, nullptr, 1, kStage1Inputs, 1,
                              kStage1Outputs, kActivationBytes, 0}};

const Program &program() {
  static const Program p = [] {
    Program p = {"dp-microbatches", "cpu", "",      2, kInputs, 2,
                 kOutputs,          0,     nullptr, 0, nullptr};
    p.mesh.numAxes = 2;
    p.mesh.axisNames[0] = "dp";
    p.mesh.axisNames[1] = "pp";
    p.mesh.axisSizes[0] = kDp;
    p.mesh.axisSizes[1] = 2;
    p.stageAxis = 1;
    p.numStages = 2;
    p.stages = kStages;
    p.numMicrobatches = kMicrobatches;
    return p;
  }();
  return p;
}

bool writeFixture(const std::string &dir, std::string &error) {
  std::vector<double> x, bias;
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kCols; ++j)
      x.push_back(xValue(i, j));
  for (int j = 0; j < kCols; ++j)
    bias.push_back(biasValue(j));
  return writeArray(dir + "/x.npy", makeArray(DType::F32, {kRows, kCols}, x),
                    error) &&
         writeArray(dir + "/bias.npy", makeArray(DType::F32, {kCols}, bias),
                    error);
}

std::vector<HostArray> expected() {
  std::vector<double> h, y;
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kCols; ++j) {
      h.push_back(10.0 * xValue(i, j) + 1);
      y.push_back(100.0 * xValue(i, j) + 10 + biasValue(j));
    }
  return {makeArray(DType::F32, {kRows, kCols}, h),
          makeArray(DType::F32, {kRows, kCols}, y)};
}

} // namespace

const TestProgram &dpMicrobatchTest() {
  static const TestProgram t = {"dp-microbatches", program, writeFixture,
                                expected};
  return t;
}

} // namespace pprt::test
