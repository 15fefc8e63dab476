//===- MlpProgram.h - a multi-rank program written by hand ------*- C++ -*-===//
//
// What pp-opt would emit for y = relu(x W1) W2 + b split over a mesh
// ["dp"=2, "pp"=2, "tp"=2]: the batch over dp, W1 column-parallel and W2
// row-parallel over tp, stage 0 = the first matmul, stage 1 = the second.
// Also the same model as a single-rank program, for reference. Shared by
// the GoogleTest suite (--ranks) and the pprt-mlp executable (mpirun).
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TEST_MLPPROGRAM_H
#define PPRT_TEST_MLPPROGRAM_H

#include "pprt/Program.h"

#include <string>
#include <vector>

namespace pprt::test {

constexpr int kMlpBatch = 4, kMlpIn = 6, kMlpHidden = 8, kMlpOut = 5;

/// Outputs: "h" = relu(x W1) [4,8] (split over dp, all-gathered over tp),
/// "h_blocks" = the same, split over dp and tp (one block per rank), and
/// "y" [4,5] (split over dp).
const Program &mlpProgram(const char *weightsDir);
/// The same model and outputs on one rank (no stage table).
const Program &mlpSingleProgram(const char *weightsDir);

/// Bytes of weights a rank of stage 0 / stage 1 loads (W1's block / W2's
/// block + b).
constexpr uint64_t kMlpStage0WeightBytes = kMlpIn * (kMlpHidden / 2) * 4;
constexpr uint64_t kMlpStage1WeightBytes =
    (kMlpHidden / 2) * kMlpOut * 4 + kMlpOut * 4;

/// Writes DIR/mlp.bin (W1 f32, W2 f64, b f32 after a 16-byte header) and
/// DIR/x.npy.
bool writeMlpFixture(const std::string &dir, std::string &error);

/// relu(x W1) and y computed naively from the fixture's values.
std::vector<float> mlpExpectedH();
std::vector<float> mlpExpectedY();

} // namespace pprt::test

#endif // PPRT_TEST_MLPPROGRAM_H
