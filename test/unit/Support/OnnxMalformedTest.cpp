//===- OnnxMalformedTest.cpp - the ONNX reader on broken input ------------===//
//
// Truncated, corrupted and random input must end in `false` and a one-line
// error that names the file, never a crash, a hang or a huge allocation
// (the sanitizer build and the fuzzer catch the last two).
//
//===----------------------------------------------------------------------===//

#include "OnnxBuilders.h"

#include "pp/Support/OnnxModel.h"

#include <gtest/gtest.h>

#include <random>

using namespace pp::onnx;
using namespace pp::test;

namespace {

constexpr const char *ModelPath = "model.onnx";

/// Runs the decoder; on failure checks the error's shape and returns it.
bool parse(const std::string &bytes, std::string &error) {
  Model model;
  error.clear();
  bool ok = parseModel(bytes.data(), bytes.size(), ModelPath, model, error);
  if (!ok) {
    EXPECT_EQ(error.rfind("model.onnx: ", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  return ok;
}

std::string parseError(const std::string &bytes) {
  std::string error;
  EXPECT_FALSE(parse(bytes, error));
  return error;
}

/// A small model that uses most message types and data encodings.
std::string smallModel() {
  Proto weights = tensorHeader("w", 1, {2, 2});
  weights.bytes(tensor_field::RawData, floatBytes({1, 2, 3, 4}));
  Proto shape = tensorHeader("shape", 7, {2});
  shape.packedVarints(tensor_field::Int64Data, {2, -1});
  Proto matmul = node("MatMul", {"x", "w"}, {"y"}, "mm");
  Proto reshape = node("Reshape", {"y", "shape"}, {"z"}, "rs");
  reshape.message(node_field::Attribute,
                  Proto()
                      .bytes(attr_field::Name, "allowzero")
                      .varint(attr_field::I, 0)
                      .varint(attr_field::Type, 2));
  Proto graph;
  graph.message(graph_field::Node, matmul)
      .message(graph_field::Node, reshape)
      .bytes(graph_field::Name, "g")
      .message(graph_field::Initializer, weights)
      .message(graph_field::Initializer, shape)
      .message(graph_field::Input, tensorValue("x", 1, {-1, 2}))
      .message(graph_field::Output, tensorValue("z", 1, {-1}));
  return model(graph).str();
}

TEST(OnnxMalformed, SmallModelDecodes) {
  std::string error;
  EXPECT_TRUE(parse(smallModel(), error)) << error;
}

TEST(OnnxMalformed, EveryTruncationFails) {
  std::string bytes = smallModel();
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::string error;
    EXPECT_FALSE(parse(bytes.substr(0, length), error))
        << "prefix of " << length << " bytes decoded";
  }
}

TEST(OnnxMalformed, TruncationErrorNamesTheByte) {
  std::string bytes = smallModel();
  // Cutting the last byte leaves the graph field's length pointing past
  // the end; the graph's tag is where the field starts.
  std::string error = parseError(bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(error.rfind("model.onnx: not a valid ONNX model: truncated "
                        "length-delimited field at byte ",
                        0),
            0u)
      << error;
  EXPECT_EQ(parseError(""), "model.onnx: not a valid ONNX model: it has no "
                            "graph");
}

TEST(OnnxMalformed, EverySingleByteCorruptionIsHandled) {
  std::string bytes = smallModel();
  for (size_t at = 0; at < bytes.size(); ++at)
    for (int value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string corrupt = bytes;
      corrupt[at] = static_cast<char>(value);
      std::string error;
      parse(corrupt, error); // either outcome; it must not crash
    }
}

TEST(OnnxMalformed, RandomBytesAreHandled) {
  std::mt19937 random(1234);
  std::string base = smallModel();
  for (int round = 0; round < 3000; ++round) {
    std::string bytes;
    if (round % 2) {
      bytes.resize(random() % 300);
      for (char &c : bytes)
        c = static_cast<char>(random());
    } else {
      // Mostly valid input with a few random bytes overwritten.
      bytes = base;
      for (int flips = 0; flips < 4; ++flips)
        bytes[random() % bytes.size()] = static_cast<char>(random());
    }
    std::string error;
    parse(bytes, error);
  }
}

TEST(OnnxMalformed, WireLevelErrors) {
  const std::string prefix = "model.onnx: not a valid ONNX model: ";
  EXPECT_EQ(parseError(std::string("\x08", 1)),
            prefix + "truncated varint at byte 1");
  EXPECT_EQ(parseError(std::string("\x08") + std::string(10, '\xff') + "\x01"),
            prefix + "overlong varint at byte 1");
  EXPECT_EQ(parseError(std::string("\x80", 1)),
            prefix + "truncated field tag at byte 0");
  EXPECT_EQ(parseError(std::string("\x00\x00", 2)),
            prefix + "invalid field number at byte 0");
  EXPECT_EQ(parseError(std::string("\x0b\x0c", 2)),
            prefix + "unsupported group field at byte 0");
  EXPECT_EQ(parseError(std::string("\x0e", 1)),
            prefix + "invalid wire type at byte 0");
  EXPECT_EQ(parseError(std::string("\x3a\x05\x00", 3)),
            prefix + "truncated length-delimited field at byte 0");
  EXPECT_EQ(parseError(std::string("\x3a\x80", 2)),
            prefix + "truncated length at byte 1");
  EXPECT_EQ(parseError(std::string("\x0d\x00\x00", 3)),
            prefix + "truncated fixed32 field at byte 1");
  EXPECT_EQ(parseError(std::string("\x09\x00\x00", 3)),
            prefix + "truncated fixed64 field at byte 1");
}

TEST(OnnxMalformed, WrongWireTypeForKnownField) {
  Proto bytes;
  bytes.bytes(model_field::IrVersion, "eight");
  EXPECT_EQ(parseError(bytes.str()),
            "model.onnx: not a valid ONNX model: ModelProto.ir_version has "
            "wire type length-delimited, expected varint at byte 0");
  Proto graph;
  graph.message(graph_field::Node, Proto().varint(node_field::OpType, 1));
  EXPECT_NE(parseError(model(graph).str())
                .find("NodeProto.op_type has wire type varint, expected "
                      "length-delimited at byte "),
            std::string::npos);
  Proto tensor = tensorHeader("t", 1, {1});
  tensor.fixed64(tensor_field::FloatData, 0);
  graph = Proto().message(graph_field::Initializer, tensor);
  EXPECT_NE(parseError(model(graph).str())
                .find("float_data has wire type fixed64, expected "
                      "length-delimited"),
            std::string::npos);
}

TEST(OnnxMalformed, PackedArraysMustBeWhole) {
  Proto tensor = tensorHeader("t", 1, {1});
  tensor.bytes(tensor_field::FloatData, "12345");
  Proto graph;
  graph.message(graph_field::Initializer, tensor);
  EXPECT_NE(parseError(model(graph).str())
                .find("packed float_data length is not a multiple of 4"),
            std::string::npos);
  tensor = tensorHeader("t", 7, {1});
  tensor.bytes(tensor_field::Int64Data, "\x80");
  graph = Proto().message(graph_field::Initializer, tensor);
  EXPECT_NE(parseError(model(graph).str()).find("truncated packed varint"),
            std::string::npos);
}

TEST(OnnxMalformed, DuplicateGraphIsRejected) {
  Proto graph;
  Proto bytes = model(graph);
  bytes.message(model_field::Graph, graph);
  EXPECT_NE(parseError(bytes.str()).find("second ModelProto.graph"),
            std::string::npos);
}

/// A graph holding an If node whose then_branch holds the next level.
Proto nestedGraph(int levels) {
  Proto graph;
  graph.message(graph_field::Node, node("Identity", {"a"}, {"b"}));
  for (int level = 1; level < levels; ++level) {
    Proto branch = node("If", {"c"}, {"d"});
    branch.message(node_field::Attribute, Proto()
                                              .bytes(attr_field::Name, "then")
                                              .message(attr_field::G, graph)
                                              .varint(attr_field::Type, 5));
    graph = Proto().message(graph_field::Node, branch);
  }
  return graph;
}

TEST(OnnxMalformed, SubgraphDepthIsBounded) {
  std::string error;
  EXPECT_TRUE(parse(model(nestedGraph(64)).str(), error)) << error;
  EXPECT_NE(parseError(model(nestedGraph(65)).str())
                .find("subgraphs nested deeper than 64 levels"),
            std::string::npos);
  // Far deeper input fails the same way instead of exhausting the stack.
  EXPECT_FALSE(parse(model(nestedGraph(1000)).str(), error));
}

} // namespace
