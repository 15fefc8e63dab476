//===- OnnxModelTest.cpp - decoding ONNX models and tensors ---------------===//
//
// Models are built field by field with ProtoEncoder, decoded with
// parseModel, and the result compared with what was written. Tensor refs are
// checked by reading the referenced bytes back out of the buffer.
//
//===----------------------------------------------------------------------===//

#include "OnnxBuilders.h"

#include "pp/Support/OnnxModel.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace pp::onnx;
using namespace pp::test;

namespace {

constexpr const char *ModelPath = "/models/m/model.onnx";

/// Parses `bytes` and expects success.
Model parseOk(const std::string &bytes) {
  Model model;
  std::string error;
  EXPECT_TRUE(parseModel(bytes.data(), bytes.size(), ModelPath, model, error))
      << error;
  return model;
}

/// Parses `bytes` and returns the error, expecting failure.
std::string parseError(const std::string &bytes) {
  Model model;
  std::string error;
  EXPECT_FALSE(parseModel(bytes.data(), bytes.size(), ModelPath, model, error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return error;
}

/// A model whose graph has one initializer.
std::string modelWithInitializer(const Proto &tensor) {
  Proto graph;
  graph.bytes(graph_field::Name, "g").message(graph_field::Initializer, tensor);
  return model(graph).str();
}

/// A model whose only node carries one attribute.
std::string modelWithAttribute(const Proto &attribute) {
  Proto constant = node("Constant", {}, {"y"}, "c");
  constant.message(node_field::Attribute, attribute);
  Proto graph;
  graph.message(graph_field::Node, constant);
  return model(graph).str();
}

/// The bytes a file-backed ref points at, when the file is `buffer`.
std::string refBytes(const TensorRef &tensor, const std::string &buffer) {
  EXPECT_EQ(tensor.path, ModelPath);
  EXPECT_LE(tensor.offset + tensor.length, buffer.size());
  return buffer.substr(tensor.offset, tensor.length);
}

std::string asString(const std::vector<char> &bytes) {
  return std::string(bytes.begin(), bytes.end());
}

template <typename T> std::string leBytes(const std::vector<T> &values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(&out[0], values.data(), out.size()); // tests run little-endian
  return out;
}

TEST(OnnxModel, ElementSizesAndNames) {
  EXPECT_EQ(elementSize(DataType::Float), 4u);
  EXPECT_EQ(elementSize(DataType::BFloat16), 2u);
  EXPECT_EQ(elementSize(DataType::Bool), 1u);
  EXPECT_EQ(elementSize(DataType::Int64), 8u);
  EXPECT_EQ(elementSize(DataType::Complex128), 16u);
  EXPECT_EQ(elementSize(DataType::String), 0u);
  EXPECT_EQ(elementSize(DataType::Undefined), 0u);
  EXPECT_EQ(elementSize(static_cast<DataType>(99)), 0u);
  EXPECT_EQ(dataTypeName(DataType::Float), "float");
  EXPECT_EQ(dataTypeName(DataType::BFloat16), "bfloat16");
  EXPECT_EQ(dataTypeName(DataType::UInt64), "uint64");
  EXPECT_EQ(dataTypeName(static_cast<DataType>(99)), "unknown(99)");
}

TEST(OnnxModel, NumElements) {
  TensorRef tensor;
  EXPECT_EQ(tensor.numElements(), 1); // scalar
  tensor.dims = {2, 3, 4};
  EXPECT_EQ(tensor.numElements(), 24);
  tensor.dims = {5, 0};
  EXPECT_EQ(tensor.numElements(), 0);
  tensor.dims = {-1, 3};
  EXPECT_EQ(tensor.numElements(), -1);
  tensor.dims = {int64_t(1) << 40, int64_t(1) << 40};
  EXPECT_EQ(tensor.numElements(), -1);
}

TEST(OnnxModel, OpsetForTreatsAiOnnxAsDefault) {
  Model model;
  model.opsets = {{"ai.onnx", 17}, {"com.microsoft", 1}};
  EXPECT_EQ(model.opsetFor(""), 17);
  EXPECT_EQ(model.opsetFor("ai.onnx"), 17);
  EXPECT_EQ(model.opsetFor("com.microsoft"), 1);
  EXPECT_EQ(model.opsetFor("ai.onnx.ml"), -1);
  model.opsets = {{"", 13}};
  EXPECT_EQ(model.opsetFor("ai.onnx"), 13);
}

TEST(OnnxModel, DecodesModelGraphAndNodes) {
  Proto matmul = node("MatMul", {"x", "w"}, {"y"}, "mm");
  Proto custom = node("Gelu", {"y", ""}, {"z"});
  custom.bytes(node_field::Domain, "com.microsoft");
  Proto graph;
  graph.message(graph_field::Node, matmul)
      .message(graph_field::Node, custom)
      .bytes(graph_field::Name, "main")
      .message(graph_field::Input, tensorValue("x", 1, {-1, 64}))
      .message(graph_field::Output, tensorValue("z", 1, {-1, 128}))
      .message(graph_field::ValueInfo, tensorValue("y", 10, {}));
  Proto ms;
  ms.bytes(1, "com.microsoft").varint(2, 1);
  Proto bytes = model(graph, 17);
  bytes.message(model_field::OpsetImport, ms);

  Model m = parseOk(bytes.str());
  EXPECT_EQ(m.irVersion, 8);
  EXPECT_EQ(m.path, ModelPath);
  EXPECT_EQ(m.dir, "/models/m");
  ASSERT_EQ(m.opsets.size(), 2u);
  EXPECT_EQ(m.opsetFor(""), 17);
  EXPECT_EQ(m.opsetFor("com.microsoft"), 1);
  EXPECT_EQ(m.graph.name, "main");
  ASSERT_EQ(m.graph.nodes.size(), 2u);
  const Node &first = m.graph.nodes[0];
  EXPECT_EQ(first.name, "mm");
  EXPECT_EQ(first.opType, "MatMul");
  EXPECT_EQ(first.domain, "");
  EXPECT_EQ(first.inputs, (std::vector<std::string>{"x", "w"}));
  EXPECT_EQ(first.outputs, (std::vector<std::string>{"y"}));
  const Node &second = m.graph.nodes[1];
  EXPECT_EQ(second.domain, "com.microsoft");
  EXPECT_EQ(second.inputs, (std::vector<std::string>{"y", ""}));

  ASSERT_EQ(m.graph.inputs.size(), 1u);
  const ValueInfo &x = m.graph.inputs[0];
  EXPECT_EQ(x.name, "x");
  EXPECT_TRUE(x.isTensor);
  EXPECT_EQ(x.dtype, DataType::Float);
  EXPECT_TRUE(x.hasShape);
  ASSERT_EQ(x.dims.size(), 2u);
  EXPECT_EQ(x.dims[0].value, -1);
  EXPECT_EQ(x.dims[0].param, "N0");
  EXPECT_EQ(x.dims[1].value, 64);
  EXPECT_EQ(x.dims[1].param, "");
  ASSERT_EQ(m.graph.valueInfo.size(), 1u);
  EXPECT_EQ(m.graph.valueInfo[0].dtype, DataType::Float16);
  EXPECT_TRUE(m.graph.valueInfo[0].hasShape); // a scalar has a shape
  EXPECT_TRUE(m.graph.valueInfo[0].dims.empty());
}

TEST(OnnxModel, ValueInfoWithoutShapeOrTensorType) {
  Proto tensorType;
  tensorType.varint(1, 7); // elem_type only: rank unknown
  Proto type;
  type.message(1, tensorType);
  Proto noShape;
  noShape.bytes(1, "a").message(2, type);
  Proto sequenceType;
  sequenceType.message(1, type); // Sequence.elem_type
  Proto seqType;
  seqType.message(4, sequenceType);
  Proto sequence;
  sequence.bytes(1, "s").message(2, seqType);
  Proto unknownDim;
  unknownDim.message(1, Proto()); // a Dimension with neither field
  Proto shape;
  shape.message(2, unknownDim);
  Proto typeWithShape;
  typeWithShape.message(
      1, Proto().varint(1, 1).message(2, Proto().message(1, Proto())));
  Proto graph;
  graph.message(graph_field::Input, noShape)
      .message(graph_field::Input, sequence)
      .message(graph_field::Input,
               Proto().bytes(1, "u").message(2, typeWithShape));
  Model m = parseOk(model(graph).str());
  ASSERT_EQ(m.graph.inputs.size(), 3u);
  EXPECT_TRUE(m.graph.inputs[0].isTensor);
  EXPECT_EQ(m.graph.inputs[0].dtype, DataType::Int64);
  EXPECT_FALSE(m.graph.inputs[0].hasShape);
  EXPECT_FALSE(m.graph.inputs[1].isTensor);
  EXPECT_EQ(m.graph.inputs[1].dtype, DataType::Undefined);
  ASSERT_EQ(m.graph.inputs[2].dims.size(), 1u);
  EXPECT_EQ(m.graph.inputs[2].dims[0].value, -1);
  EXPECT_EQ(m.graph.inputs[2].dims[0].param, "");
}

TEST(OnnxModel, SkipsUnknownFieldsOfEveryWireType) {
  Proto graph;
  graph.varint(900, 5)
      .fixed32(901, 7)
      .fixed64(902, 9)
      .bytes(903, "ignored")
      .bytes(10, "doc string")
      .message(graph_field::Node, node("Relu", {"a"}, {"b"}));
  Proto bytes;
  bytes.bytes(2, "producer").varint(5, 3).fixed64(999, 1);
  bytes.raw(model(graph).str());
  Model m = parseOk(bytes.str());
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].opType, "Relu");
}

TEST(OnnxModel, AttributeScalars) {
  Model m = parseOk(modelWithAttribute(Proto()
                                           .bytes(attr_field::Name, "alpha")
                                           .floatValue(attr_field::F, 0.5f)
                                           .varint(attr_field::Type, 1)));
  const Attribute *alpha = m.graph.nodes[0].attr("alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->kind, Attribute::Kind::Float);
  EXPECT_EQ(alpha->f, 0.5f);
  EXPECT_EQ(m.graph.nodes[0].attr("beta"), nullptr);

  m = parseOk(modelWithAttribute(Proto()
                                     .bytes(attr_field::Name, "axis")
                                     .varint(attr_field::I, uint64_t(-3))
                                     .varint(attr_field::Type, 2)));
  EXPECT_EQ(m.graph.nodes[0].attr("axis")->kind, Attribute::Kind::Int);
  EXPECT_EQ(m.graph.nodes[0].attr("axis")->i, -3);

  m = parseOk(modelWithAttribute(Proto()
                                     .bytes(attr_field::Name, "mode")
                                     .bytes(attr_field::S, "constant")
                                     .varint(attr_field::Type, 3)));
  EXPECT_EQ(m.graph.nodes[0].attr("mode")->kind, Attribute::Kind::String);
  EXPECT_EQ(m.graph.nodes[0].attr("mode")->s, "constant");
}

TEST(OnnxModel, AttributeListsPackedAndUnpacked) {
  Proto attribute;
  attribute.bytes(attr_field::Name, "perm")
      .packedVarints(attr_field::Ints, {0, 2})
      .varint(attr_field::Ints, 1) // unpacked element after a packed run
      .varint(attr_field::Type, 7);
  Model m = parseOk(modelWithAttribute(attribute));
  EXPECT_EQ(m.graph.nodes[0].attr("perm")->kind, Attribute::Kind::Ints);
  EXPECT_EQ(m.graph.nodes[0].attr("perm")->ints,
            (std::vector<int64_t>{0, 2, 1}));

  Proto floats;
  floats.bytes(attr_field::Name, "scales")
      .floatValue(attr_field::Floats, 1.5f)
      .packedFloats(attr_field::Floats, {2.0f, -0.25f})
      .varint(attr_field::Type, 6);
  m = parseOk(modelWithAttribute(floats));
  EXPECT_EQ(m.graph.nodes[0].attr("scales")->kind, Attribute::Kind::Floats);
  EXPECT_EQ(m.graph.nodes[0].attr("scales")->floats,
            (std::vector<float>{1.5f, 2.0f, -0.25f}));

  Proto strings;
  strings.bytes(attr_field::Name, "names")
      .bytes(attr_field::Strings, "a")
      .bytes(attr_field::Strings, "")
      .varint(attr_field::Type, 8);
  m = parseOk(modelWithAttribute(strings));
  EXPECT_EQ(m.graph.nodes[0].attr("names")->strings,
            (std::vector<std::string>{"a", ""}));

  // An empty list has no elements on the wire; `type` still names it.
  m = parseOk(modelWithAttribute(
      Proto().bytes(attr_field::Name, "pads").varint(attr_field::Type, 7)));
  EXPECT_EQ(m.graph.nodes[0].attr("pads")->kind, Attribute::Kind::Ints);
  EXPECT_TRUE(m.graph.nodes[0].attr("pads")->ints.empty());
}

TEST(OnnxModel, AttributeKindInferredWithoutType) {
  Model m = parseOk(modelWithAttribute(
      Proto().bytes(attr_field::Name, "k").varint(attr_field::I, 4)));
  EXPECT_EQ(m.graph.nodes[0].attr("k")->kind, Attribute::Kind::Int);
  // TYPE_PROTO (13) is not decoded: the kind stays Undefined.
  m = parseOk(modelWithAttribute(Proto()
                                     .bytes(attr_field::Name, "type")
                                     .bytes(14, "opaque")
                                     .varint(attr_field::Type, 13)));
  EXPECT_EQ(m.graph.nodes[0].attr("type")->kind, Attribute::Kind::Undefined);
}

TEST(OnnxModel, AttributeTensorsAndGraphs) {
  Proto value = tensorHeader("", 1, {2});
  value.bytes(tensor_field::RawData, floatBytes({1.0f, 2.0f}));
  Proto body;
  body.bytes(graph_field::Name, "body")
      .message(graph_field::Node, node("Identity", {"a"}, {"b"}));
  Proto constant = node("If", {"cond"}, {"y"}, "if");
  constant
      .message(node_field::Attribute, Proto()
                                          .bytes(attr_field::Name, "value")
                                          .message(attr_field::T, value)
                                          .varint(attr_field::Type, 4))
      .message(node_field::Attribute,
               Proto()
                   .bytes(attr_field::Name, "then_branch")
                   .message(attr_field::G, body)
                   .varint(attr_field::Type, 5))
      .message(node_field::Attribute, Proto()
                                          .bytes(attr_field::Name, "list")
                                          .message(attr_field::Tensors, value)
                                          .message(attr_field::Tensors, value)
                                          .varint(attr_field::Type, 9))
      .message(node_field::Attribute, Proto()
                                          .bytes(attr_field::Name, "bodies")
                                          .message(attr_field::Graphs, body)
                                          .varint(attr_field::Type, 10));
  Proto graph;
  graph.message(graph_field::Node, constant);
  std::string bytes = model(graph).str();
  Model m = parseOk(bytes);
  const Node &n = m.graph.nodes[0];
  const Attribute *t = n.attr("value");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->kind, Attribute::Kind::Tensor);
  EXPECT_EQ(t->t.dtype, DataType::Float);
  EXPECT_EQ(refBytes(t->t, bytes), floatBytes({1.0f, 2.0f}));
  const Attribute *g = n.attr("then_branch");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->kind, Attribute::Kind::Graph);
  ASSERT_NE(g->g, nullptr);
  EXPECT_EQ(g->g->name, "body");
  EXPECT_EQ(g->g->nodes[0].opType, "Identity");
  EXPECT_EQ(n.attr("list")->kind, Attribute::Kind::Tensors);
  EXPECT_EQ(n.attr("list")->tensors.size(), 2u);
  EXPECT_EQ(n.attr("bodies")->kind, Attribute::Kind::Graphs);
  ASSERT_EQ(n.attr("bodies")->graphs.size(), 1u);
  EXPECT_EQ(n.attr("bodies")->graphs[0]->name, "body");
}

