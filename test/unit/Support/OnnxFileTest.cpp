//===- OnnxFileTest.cpp - ONNX files, external data and tensor files ------===//
//
// Each test works in its own temporary folder: models, external data files
// and symlinks are written there, read back through readModel,
// readTensorFile and loadTensorBytes, and removed afterwards.
//
//===----------------------------------------------------------------------===//

#include "OnnxBuilders.h"

#include "pp/Support/OnnxModel.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace pp::onnx;
using namespace pp::test;

namespace {

class OnnxFile : public ::testing::Test {
protected:
  void SetUp() override {
    char pattern[] = "/tmp/pp-onnx-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root = pattern;
    dir = root + "/model";
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  }
  void TearDown() override {
    std::string command = "rm -rf '" + root + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }

  void write(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    ASSERT_TRUE(out.good()) << path;
  }

  /// A model with one float initializer 'w1' of `dims` stored externally
  /// with the given external_data entries; returns the model's path.
  std::string writeExternalModel(
      const std::vector<std::pair<std::string, std::string>> &entries,
      const std::vector<int64_t> &dims = {4}) {
    Proto tensor = tensorHeader("w1", 1, dims);
    for (const auto &entry : entries)
      tensor.message(tensor_field::ExternalData,
                     Proto().bytes(1, entry.first).bytes(2, entry.second));
    tensor.varint(tensor_field::DataLocation, 1);
    Proto graph;
    graph.message(graph_field::Initializer, tensor);
    std::string path = dir + "/model.onnx";
    write(path, model(graph).str());
    return path;
  }

  /// The error for a model that must fail, or "" when it decoded.
  std::string readError(const std::string &path) {
    Model model;
    std::string error;
    if (readModel(path, model, error))
      return "";
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  }

  std::string root; ///< removed at the end
  std::string dir;  ///< the model folder, inside root
};

std::string counting(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<char>(i * 7);
  return bytes;
}

TEST_F(OnnxFile, ReadsModelAndLoadsRawData) {
  Proto tensor = tensorHeader("w", 1, {3});
  tensor.bytes(tensor_field::RawData, floatBytes({1, 2, 3}));
  Proto graph;
  graph.message(graph_field::Initializer, tensor);
  std::string path = dir + "/model.onnx";
  write(path, model(graph).str());

  Model m;
  std::string error;
  ASSERT_TRUE(readModel(path, m, error)) << error;
  EXPECT_EQ(m.path, path);
  EXPECT_EQ(m.dir, dir);
  const TensorRef &w = m.graph.initializers[0];
  EXPECT_EQ(w.path, path);
  std::vector<char> bytes;
  ASSERT_TRUE(loadTensorBytes(w, bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), floatBytes({1, 2, 3}));

  // Nothing of the model stays mapped once readModel returns.
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  EXPECT_EQ(text.str().find(path), std::string::npos);
}

TEST_F(OnnxFile, RelativePathsBecomeAbsolute) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  Model m;
  std::string error;
  std::string bytes = model(Proto()).str();
  ASSERT_TRUE(parseModel(bytes.data(), bytes.size(), "./sub//m.onnx", m, error))
      << error;
  EXPECT_EQ(m.path, std::string(cwd) + "/sub/m.onnx");
  EXPECT_EQ(m.dir, std::string(cwd) + "/sub");
}

TEST_F(OnnxFile, OpenErrors) {
  Model m;
  std::string error;
  EXPECT_FALSE(readModel(dir + "/missing.onnx", m, error));
  EXPECT_EQ(error, dir + "/missing.onnx: cannot open: No such file or "
                         "directory");
  EXPECT_FALSE(readModel(dir, m, error));
  EXPECT_EQ(error, dir + ": not a regular file");
  write(dir + "/empty.onnx", "");
  EXPECT_FALSE(readModel(dir + "/empty.onnx", m, error));
  EXPECT_EQ(error, dir + "/empty.onnx: not a valid ONNX model: it has no "
                         "graph");
}

TEST_F(OnnxFile, ExternalDataWithOffsetAndLength) {
  std::string data = counting(10000);
  write(dir + "/w.bin", data);
  std::string path = writeExternalModel(
      {{"location", "w.bin"}, {"offset", "4096"}, {"length", "16"}});
  Model m;
  std::string error;
  ASSERT_TRUE(readModel(path, m, error)) << error;
  const TensorRef &w = m.graph.initializers[0];
  EXPECT_EQ(w.path, dir + "/w.bin");
  EXPECT_EQ(w.offset, 4096u);
  EXPECT_EQ(w.length, 16u);
  std::vector<char> bytes;
  ASSERT_TRUE(loadTensorBytes(w, bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), data.substr(4096, 16));
}

