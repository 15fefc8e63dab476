//===- OnnxModel.cpp - zero-copy ONNX protobuf reader ---------------------===//
//
// Decodes the subset of onnx.proto that pp uses straight from the wire format
// (see ProtoWire.h), over an mmap'd file. Each TensorProto is read in two
// steps: its fields are first collected as byte ranges, then, once the whole
// message (and so the tensor's name, type and dims) is known, the one that
// holds the data is checked against dims x element size and turned into a
// TensorRef (TensorPlacement.cpp). Only varint-encoded values and unpacked
// arrays are copied; everything else stays a (file, offset, length)
// reference. The file is read through one short-lived MappedFile.
//
//===----------------------------------------------------------------------===//

#include "pp/Support/OnnxModel.h"

#include "OnnxDecoder.h"
#include "pp/Support/MappedFile.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <unistd.h>

namespace pp::onnx {

size_t elementSize(DataType type) {
  switch (type) {
  case DataType::UInt8:
  case DataType::Int8:
  case DataType::Bool:
  case DataType::Float8E4M3FN:
  case DataType::Float8E4M3FNUZ:
  case DataType::Float8E5M2:
  case DataType::Float8E5M2FNUZ:
    return 1;
  case DataType::UInt16:
  case DataType::Int16:
  case DataType::Float16:
  case DataType::BFloat16:
    return 2;
  case DataType::Float:
  case DataType::Int32:
  case DataType::UInt32:
    return 4;
  case DataType::Int64:
  case DataType::Double:
  case DataType::UInt64:
  case DataType::Complex64:
    return 8;
  case DataType::Complex128:
    return 16;
  case DataType::Undefined:
  case DataType::String:
    return 0;
  }
  return 0;
}

std::string dataTypeName(DataType type) {
  switch (type) {
  case DataType::Undefined:
    return "undefined";
  case DataType::Float:
    return "float";
  case DataType::UInt8:
    return "uint8";
  case DataType::Int8:
    return "int8";
  case DataType::UInt16:
    return "uint16";
  case DataType::Int16:
    return "int16";
  case DataType::Int32:
    return "int32";
  case DataType::Int64:
    return "int64";
  case DataType::String:
    return "string";
  case DataType::Bool:
    return "bool";
  case DataType::Float16:
    return "float16";
  case DataType::Double:
    return "double";
  case DataType::UInt32:
    return "uint32";
  case DataType::UInt64:
    return "uint64";
  case DataType::Complex64:
    return "complex64";
  case DataType::Complex128:
    return "complex128";
  case DataType::BFloat16:
    return "bfloat16";
  case DataType::Float8E4M3FN:
    return "float8e4m3fn";
  case DataType::Float8E4M3FNUZ:
    return "float8e4m3fnuz";
  case DataType::Float8E5M2:
    return "float8e5m2";
  case DataType::Float8E5M2FNUZ:
    return "float8e5m2fnuz";
  }
  return "unknown(" + std::to_string(static_cast<int32_t>(type)) + ")";
}

int64_t TensorRef::numElements() const {
  int64_t count = 1;
  for (int64_t dim : dims)
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count))
      return -1;
  return count;
}

const Attribute *Node::attr(const std::string &attributeName) const {
  for (const Attribute &attribute : attributes)
    if (attribute.name == attributeName)
      return &attribute;
  return nullptr;
}

int64_t Model::opsetFor(const std::string &domain) const {
  auto isDefault = [](const std::string &d) {
    return d.empty() || d == "ai.onnx";
  };
  for (const OpsetImport &opset : opsets)
    if (opset.domain == domain ||
        (isDefault(opset.domain) && isDefault(domain)))
      return opset.version;
  return -1;
}

namespace detail {

std::string escaped(const std::string &text) {
  constexpr size_t MaxShown = 120;
  std::string out;
  for (size_t i = 0; i < text.size() && i < MaxShown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || c == '\\') {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > MaxShown)
    out += "...";
  return out;
}

std::string quoted(const std::string &text) {
  return "'" + escaped(text) + "'";
}

std::string errnoText() { return std::strerror(errno); }

std::string absolutePath(const std::string &path) {
  std::string joined = path;
  if (joined.empty() || joined[0] != '/') {
    char cwd[PATH_MAX];
    std::string base = getcwd(cwd, sizeof(cwd)) ? cwd : "";
    joined = base + "/" + path;
  }
  // Drop empty and "." components; ".." is kept since a lexical fold would
  // be wrong across symlinks.
  std::string out;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos)
      slash = joined.size();
    std::string part = joined.substr(start, slash - start);
    if (!part.empty() && part != ".")
      out += "/" + part;
    start = slash + 1;
  }
  return out.empty() ? "/" : out;
}