TEST(OnnxModel, RawDataIsReferencedInPlace) {
  Proto tensor = tensorHeader("w", 1, {2, 3});
  std::string payload = floatBytes({1, 2, 3, 4, 5, 6});
  tensor.bytes(tensor_field::RawData, payload);
  std::string bytes = modelWithInitializer(tensor);
  Model m = parseOk(bytes);
  ASSERT_EQ(m.graph.initializers.size(), 1u);
  const TensorRef &w = m.graph.initializers[0];
  EXPECT_EQ(w.name, "w");
  EXPECT_EQ(w.dtype, DataType::Float);
  EXPECT_EQ(w.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(w.numElements(), 6);
  EXPECT_EQ(w.length, 24u);
  EXPECT_TRUE(w.decoded.empty());
  EXPECT_EQ(refBytes(w, bytes), payload);
}

TEST(OnnxModel, PackedFloatAndDoubleDataAreReferencedInPlace) {
  Proto floats = tensorHeader("f", 1, {3});
  floats.packedFloats(tensor_field::FloatData, {0.5f, -1.0f, 3.0f});
  std::string bytes = modelWithInitializer(floats);
  Model m = parseOk(bytes);
  EXPECT_EQ(refBytes(m.graph.initializers[0], bytes),
            leBytes<float>({0.5f, -1.0f, 3.0f}));

  Proto doubles = tensorHeader("d", 11, {2});
  doubles.packedDoubles(tensor_field::DoubleData, {0.25, 1e300});
  bytes = modelWithInitializer(doubles);
  m = parseOk(bytes);
  EXPECT_EQ(m.graph.initializers[0].dtype, DataType::Double);
  EXPECT_EQ(refBytes(m.graph.initializers[0], bytes),
            leBytes<double>({0.25, 1e300}));
}

TEST(OnnxModel, UnpackedFloatAndDoubleDataAreDecoded) {
  Proto floats = tensorHeader("f", 1, {2});
  floats.floatValue(tensor_field::FloatData, 7.0f)
      .floatValue(tensor_field::FloatData, 8.0f);
  Model m = parseOk(modelWithInitializer(floats));
  const TensorRef &f = m.graph.initializers[0];
  EXPECT_TRUE(f.path.empty());
  EXPECT_EQ(f.length, 8u);
  EXPECT_EQ(asString(f.decoded), leBytes<float>({7.0f, 8.0f}));

  Proto doubles = tensorHeader("d", 11, {2});
  doubles.doubleValue(tensor_field::DoubleData, -2.5)
      .packedDoubles(tensor_field::DoubleData, {4.0});
  m = parseOk(modelWithInitializer(doubles));
  EXPECT_EQ(asString(m.graph.initializers[0].decoded),
            leBytes<double>({-2.5, 4.0}));
}

TEST(OnnxModel, Int64DataPackedAndUnpacked) {
  Proto packed = tensorHeader("shape", 7, {3});
  packed.packedVarints(tensor_field::Int64Data, {1, -1, int64_t(1) << 40});
  Model m = parseOk(modelWithInitializer(packed));
  const TensorRef &shape = m.graph.initializers[0];
  EXPECT_TRUE(shape.path.empty());
  EXPECT_EQ(shape.length, 24u);
  EXPECT_EQ(asString(shape.decoded),
            leBytes<int64_t>({1, -1, int64_t(1) << 40}));

  Proto unpacked = tensorHeader("axes", 7, {2});
  unpacked.varint(tensor_field::Int64Data, 5)
      .varint(tensor_field::Int64Data, uint64_t(-7));
  m = parseOk(modelWithInitializer(unpacked));
  EXPECT_EQ(asString(m.graph.initializers[0].decoded),
            leBytes<int64_t>({5, -7}));
}

TEST(OnnxModel, Int32DataTakesTheElementWidthOfItsType) {
  struct Case {
    int dataType;
    std::vector<int64_t> values;
    std::string expected;
  };
  std::vector<Case> cases = {
      {6, {-2, 70000}, leBytes<int32_t>({-2, 70000})},
      {5, {-300, 300}, leBytes<int16_t>({-300, 300})},
      {4, {65535, 1}, leBytes<uint16_t>({65535, 1})},
      {3, {-128, 127}, leBytes<int8_t>({-128, 127})},
      {2, {255, 0}, leBytes<uint8_t>({255, 0})},
      {9, {1, 0}, leBytes<uint8_t>({1, 0})},
      {10, {0x3c00, 0xc000}, leBytes<uint16_t>({0x3c00, 0xc000})},
      {16, {0x3f80, 0x4000}, leBytes<uint16_t>({0x3f80, 0x4000})},
  };
  for (const Case &c : cases) {
    Proto tensor = tensorHeader("t", c.dataType, {2});
    tensor.packedVarints(tensor_field::Int32Data, c.values);
    Model m = parseOk(modelWithInitializer(tensor));
    ASSERT_EQ(m.graph.initializers.size(), 1u);
    EXPECT_EQ(asString(m.graph.initializers[0].decoded), c.expected)
        << "data type " << c.dataType;
    EXPECT_EQ(m.graph.initializers[0].length, c.expected.size());
  }
  // Unpacked int32_data, negative values sign-extended to 64 bits.
  Proto unpacked = tensorHeader("t", 3, {2});
  unpacked.varint(tensor_field::Int32Data, uint64_t(-5))
      .varint(tensor_field::Int32Data, 6);
  Model m = parseOk(modelWithInitializer(unpacked));
  EXPECT_EQ(asString(m.graph.initializers[0].decoded),
            leBytes<int8_t>({-5, 6}));
}

TEST(OnnxModel, Uint64DataForUint32AndUint64) {
  Proto u64 = tensorHeader("u", 13, {2});
  u64.packedVarints(tensor_field::Uint64Data, {int64_t(-1), 3});
  Model m = parseOk(modelWithInitializer(u64));
  EXPECT_EQ(asString(m.graph.initializers[0].decoded),
            leBytes<uint64_t>({~uint64_t(0), 3}));
  Proto u32 = tensorHeader("u", 12, {1});
  u32.varint(tensor_field::Uint64Data, 0xffffffffu);
  m = parseOk(modelWithInitializer(u32));
  EXPECT_EQ(asString(m.graph.initializers[0].decoded),
            leBytes<uint32_t>({0xffffffffu}));
  u32 = tensorHeader("u", 12, {1});
  u32.varint(tensor_field::Uint64Data, 0x100000000ull);
  EXPECT_NE(parseError(modelWithInitializer(u32))
                .find("uint64_data value 4294967296 does not fit uint32"),
            std::string::npos);
}

TEST(OnnxModel, StringTensors) {
  Proto tensor = tensorHeader("s", 8, {2});
  tensor.bytes(tensor_field::StringData, "hello")
      .bytes(tensor_field::StringData, "");
  Model m = parseOk(modelWithInitializer(tensor));
  const TensorRef &s = m.graph.initializers[0];
  EXPECT_EQ(s.dtype, DataType::String);
  EXPECT_EQ(s.strings, (std::vector<std::string>{"hello", ""}));
  std::vector<char> out;
  std::string error;
  EXPECT_FALSE(loadTensorBytes(s, out, error));
  EXPECT_EQ(error, "tensor 's': string tensors have no fixed-width bytes");
}

TEST(OnnxModel, EmptyAndScalarTensors) {
  Proto empty = tensorHeader("e", 1, {0, 4});
  Proto scalar = tensorHeader("s", 7, {});
  scalar.varint(tensor_field::Int64Data, 42);
  Proto graph;
  graph.message(graph_field::Initializer, empty)
      .message(graph_field::Initializer, scalar);
  Model m = parseOk(model(graph).str());
  const TensorRef &e = m.graph.initializers[0];
  EXPECT_EQ(e.numElements(), 0);
  EXPECT_EQ(e.length, 0u);
  const TensorRef &s = m.graph.initializers[1];
  EXPECT_TRUE(s.dims.empty());
  EXPECT_EQ(s.numElements(), 1);
  EXPECT_EQ(asString(s.decoded), leBytes<int64_t>({42}));
}

TEST(OnnxModel, TensorFieldsInAnyOrder) {
  // Data before dims and type, as a hand-written file might have it.
  Proto tensor;
  tensor.bytes(tensor_field::RawData, floatBytes({1, 2}))
      .bytes(tensor_field::Name, "late")
      .varint(tensor_field::Dims, 2)
      .varint(tensor_field::DataType, 1);
  std::string bytes = modelWithInitializer(tensor);
  Model m = parseOk(bytes);
  EXPECT_EQ(m.graph.initializers[0].dims, (std::vector<int64_t>{2}));
  EXPECT_EQ(refBytes(m.graph.initializers[0], bytes), floatBytes({1, 2}));
}

TEST(OnnxModel, RawDataLengthMustMatchDims) {
  Proto tensor = tensorHeader("w1", 1, {2, 3});
  tensor.bytes(tensor_field::RawData, std::string(10, '\0'));
  EXPECT_EQ(parseError(modelWithInitializer(tensor)),
            "/models/m/model.onnx: initializer 'w1': raw_data has 10 bytes, "
            "expected 24 (6 x float)");
}

TEST(OnnxModel, TypedDataCountMustMatchDims) {
  Proto floats = tensorHeader("f", 1, {3});
  floats.packedFloats(tensor_field::FloatData, {1, 2});
  EXPECT_EQ(parseError(modelWithInitializer(floats)),
            "/models/m/model.onnx: initializer 'f': float_data has 2 values, "
            "expected 3");
  Proto ints = tensorHeader("i", 7, {1});
  ints.packedVarints(tensor_field::Int64Data, {1, 2});
  EXPECT_EQ(parseError(modelWithInitializer(ints)),
            "/models/m/model.onnx: initializer 'i': int64_data has 2 values, "
            "expected 1");
  Proto strings = tensorHeader("s", 8, {2});
  strings.bytes(tensor_field::StringData, "x");
  EXPECT_NE(parseError(modelWithInitializer(strings))
                .find("string_data has 1 values, expected 2"),
            std::string::npos);
}

TEST(OnnxModel, TensorDataErrors) {
  auto errorFor = [](Proto tensor) {
    return parseError(modelWithInitializer(tensor));
  };
  std::string prefix = "/models/m/model.onnx: initializer 't': ";
  EXPECT_EQ(errorFor(tensorHeader("t", 1, {2})
                         .packedVarints(tensor_field::Int64Data, {1, 2})),
            prefix + "int64_data cannot hold float elements");
  EXPECT_EQ(errorFor(tensorHeader("t", 7, {1})
                         .packedVarints(tensor_field::Int32Data, {1})),
            prefix + "int32_data cannot hold int64 elements");
  EXPECT_EQ(errorFor(tensorHeader("t", 1, {1})
                         .packedFloats(tensor_field::FloatData, {1})
                         .bytes(tensor_field::RawData, floatBytes({1}))),
            prefix + "holds data in both raw_data and float_data");
  EXPECT_EQ(errorFor(tensorHeader("t", 1, {2})),
            prefix + "has no data for 2 float elements");
  EXPECT_EQ(errorFor(tensorHeader("t", 0, {1})),
            prefix + "data type is undefined");
  EXPECT_EQ(errorFor(tensorHeader("t", 99, {1})),
            prefix + "unsupported data type unknown(99)");
  EXPECT_EQ(
      errorFor(tensorHeader("t", 8, {1}).bytes(tensor_field::RawData, "x")),
      prefix + "string tensors cannot use raw_data");
  EXPECT_EQ(errorFor(tensorHeader("t", 3, {1})
                         .packedVarints(tensor_field::Int32Data, {200})),
            prefix + "int32_data value 200 does not fit int8");
  EXPECT_EQ(
      errorFor(tensorHeader("t", 1, {1}).varint(tensor_field::DataLocation, 2)),
      prefix + "unknown data_location 2");
}

TEST(OnnxModel, AbsurdDimsAreRejected) {
  EXPECT_EQ(
      parseError(modelWithInitializer(
          tensorHeader("t", 1, {4, -2}).bytes(tensor_field::RawData, ""))),
      "/models/m/model.onnx: initializer 't': negative dimension -2");
  EXPECT_EQ(parseError(modelWithInitializer(
                tensorHeader("t", 1, {int64_t(1) << 40, int64_t(1) << 40})
                    .bytes(tensor_field::RawData, ""))),
            "/models/m/model.onnx: initializer 't': element count overflows");
  // Elements fit int64 but their bytes do not.
  EXPECT_EQ(
      parseError(modelWithInitializer(tensorHeader("t", 11, {int64_t(1) << 61})
                                          .bytes(tensor_field::RawData, ""))),
      "/models/m/model.onnx: initializer 't': byte size overflows");
  // A plausible count with no bytes behind it fails on length, without
  // allocating.
  EXPECT_NE(parseError(modelWithInitializer(
                           tensorHeader("t", 7, {int64_t(1) << 40})
                               .packedVarints(tensor_field::Int64Data, {1})))
                .find("int64_data has 1 values, expected 1099511627776"),
            std::string::npos);
}

TEST(OnnxModel, AttributeTensorErrorsNameTheNode) {
  Proto bad = tensorHeader("", 1, {2});
  bad.bytes(tensor_field::RawData, "abc");
  std::string error = parseError(modelWithAttribute(
      Proto().bytes(attr_field::Name, "value").message(attr_field::T, bad)));
  EXPECT_EQ(error, "/models/m/model.onnx: node 'c' attribute 'value' tensor: "
                   "raw_data has 3 bytes, expected 8 (2 x float)");
  // An unnamed node is named by position and op type.
  Proto unnamed = node("Constant", {}, {"y"});
  unnamed.message(
      node_field::Attribute,
      Proto().bytes(attr_field::Name, "value").message(attr_field::T, bad));
  Proto graph;
  graph.message(graph_field::Node, node("Relu", {"a"}, {"b"}))
      .message(graph_field::Node, unnamed);
  EXPECT_NE(parseError(model(graph).str())
                .find("node #1 (Constant) attribute 'value' tensor:"),
            std::string::npos);
}

TEST(OnnxModel, SparseInitializersAreUnsupported) {
  Proto graph;
  graph.bytes(graph_field::Name, "g")
      .message(graph_field::SparseInitializer, Proto());
  EXPECT_EQ(parseError(model(graph).str()),
            "/models/m/model.onnx: graph 'g': sparse initializers are not "
            "supported");
}

TEST(OnnxModel, NamesInErrorsAreEscaped) {
  Proto tensor = tensorHeader("a\nb", 1, {1});
  EXPECT_EQ(parseError(modelWithInitializer(tensor)),
            "/models/m/model.onnx: initializer 'a\\x0ab': has no data for 1 "
            "float elements");
  // Found by the fuzzer: an op type with a newline named an unnamed node.
  Proto bad = tensorHeader("", 1, {1});
  Proto constant = node("Const\nant", {}, {"y"});
  constant.message(
      node_field::Attribute,
      Proto().bytes(attr_field::Name, "value").message(attr_field::T, bad));
  Proto graph;
  graph.message(graph_field::Node, constant);
  EXPECT_NE(parseError(model(graph).str()).find("node #0 (Const\\x0aant)"),
            std::string::npos);
}

} // namespace
