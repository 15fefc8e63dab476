//===- TiedTensorsTest.cpp - finding initializers that hold equal values --===//
//
// Tensors are written one after another into a temporary file and described
// by TensorRefs into it, as the ONNX reader describes raw_data.
//
//===----------------------------------------------------------------------===//

#include "pp/Support/TiedTensors.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace pp;
using pp::onnx::DataType;
using pp::onnx::TensorRef;

namespace {

class TiedTensors : public ::testing::Test {
protected:
  void SetUp() override {
    char pattern[] = "/tmp/pp-tied-test-XXXXXX";
    int fd = mkstemp(pattern);
    ASSERT_GE(fd, 0);
    close(fd);
    path = pattern;
  }
  void TearDown() override { std::remove(path.c_str()); }

  /// Appends a float tensor of `rows` x `cols` (cols 0: 1-d) to the file.
  void add(const std::string &name, std::vector<int64_t> dims,
           const std::vector<float> &values) {
    std::ofstream file(path, std::ios::binary | std::ios::app);
    file.write(reinterpret_cast<const char *>(values.data()),
               values.size() * sizeof(float));
    TensorRef t;
    t.name = name;
    t.dtype = DataType::Float;
    t.dims = std::move(dims);
    t.path = path;
    t.offset = bytes;
    t.length = values.size() * sizeof(float);
    bytes += t.length;
    tensors.push_back(std::move(t));
  }

  std::vector<TiedTensor> find() {
    std::vector<const TensorRef *> candidates;
    for (const TensorRef &t : tensors)
      candidates.push_back(&t);
    std::vector<TiedTensor> ties;
    std::string error;
    EXPECT_TRUE(findTiedTensors(candidates, ties, error)) << error;
    return ties;
  }

  std::string path;
  uint64_t bytes = 0;
  std::vector<TensorRef> tensors;
};

// A [2, 3] and its transpose [3, 2].
const std::vector<float> kA = {1, 2, 3, 4, 5, 6};
const std::vector<float> kATransposed = {1, 4, 2, 5, 3, 6};

TEST_F(TiedTensors, TransposedCopyTiesToTheNamedParameter) {
  // The anonymous copy comes first, as torch's folded constants may.
  add("onnx::MatMul_7", {3, 2}, kATransposed);
  add("wte.weight", {2, 3}, kA);
  std::vector<TiedTensor> ties = find();
  ASSERT_EQ(ties.size(), 1u);
  EXPECT_EQ(ties[0].copy, 0u);
  EXPECT_EQ(ties[0].of, 1u);
  EXPECT_TRUE(ties[0].transposed);
}

TEST_F(TiedTensors, EqualCopiesTieAsTheyAre) {
  add("a", {2, 3}, kA);
  add("b", {2, 3}, kA);
  add("c", {3, 2}, kATransposed);
  std::vector<TiedTensor> ties = find();
  ASSERT_EQ(ties.size(), 2u);
  for (const TiedTensor &tie : ties) {
    EXPECT_EQ(tie.of, 0u);
    EXPECT_EQ(tie.transposed, tie.copy == 2u);
  }
}

TEST_F(TiedTensors, ConstantsAndNearCopiesStayApart) {
  // Zero biases and unit scales are equal without being shared.
  add("ln_1.bias", {4}, {0, 0, 0, 0});
  add("ln_2.bias", {4}, {0, 0, 0, 0});
  // Equal at every sampled element but the last.
  std::vector<float> big(64), other(64);
  for (int i = 0; i < 64; ++i)
    big[i] = other[i] = float(i);
  other[63] = -1;
  add("w1", {8, 8}, big);
  add("w2", {8, 8}, other);
  // A square matrix and its transpose: same dims, found transposed.
  std::vector<float> square = {1, 2, 3, 4};
  add("w3", {2, 2}, square);
  add("w4", {2, 2}, {1, 3, 2, 4});
  std::vector<TiedTensor> ties = find();
  ASSERT_EQ(ties.size(), 1u);
  EXPECT_EQ(tensors[ties[0].copy].name, "w4");
  EXPECT_EQ(tensors[ties[0].of].name, "w3");
  EXPECT_TRUE(ties[0].transposed);
}

TEST_F(TiedTensors, UnreadableFileIsAnError) {
  add("a", {2, 3}, kA);
  add("b", {2, 3}, kA);
  tensors[0].path = tensors[1].path = path + ".missing";
  std::vector<const TensorRef *> candidates = {&tensors[0], &tensors[1]};
  std::vector<TiedTensor> ties;
  std::string error;
  EXPECT_FALSE(findTiedTensors(candidates, ties, error));
  EXPECT_NE(error.find(".missing"), std::string::npos) << error;
}

} // namespace
