//===- OnnxBuilders.h - small ONNX messages for reader tests ----*- C++ -*-===//
//
// Field numbers of onnx.proto and helpers that build the common messages,
// so that each test spells out only the fields it is about.
//
//===----------------------------------------------------------------------===//

#ifndef PP_TEST_UNIT_SUPPORT_ONNXBUILDERS_H
#define PP_TEST_UNIT_SUPPORT_ONNXBUILDERS_H

#include "ProtoEncoder.h"

#include <string>
#include <vector>

namespace pp::test {

// onnx.proto field numbers (checked against onnx 1.12's onnx.proto).
namespace model_field {
enum : uint32_t { IrVersion = 1, Graph = 7, OpsetImport = 8 };
}
namespace graph_field {
enum : uint32_t {
  Node = 1,
  Name = 2,
  Initializer = 5,
  Input = 11,
  Output = 12,
  ValueInfo = 13,
  SparseInitializer = 15
};
}
namespace node_field {
enum : uint32_t {
  Input = 1,
  Output = 2,
  Name = 3,
  OpType = 4,
  Attribute = 5,
  Domain = 7
};
}
namespace attr_field {
enum : uint32_t {
  Name = 1,
  F = 2,
  I = 3,
  S = 4,
  T = 5,
  G = 6,
  Floats = 7,
  Ints = 8,
  Strings = 9,
  Tensors = 10,
  Graphs = 11,
  Type = 20
};
}
namespace tensor_field {
enum : uint32_t {
  Dims = 1,
  DataType = 2,
  FloatData = 4,
  Int32Data = 5,
  StringData = 6,
  Int64Data = 7,
  Name = 8,
  RawData = 9,
  DoubleData = 10,
  Uint64Data = 11,
  ExternalData = 13,
  DataLocation = 14
};
}

/// A TensorProto header: packed dims, data_type and name, no data yet.
inline Proto tensorHeader(const std::string &name, int dataType,
                          const std::vector<int64_t> &dims) {
  Proto tensor;
  if (!dims.empty())
    tensor.packedVarints(tensor_field::Dims, dims);
  tensor.varint(tensor_field::DataType, static_cast<uint64_t>(dataType));
  if (!name.empty())
    tensor.bytes(tensor_field::Name, name);
  return tensor;
}

/// Little-endian bytes of float values, for raw_data.
inline std::string floatBytes(const std::vector<float> &values) {
  Proto bytes;
  for (float value : values) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    bytes.putLE(bits, 4);
  }
  return bytes.str();
}

inline Proto node(const std::string &opType,
                  const std::vector<std::string> &inputs,
                  const std::vector<std::string> &outputs,
                  const std::string &name = "") {
  Proto node;
  for (const std::string &input : inputs)
    node.bytes(node_field::Input, input);
  for (const std::string &output : outputs)
    node.bytes(node_field::Output, output);
  if (!name.empty())
    node.bytes(node_field::Name, name);
  node.bytes(node_field::OpType, opType);
  return node;
}

/// ValueInfoProto of a tensor; a negative dim becomes dim_param "N<i>".
inline Proto tensorValue(const std::string &name, int elemType,
                         const std::vector<int64_t> &dims) {
  Proto shape;
  for (size_t i = 0; i < dims.size(); ++i) {
    Proto dim;
    if (dims[i] >= 0)
      dim.varint(1, static_cast<uint64_t>(dims[i]));
    else
      dim.bytes(2, "N" + std::to_string(i));
    shape.message(1, dim);
  }
  Proto tensorType;
  tensorType.varint(1, static_cast<uint64_t>(elemType)).message(2, shape);
  Proto type;
  type.message(1, tensorType);
  Proto info;
  info.bytes(1, name).message(2, type);
  return info;
}

/// A ModelProto with the graph last, so that every strict prefix of it
/// lacks a complete graph.
inline Proto model(const Proto &graph, int64_t opset = 17) {
  Proto opsetImport;
  opsetImport.bytes(1, "").varint(2, static_cast<uint64_t>(opset));
  Proto model;
  model.varint(model_field::IrVersion, 8)
      .message(model_field::OpsetImport, opsetImport)
      .message(model_field::Graph, graph);
  return model;
}

} // namespace pp::test

#endif // PP_TEST_UNIT_SUPPORT_ONNXBUILDERS_H