std::string parentDir(const std::string &absolute) {
  size_t slash = absolute.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/"
                                                  : absolute.substr(0, slash);
}

namespace {

/// Subgraphs (If/Loop bodies) nest through attributes; bound the recursion
/// so that a hostile file cannot exhaust the stack.
constexpr int MaxGraphDepth = 64;

} // namespace

bool Decoder::malformed(size_t offset, const std::string &problem) {
  error = displayName + ": not a valid " + what + ": " + problem + " at byte " +
          std::to_string(offset);
  return false;
}

bool Decoder::invalid(const std::string &context, const std::string &problem) {
  error = displayName + ": " + context + ": " + problem;
  return false;
}

bool Decoder::finish(const wire::Reader &reader) {
  if (reader.failed())
    return malformed(reader.problemOffset(), reader.problemText());
  return true;
}

bool Decoder::expect(const Field &field, WireType type,
                     const std::string &name) {
  if (field.type == type)
    return true;
  return malformed(field.tagOffset,
                   name + " has wire type " + wire::wireTypeName(field.type) +
                       ", expected " + wire::wireTypeName(type));
}

bool Decoder::readString(const Field &field, const char *name,
                         std::string &out) {
  if (!expect(field, WireType::LengthDelimited, name))
    return false;
  out.assign(data + field.payload.begin, field.payload.size());
  return true;
}

bool Decoder::readInt(const Field &field, const char *name, int64_t &out) {
  if (!expect(field, WireType::Varint, name))
    return false;
  out = static_cast<int64_t>(field.value);
  return true;
}

/// A repeated int64: one varint, or a packed run of them.
bool Decoder::readVarints(const Field &field, const char *name,
                          std::vector<int64_t> &out) {
  if (field.type == WireType::Varint) {
    out.push_back(static_cast<int64_t>(field.value));
    return true;
  }
  if (!expect(field, WireType::LengthDelimited, name))
    return false;
  wire::VarintRun run(data, field.payload);
  uint64_t value;
  while (run.next(value))
    out.push_back(static_cast<int64_t>(value));
  if (run.failed())
    return malformed(run.problemOffset(), run.problemText());
  return true;
}

/// Records one occurrence of a repeated data field. `fixedWidth` is 4 or 8
/// for float/double arrays and 0 for varint arrays; both may be packed.
bool Decoder::collect(const Field &field, DataField &into, size_t fixedWidth) {
  WireType single = fixedWidth == 4   ? WireType::Fixed32
                    : fixedWidth == 8 ? WireType::Fixed64
                                      : WireType::Varint;
  if (field.type != single && !expect(field, WireType::LengthDelimited,
                                      std::string("TensorProto.") + into.name))
    return false;
  if (fixedWidth && field.type == WireType::LengthDelimited &&
      field.payload.size() % fixedWidth)
    return malformed(field.tagOffset, std::string("packed ") + into.name +
                                          " length is not a multiple of " +
                                          std::to_string(fixedWidth));
  into.pieces.push_back(field.payload);
  return true;
}

bool Decoder::decodeModel(Model &model) {
  model = Model();
  model.path = absPath;
  model.dir = dir;
  wire::Reader reader(data, {0, size});
  Field field;
  bool haveGraph = false;
  while (reader.next(field)) {
    switch (field.number) {
    case 1:
      if (!readInt(field, "ModelProto.ir_version", model.irVersion))
        return false;
      break;
    case 7:
      if (!expect(field, WireType::LengthDelimited, "ModelProto.graph"))
        return false;
      if (haveGraph)
        return malformed(field.tagOffset, "second ModelProto.graph");
      haveGraph = true;
      if (!decodeGraph(field.payload, model.graph, 0))
        return false;
      break;
    case 8:
      if (!expect(field, WireType::LengthDelimited, "ModelProto.opset_import"))
        return false;
      model.opsets.emplace_back();
      if (!decodeOpset(field.payload, model.opsets.back()))
        return false;
      break;
    default:
      break;
    }
  }
  if (!finish(reader))
    return false;
  if (!haveGraph) {
    error = displayName + ": not a valid " + what + ": it has no graph";
    return false;
  }
  return true;
}

bool Decoder::decodeTensorFile(TensorRef &tensor) {
  tensor = TensorRef();
  return decodeTensor({0, size}, tensor, "tensor");
}

