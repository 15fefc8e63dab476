//===- WeightRegionProgram.cpp - weights that are parts of a file tensor --===//
//
// Mesh ["tp"=2], one stage on both ranks. regions.bin holds, after an 8-byte
// header, W f32 [4,8] with W[i][j] = 100 i + j and V f64 [6,3] with
// V[i][j] = 10 i + j + 0.5. Weight "q" is the region W[1:3, 2:6] (a fused
// weight's middle columns) split over tp by columns; "k" is V[2:6, 0:2]
// split over tp by rows and converted to f32. The stage copies its blocks to
// the outputs of the same name, so the pasted outputs must equal the
// regions exactly, and each rank loads 2x2 + 2x2 floats.
//
//===----------------------------------------------------------------------===//

#include "PipelinePrograms.h"

#include <cstring>

namespace pprt::test {

namespace {

constexpr uint64_t kHeader = 8;
constexpr int64_t kWRows = 4, kWCols = 8, kVRows = 6, kVCols = 3;
constexpr uint64_t kWBytes = kWRows * kWCols * 4, kVBytes = kVRows * kVCols * 8;
constexpr int kBlockElements = 4; // per rank, of each weight

double wValue(int64_t i, int64_t j) { return 100.0 * i + j; }
double vValue(int64_t i, int64_t j) { return 10.0 * i + j + 0.5; }

const int64_t kQStarts[] = {1, 2}, kQSizes[] = {2, 4};
const int64_t kKStarts[] = {2, 0}, kKSizes[] = {4, 2};

void stage(Context &, void *const *, void *const *outputs, void *const *weights,
           char *) {
  std::memcpy(outputs[0], weights[0], kBlockElements * sizeof(float));
  std::memcpy(outputs[1], weights[1], kBlockElements * sizeof(float));
}

// Mesh axis 0 = tp.
const int kColumnsOverTp[] = {-1, 0};
const int kRowsOverTp[] = {0, -1};
const WeightSpec kWeights[] = {{"q",
                                "regions.bin",
                                kHeader,
                                kWBytes,
                                DType::F32,
                                DType::F32,
                                2,
                                {kWRows, kWCols},
                                kColumnsOverTp,
                                kQStarts,
                                kQSizes},
                               {"k",
                                "regions.bin",
                                kHeader + kWBytes,
                                kVBytes,
                                DType::F64,
                                DType::F32,
                                2,
                                {kVRows, kVCols},
                                kRowsOverTp,
                                kKStarts,
                                kKSizes}};
const TensorSpec kOutputs[] = {
    {"q", DType::F32, 2, {kQSizes[0], kQSizes[1]}, kColumnsOverTp},
    {"k", DType::F32, 2, {kKSizes[0], kKSizes[1]}, kRowsOverTp}};

const int kStageWeights[] = {0, 1};
const int kStageOutputs[] = {0, 1};
const StageSpec kStages[] = {
    {stage, 0, 2, kStageWeights, 0, nullptr, 2, kStageOutputs}};

const Program &program() {
  static const Program p = [] {
    Program p = {"weight-regions", "cpu", "",       0, nullptr, 2,
                 kOutputs,         2,     kWeights, 0, nullptr};
    p.mesh.numAxes = 1;
    p.mesh.axisNames[0] = "tp";
    p.mesh.axisSizes[0] = 2;
    p.numStages = 1;
    p.stages = kStages;
    return p;
  }();
  return p;
}

bool writeFixture(const std::string &dir, std::string &error) {
  std::string bytes = "REGIONS!";
  for (int64_t i = 0; i < kWRows; ++i)
    for (int64_t j = 0; j < kWCols; ++j) {
      float w = float(wValue(i, j));
      bytes.append(reinterpret_cast<const char *>(&w), sizeof w);
    }
  for (int64_t i = 0; i < kVRows; ++i)
    for (int64_t j = 0; j < kVCols; ++j) {
      double v = vValue(i, j);
      bytes.append(reinterpret_cast<const char *>(&v), sizeof v);
    }
  return writeFile(dir + "/regions.bin", bytes, error);
}

std::vector<HostArray> expected() {
  std::vector<double> q, k;
  for (int64_t i = 0; i < kQSizes[0]; ++i)
    for (int64_t j = 0; j < kQSizes[1]; ++j)
      q.push_back(wValue(kQStarts[0] + i, kQStarts[1] + j));
  for (int64_t i = 0; i < kKSizes[0]; ++i)
    for (int64_t j = 0; j < kKSizes[1]; ++j)
      k.push_back(vValue(kKStarts[0] + i, kKStarts[1] + j));
  return {makeArray(DType::F32, {kQSizes[0], kQSizes[1]}, q),
          makeArray(DType::F32, {kKSizes[0], kKSizes[1]}, k)};
}

} // namespace

const TestProgram &weightRegionTest() {
  static const TestProgram t = {"weight-regions", program, writeFixture,
                                expected};
  return t;
}

} // namespace pprt::test
