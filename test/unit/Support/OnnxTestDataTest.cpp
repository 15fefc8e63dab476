//===- OnnxTestDataTest.cpp - the reader on ONNX's own test models --------===//
//
// Debian's libonnx-testdata holds ~1000 models written by the ONNX exporters
// (node tests, PyTorch conversions, small real models) and their input and
// output tensors. Every model must decode, every initializer's bytes must
// load, and every .pb that holds a tensor must read. Test data for sequence
// and optional values (SequenceProto, OptionalProto) is not a TensorProto
// and is skipped. The test skips itself when the package is not installed.
//
//===----------------------------------------------------------------------===//

#include "pp/Support/OnnxModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <dirent.h>
#include <set>
#include <sys/stat.h>

using namespace pp::onnx;

namespace {

constexpr const char *TestDataRoot = "/usr/share/libonnx-testdata/data";

std::vector<std::string> listDir(const std::string &path) {
  std::vector<std::string> names;
  if (DIR *dir = opendir(path.c_str())) {
    while (dirent *entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..")
        names.push_back(name);
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool isFile(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

/// The graph value a test-data file holds: input_N.pb is the N-th graph
/// input that is not an initializer, output_N.pb the N-th output.
const ValueInfo *valueFor(const Model &model, const std::string &file) {
  std::set<std::string> initialized;
  for (const TensorRef &tensor : model.graph.initializers)
    initialized.insert(tensor.name);
  std::vector<const ValueInfo *> inputs;
  for (const ValueInfo &input : model.graph.inputs)
    if (!initialized.count(input.name))
      inputs.push_back(&input);
  auto index = [&](const char *prefix) -> long {
    size_t length = std::char_traits<char>::length(prefix);
    if (file.compare(0, length, prefix) != 0)
      return -1;
    return std::strtol(file.c_str() + length, nullptr, 10);
  };
  long in = index("input_"), out = index("output_");
  if (in >= 0 && static_cast<size_t>(in) < inputs.size())
    return inputs[in];
  if (out >= 0 && static_cast<size_t>(out) < model.graph.outputs.size())
    return &model.graph.outputs[out];
  return nullptr;
}

TEST(OnnxTestData, EveryModelAndTensorDecodes) {
  if (!isFile(std::string(TestDataRoot) + "/node/test_abs/model.onnx"))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  size_t models = 0, tensors = 0, skipped = 0;
  for (const std::string &suite : listDir(TestDataRoot)) {
    for (const std::string &test :
         listDir(std::string(TestDataRoot) + "/" + suite)) {
      std::string folder = std::string(TestDataRoot) + "/" + suite + "/" + test;
      if (!isFile(folder + "/model.onnx"))
        continue;
      Model model;
      std::string error;
      ASSERT_TRUE(readModel(folder + "/model.onnx", model, error)) << error;
      ++models;
      for (const TensorRef &tensor : model.graph.initializers) {
        if (tensor.dtype == DataType::String)
          continue;
        std::vector<char> bytes;
        EXPECT_TRUE(loadTensorBytes(tensor, bytes, error)) << error;
      }
      for (const std::string &set : listDir(folder)) {
        if (set.compare(0, 14, "test_data_set_") != 0)
          continue;
        for (const std::string &file : listDir(folder + "/" + set)) {
          if (file.size() < 3 || file.substr(file.size() - 3) != ".pb")
            continue;
          const ValueInfo *value = valueFor(model, file);
          if (value && !value->isTensor) {
            ++skipped;
            continue;
          }
          std::string path = folder + "/" + set + "/" + file;
          TensorRef tensor;
          ASSERT_TRUE(readTensorFile(path, tensor, error)) << error;
          ++tensors;
          // onnx 1.12 wrote bfloat16 test data as uint16 tensors.
          bool bfloat16AsUInt16 = value && value->dtype == DataType::BFloat16 &&
                                  tensor.dtype == DataType::UInt16;
          if (value && value->dtype != DataType::Undefined &&
              !bfloat16AsUInt16) {
            EXPECT_EQ(tensor.dtype, value->dtype) << path;
          }
          if (tensor.dtype == DataType::String)
            continue;
          std::vector<char> bytes;
          EXPECT_TRUE(loadTensorBytes(tensor, bytes, error)) << error;
        }
      }
    }
  }
  // Debian 12's package (onnx 1.12) has 1072 models and ~3200 tensors.
  EXPECT_GT(models, 1000u);
  EXPECT_GT(tensors, 3000u);
  RecordProperty("models", static_cast<int>(models));
  RecordProperty("tensors", static_cast<int>(tensors));
  RecordProperty("skipped", static_cast<int>(skipped));
}

} // namespace