bool Decoder::decodeOpset(Span span, OpsetImport &opset) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    if (field.number == 1 &&
        !readString(field, "OperatorSetIdProto.domain", opset.domain))
      return false;
    if (field.number == 2 &&
        !readInt(field, "OperatorSetIdProto.version", opset.version))
      return false;
  }
  return finish(reader);
}

bool Decoder::decodeGraph(Span span, Graph &graph, int depth) {
  if (depth >= MaxGraphDepth)
    return malformed(span.begin, "subgraphs nested deeper than " +
                                     std::to_string(MaxGraphDepth) + " levels");
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    switch (field.number) {
    case 1:
      if (!expect(field, WireType::LengthDelimited, "GraphProto.node"))
        return false;
      graph.nodes.emplace_back();
      if (!decodeNode(field.payload, graph.nodes.back(), graph.nodes.size() - 1,
                      depth))
        return false;
      break;
    case 2:
      if (!readString(field, "GraphProto.name", graph.name))
        return false;
      break;
    case 5:
      if (!expect(field, WireType::LengthDelimited, "GraphProto.initializer"))
        return false;
      graph.initializers.emplace_back();
      if (!decodeTensor(field.payload, graph.initializers.back(),
                        "initializer"))
        return false;
      break;
    case 11:
    case 12:
    case 13: {
      const char *name = field.number == 11   ? "GraphProto.input"
                         : field.number == 12 ? "GraphProto.output"
                                              : "GraphProto.value_info";
      if (!expect(field, WireType::LengthDelimited, name))
        return false;
      std::vector<ValueInfo> &list = field.number == 11   ? graph.inputs
                                     : field.number == 12 ? graph.outputs
                                                          : graph.valueInfo;
      list.emplace_back();
      if (!decodeValueInfo(field.payload, list.back()))
        return false;
      break;
    }
    case 15:
      return invalid("graph " + quoted(graph.name),
                     "sparse initializers are not supported");
    default:
      break;
    }
  }
  return finish(reader);
}

bool Decoder::decodeNode(Span span, Node &node, size_t index, int depth) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    switch (field.number) {
    case 1:
      node.inputs.emplace_back();
      if (!readString(field, "NodeProto.input", node.inputs.back()))
        return false;
      break;
    case 2:
      node.outputs.emplace_back();
      if (!readString(field, "NodeProto.output", node.outputs.back()))
        return false;
      break;
    case 3:
      if (!readString(field, "NodeProto.name", node.name))
        return false;
      break;
    case 4:
      if (!readString(field, "NodeProto.op_type", node.opType))
        return false;
      break;
    case 5: {
      if (!expect(field, WireType::LengthDelimited, "NodeProto.attribute"))
        return false;
      // Serializers write name and op_type before attributes, so errors
      // inside an attribute can name the node.
      std::string label = node.name.empty()
                              ? "node #" + std::to_string(index) + " (" +
                                    escaped(node.opType) + ")"
                              : "node " + quoted(node.name);
      node.attributes.emplace_back();
      if (!decodeAttribute(field.payload, node.attributes.back(), label, depth))
        return false;
      break;
    }
    case 7:
      if (!readString(field, "NodeProto.domain", node.domain))
        return false;
      break;
    default:
      break;
    }
  }
  return finish(reader);
}