TEST_F(OnnxFile, ExternalDataLengthDefaultsToTheRestOfTheFile) {
  write(dir + "/w.bin", counting(24));
  std::string path =
      writeExternalModel({{"location", "w.bin"}, {"offset", "8"}});
  Model m;
  std::string error;
  ASSERT_TRUE(readModel(path, m, error)) << error;
  EXPECT_EQ(m.graph.initializers[0].offset, 8u);
  EXPECT_EQ(m.graph.initializers[0].length, 16u);
  // Unknown keys (checksum) are ignored.
  path = writeExternalModel({{"location", "w.bin"},
                             {"checksum", "abc"},
                             {"offset", "0"},
                             {"length", "24"}},
                            {6});
  EXPECT_EQ(readError(path), "");
}

TEST_F(OnnxFile, ExternalDataInSubfolders) {
  ASSERT_EQ(mkdir((dir + "/sub").c_str(), 0755), 0);
  write(dir + "/sub/w.bin", counting(16));
  write(dir + "/w.bin", counting(16));
  EXPECT_EQ(readError(writeExternalModel({{"location", "sub/w.bin"}})), "");
  EXPECT_EQ(readError(writeExternalModel({{"location", "sub/../w.bin"}})), "");
  EXPECT_EQ(readError(writeExternalModel({{"location", "./sub/./w.bin"}})), "");
}

TEST_F(OnnxFile, ExternalDataMustStayInTheModelFolder) {
  write(root + "/secret.bin", counting(16));
  std::string prefix = dir + "/model.onnx: initializer 'w1': ";
  EXPECT_EQ(readError(writeExternalModel({{"location", "../secret.bin"}})),
            prefix + "external data location '../secret.bin' escapes the "
                     "model folder");
  EXPECT_EQ(
      readError(writeExternalModel({{"location", "sub/../../model/w.bin"}})),
      prefix + "external data location 'sub/../../model/w.bin' "
               "escapes the model folder");
  std::string absolute = root + "/secret.bin";
  EXPECT_EQ(readError(writeExternalModel({{"location", absolute}})),
            prefix + "external data location '" + absolute +
                "' is absolute; it must be relative to the model folder");
  ASSERT_EQ(symlink(absolute.c_str(), (dir + "/link.bin").c_str()), 0);
  EXPECT_EQ(readError(writeExternalModel({{"location", "link.bin"}})),
            prefix + "external data location 'link.bin' resolves outside "
                     "the model folder");
  ASSERT_EQ(symlink(root.c_str(), (dir + "/up").c_str()), 0);
  EXPECT_EQ(readError(writeExternalModel({{"location", "up/secret.bin"}})),
            prefix + "external data location 'up/secret.bin' resolves "
                     "outside the model folder");
  // A symlink that stays inside the folder is fine.
  write(dir + "/real.bin", counting(16));
  ASSERT_EQ(symlink("real.bin", (dir + "/alias.bin").c_str()), 0);
  EXPECT_EQ(readError(writeExternalModel({{"location", "alias.bin"}})), "");
}

TEST_F(OnnxFile, ExternalDataFileAndRangeErrors) {
  write(dir + "/w.bin", counting(10000));
  std::string prefix = dir + "/model.onnx: initializer 'w1': ";
  EXPECT_EQ(readError(writeExternalModel({{"location", "nope.bin"}})),
            prefix + "external data file 'nope.bin' not found");
  EXPECT_EQ(readError(writeExternalModel(
                {{"location", "w.bin"}, {"offset", "4096"}, {"length", "8192"}},
                {2048})),
            prefix + "external data range [offset 4096, length 8192) runs "
                     "past the end of 'w.bin' (10000 bytes)");
  EXPECT_EQ(readError(writeExternalModel(
                {{"location", "w.bin"}, {"offset", "20000"}})),
            prefix + "external data offset 20000 is past the end of 'w.bin' "
                     "(10000 bytes)");
  EXPECT_EQ(readError(writeExternalModel(
                {{"location", "w.bin"}, {"offset", "0"}, {"length", "12"}})),
            prefix + "external data length 12 does not match 4 x float (16 "
                     "bytes)");
  EXPECT_EQ(readError(writeExternalModel({{"location", "w.bin"}})),
            prefix + "external data length 10000 does not match 4 x float "
                     "(16 bytes)");
  EXPECT_EQ(
      readError(writeExternalModel({{"location", "w.bin"}, {"offset", "-1"}})),
      prefix + "external data offset '-1' is not a byte count");
  EXPECT_EQ(readError(writeExternalModel(
                {{"location", "w.bin"}, {"length", "99999999999999999999"}})),
            prefix + "external data length '99999999999999999999' is not a "
                     "byte count");
  EXPECT_EQ(readError(writeExternalModel({{"offset", "0"}})),
            prefix + "external data has no location");
  ASSERT_EQ(mkdir((dir + "/folder").c_str(), 0755), 0);
  EXPECT_EQ(readError(writeExternalModel({{"location", "folder"}})),
            prefix + "external data file 'folder' is not a regular file");
}