bool Decoder::decodeAttribute(Span span, Attribute &attribute,
                              const std::string &nodeLabel, int depth) {
  using Kind = Attribute::Kind;
  wire::Reader reader(data, span);
  Field field;
  int64_t declaredType = -1;
  Kind seen = Kind::Undefined; // for files without `type` (IR version < 2)
  auto owner = [&] {
    return nodeLabel + " attribute " + quoted(attribute.name) + " tensor";
  };
  while (reader.next(field)) {
    switch (field.number) {
    case 1:
      if (!readString(field, "AttributeProto.name", attribute.name))
        return false;
      break;
    case 2:
      if (!expect(field, WireType::Fixed32, "AttributeProto.f"))
        return false;
      {
        uint32_t bits = static_cast<uint32_t>(field.value);
        std::memcpy(&attribute.f, &bits, sizeof(bits));
      }
      seen = Kind::Float;
      break;
    case 3:
      if (!readInt(field, "AttributeProto.i", attribute.i))
        return false;
      seen = Kind::Int;
      break;
    case 4:
      if (!readString(field, "AttributeProto.s", attribute.s))
        return false;
      seen = Kind::String;
      break;
    case 5:
      if (!expect(field, WireType::LengthDelimited, "AttributeProto.t"))
        return false;
      attribute.t = TensorRef();
      if (!decodeTensor(field.payload, attribute.t, owner()))
        return false;
      seen = Kind::Tensor;
      break;
    case 6:
      if (!expect(field, WireType::LengthDelimited, "AttributeProto.g"))
        return false;
      attribute.g = std::make_shared<Graph>();
      if (!decodeGraph(field.payload, *attribute.g, depth + 1))
        return false;
      seen = Kind::Graph;
      break;
    case 7:
      if (field.type == WireType::Fixed32) {
        uint32_t bits = static_cast<uint32_t>(field.value);
        float value;
        std::memcpy(&value, &bits, sizeof(bits));
        attribute.floats.push_back(value);
      } else {
        if (!expect(field, WireType::LengthDelimited, "AttributeProto.floats"))
          return false;
        if (field.payload.size() % 4)
          return malformed(field.tagOffset, "packed AttributeProto.floats "
                                            "length is not a multiple of 4");
        for (size_t at = field.payload.begin; at < field.payload.end; at += 4) {
          uint32_t bits = wire::loadLE32(data + at);
          float value;
          std::memcpy(&value, &bits, sizeof(bits));
          attribute.floats.push_back(value);
        }
      }
      seen = Kind::Floats;
      break;
    case 8:
      if (!readVarints(field, "AttributeProto.ints", attribute.ints))
        return false;
      seen = Kind::Ints;
      break;
    case 9:
      attribute.strings.emplace_back();
      if (!readString(field, "AttributeProto.strings",
                      attribute.strings.back()))
        return false;
      seen = Kind::Strings;
      break;
    case 10:
      if (!expect(field, WireType::LengthDelimited, "AttributeProto.tensors"))
        return false;
      attribute.tensors.emplace_back();
      if (!decodeTensor(field.payload, attribute.tensors.back(), owner()))
        return false;
      seen = Kind::Tensors;
      break;
    case 11:
      if (!expect(field, WireType::LengthDelimited, "AttributeProto.graphs"))
        return false;
      attribute.graphs.push_back(std::make_shared<Graph>());
      if (!decodeGraph(field.payload, *attribute.graphs.back(), depth + 1))
        return false;
      seen = Kind::Graphs;
      break;
    case 20:
      if (!readInt(field, "AttributeProto.type", declaredType))
        return false;
      break;
    default:
      break;
    }
  }
  if (!finish(reader))
    return false;
  // AttributeType numbers: FLOAT=1 ... GRAPH=5, FLOATS=6 ... GRAPHS=10.
  // Sparse tensors and type protos (11-14) stay Undefined.
  static const Kind byType[] = {Kind::Undefined, Kind::Float,  Kind::Int,
                                Kind::String,    Kind::Tensor, Kind::Graph,
                                Kind::Floats,    Kind::Ints,   Kind::Strings,
                                Kind::Tensors,   Kind::Graphs};
  if (declaredType >= 0)
    attribute.kind =
        declaredType <= 10 ? byType[declaredType] : Kind::Undefined;
  else
    attribute.kind = seen;
  return true;
}

bool Decoder::decodeValueInfo(Span span, ValueInfo &info) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    if (field.number == 1 &&
        !readString(field, "ValueInfoProto.name", info.name))
      return false;
    if (field.number == 2) {
      if (!expect(field, WireType::LengthDelimited, "ValueInfoProto.type"))
        return false;
      if (!decodeType(field.payload, info))
        return false;
    }
  }
  return finish(reader);
}

bool Decoder::decodeType(Span span, ValueInfo &info) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    // Only tensor_type is decoded; sequences, maps and optionals leave
    // isTensor false.
    if (field.number == 1) {
      if (!expect(field, WireType::LengthDelimited, "TypeProto.tensor_type"))
        return false;
      info.isTensor = true;
      if (!decodeTensorType(field.payload, info))
        return false;
    }
  }
  return finish(reader);
}

bool Decoder::decodeTensorType(Span span, ValueInfo &info) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    if (field.number == 1) {
      int64_t elemType;
      if (!readInt(field, "TypeProto.Tensor.elem_type", elemType))
        return false;
      info.dtype = static_cast<DataType>(static_cast<int32_t>(elemType));
    }
    if (field.number == 2) {
      if (!expect(field, WireType::LengthDelimited, "TypeProto.Tensor.shape"))
        return false;
      info.hasShape = true;
      info.dims.clear();
      if (!decodeShape(field.payload, info))
        return false;
    }
  }
  return finish(reader);
}

bool Decoder::decodeShape(Span span, ValueInfo &info) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    if (field.number == 1) {
      if (!expect(field, WireType::LengthDelimited, "TensorShapeProto.dim"))
        return false;
      info.dims.emplace_back();
      if (!decodeDim(field.payload, info.dims.back()))
        return false;
    }
  }
  return finish(reader);
}