TEST_F(OnnxFile, ExternalDataExcludesInlineData) {
  write(dir + "/w.bin", counting(16));
  Proto tensor = tensorHeader("w1", 1, {4});
  tensor.bytes(tensor_field::RawData, floatBytes({1, 2, 3, 4}))
      .message(tensor_field::ExternalData,
               Proto().bytes(1, "location").bytes(2, "w.bin"))
      .varint(tensor_field::DataLocation, 1);
  Proto graph;
  graph.message(graph_field::Initializer, tensor);
  write(dir + "/model.onnx", model(graph).str());
  EXPECT_EQ(readError(dir + "/model.onnx"),
            dir + "/model.onnx: initializer 'w1': holds data in both "
                  "external data and raw_data");
}

TEST_F(OnnxFile, ReadsTensorFiles) {
  Proto tensor = tensorHeader("input", 7, {3});
  tensor.packedVarints(tensor_field::Int64Data, {1, 2, 3});
  write(dir + "/input_0.pb", tensor.str());
  TensorRef ref;
  std::string error;
  ASSERT_TRUE(readTensorFile(dir + "/input_0.pb", ref, error)) << error;
  EXPECT_EQ(ref.name, "input");
  EXPECT_EQ(ref.dtype, DataType::Int64);
  std::vector<char> bytes;
  ASSERT_TRUE(loadTensorBytes(ref, bytes, error)) << error;
  ASSERT_EQ(bytes.size(), 24u);
  EXPECT_EQ(bytes[8], 2);

  Proto raw = tensorHeader("", 1, {2});
  raw.bytes(tensor_field::RawData, floatBytes({5, 6}));
  write(dir + "/output_0.pb", raw.str());
  ASSERT_TRUE(readTensorFile(dir + "/output_0.pb", ref, error)) << error;
  EXPECT_EQ(ref.path, dir + "/output_0.pb");
  ASSERT_TRUE(loadTensorBytes(ref, bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), floatBytes({5, 6}));

  write(dir + "/bad.pb", raw.str().substr(0, raw.size() - 2));
  EXPECT_FALSE(readTensorFile(dir + "/bad.pb", ref, error));
  EXPECT_EQ(error.rfind(dir + "/bad.pb: not a valid ONNX tensor: truncated "
                              "length-delimited field at byte ",
                        0),
            0u)
      << error;
  write(dir + "/short.pb", tensorHeader("", 1, {2}).str());
  EXPECT_FALSE(readTensorFile(dir + "/short.pb", ref, error));
  EXPECT_EQ(error, dir + "/short.pb: tensor: has no data for 2 float elements");
}

TEST_F(OnnxFile, LoadTensorBytesChecksItsRange) {
  write(dir + "/w.bin", counting(16));
  TensorRef ref;
  ref.name = "w";
  ref.dtype = DataType::Float;
  ref.dims = {4};
  ref.path = dir + "/w.bin";
  ref.length = 16;
  std::vector<char> bytes;
  std::string error;
  ASSERT_TRUE(loadTensorBytes(ref, bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), counting(16));

  ref.offset = 8; // the file has shrunk since the model was read
  EXPECT_FALSE(loadTensorBytes(ref, bytes, error));
  EXPECT_EQ(error, "tensor 'w': range [offset 8, length 16) runs past the "
                   "end of '" +
                       dir + "/w.bin' (16 bytes)");
  ref.offset = 0;
  ref.length = 12;
  EXPECT_FALSE(loadTensorBytes(ref, bytes, error));
  EXPECT_EQ(error, "tensor 'w': length 12 does not match 4 x float (16 bytes)");
  ref.length = 16;
  ref.path = dir + "/gone.bin";
  EXPECT_FALSE(loadTensorBytes(ref, bytes, error));
  EXPECT_EQ(error, "tensor 'w': cannot open '" + dir +
                       "/gone.bin': No such file or directory");

  TensorRef decoded;
  decoded.dtype = DataType::Int16;
  decoded.dims = {2};
  decoded.decoded = {1, 0, 2, 0};
  decoded.length = 4;
  ASSERT_TRUE(loadTensorBytes(decoded, bytes, error)) << error;
  EXPECT_EQ(bytes, decoded.decoded);
  decoded.dims = {3};
  EXPECT_FALSE(loadTensorBytes(decoded, bytes, error));
  EXPECT_EQ(error, "tensor: has 4 bytes, expected 6");
}

} // namespace