bool Decoder::decodeDim(Span span, Dim &dim) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    // dim_value and dim_param are a oneof: the last one written wins.
    if (field.number == 1) {
      int64_t value;
      if (!readInt(field, "TensorShapeProto.Dimension.dim_value", value))
        return false;
      // Some exporters write -1 for "unknown"; keep that meaning.
      dim.value = value < 0 ? -1 : value;
      dim.param.clear();
    }
    if (field.number == 2) {
      if (!readString(field, "TensorShapeProto.Dimension.dim_param", dim.param))
        return false;
      dim.value = -1;
    }
  }
  return finish(reader);
}

bool Decoder::decodeEntry(Span span,
                          std::pair<std::string, std::string> &entry) {
  wire::Reader reader(data, span);
  Field field;
  while (reader.next(field)) {
    if (field.number == 1 &&
        !readString(field, "StringStringEntryProto.key", entry.first))
      return false;
    if (field.number == 2 &&
        !readString(field, "StringStringEntryProto.value", entry.second))
      return false;
  }
  return finish(reader);
}

bool Decoder::decodeTensor(Span span, TensorRef &tensor,
                           const std::string &owner) {
  wire::Reader reader(data, span);
  Field field;
  TensorFields fields;
  int64_t dataType = 0;
  int64_t location = 0;
  while (reader.next(field)) {
    bool ok = true;
    switch (field.number) {
    case 1:
      ok = readVarints(field, "TensorProto.dims", tensor.dims);
      break;
    case 2:
      ok = readInt(field, "TensorProto.data_type", dataType);
      break;
    case 4:
      ok = collect(field, fields.floats, 4);
      break;
    case 5:
      ok = collect(field, fields.int32s, 0);
      break;
    case 6:
      ok = expect(field, WireType::LengthDelimited, "TensorProto.string_data");
      if (ok)
        fields.strings.pieces.push_back(field.payload);
      break;
    case 7:
      ok = collect(field, fields.int64s, 0);
      break;
    case 8:
      ok = readString(field, "TensorProto.name", tensor.name);
      break;
    case 9:
      // A singular bytes field: the last occurrence wins.
      ok = expect(field, WireType::LengthDelimited, "TensorProto.raw_data");
      if (ok)
        fields.raw.pieces.assign(1, field.payload);
      break;
    case 10:
      ok = collect(field, fields.doubles, 8);
      break;
    case 11:
      ok = collect(field, fields.uint64s, 0);
      break;
    case 13:
      ok =
          expect(field, WireType::LengthDelimited, "TensorProto.external_data");
      if (ok) {
        fields.externalData.emplace_back();
        ok = decodeEntry(field.payload, fields.externalData.back());
      }
      break;
    case 14:
      ok = readInt(field, "TensorProto.data_location", location);
      break;
    default:
      break;
    }
    if (!ok)
      return false;
  }
  if (!finish(reader))
    return false;

  std::string context =
      tensor.name.empty() ? owner : owner + " " + quoted(tensor.name);
  if (dataType < INT32_MIN || dataType > INT32_MAX)
    return invalid(context, "data type " + std::to_string(dataType) +
                                " is out of range");
  tensor.dtype = static_cast<DataType>(static_cast<int32_t>(dataType));
  if (location != 0 && location != 1)
    return invalid(context,
                   "unknown data_location " + std::to_string(location));
  fields.externalLocation = location == 1;
  for (int64_t dim : tensor.dims)
    if (dim < 0)
      return invalid(context, "negative dimension " + std::to_string(dim));
  if (tensor.numElements() < 0)
    return invalid(context, "element count overflows");
  return placeData(fields, tensor, context);
}

} // namespace detail

bool parseModel(const char *data, size_t size, const std::string &path,
                Model &model, std::string &error) {
  detail::Decoder decoder(data, size, path, path, "ONNX model");
  if (decoder.decodeModel(model))
    return true;
  error = decoder.error;
  return false;
}

bool readModel(const std::string &path, Model &model, std::string &error) {
  MappedFile file;
  if (!file.open(path, error))
    return false;
  return parseModel(file.data(), file.size(), path, model, error);
}

bool readTensorFile(const std::string &path, TensorRef &tensor,
                    std::string &error) {
  MappedFile file;
  if (!file.open(path, error))
    return false;
  detail::Decoder decoder(file.data(), file.size(), path, path, "ONNX tensor");
  if (decoder.decodeTensorFile(tensor))
    return true;
  error = decoder.error;
  return false;
}

} // namespace pp::onnx
