//===- OnnxModel.h - a decoded ONNX model, zero-copy ------------*- C++ -*-===//
//
// Plain structs for the parts of onnx.proto that pp uses, decoded straight
// from the protobuf wire format of an mmap'd file. Tensor bytes are never
// copied: a TensorRef records the file and byte range that hold them, so the
// compiler's memory does not grow with parameter bytes and the runtime can
// read each rank's shard straight from the file.
//
// No MLIR and no libprotobuf here: the runtime reads test-data tensors with
// the same code.
//
//===----------------------------------------------------------------------===//

#ifndef PP_SUPPORT_ONNXMODEL_H
#define PP_SUPPORT_ONNXMODEL_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pp::onnx {

/// TensorProto.DataType values.
enum class DataType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
};

/// Bytes per element; 0 for Undefined, String and unknown values.
size_t elementSize(DataType type);
/// Lower-case ONNX name ("float", "int64", "bfloat16"), or "unknown(N)".
std::string dataTypeName(DataType type);

/// Where a tensor's little-endian element bytes are.
struct TensorRef {
  std::string name;
  DataType dtype = DataType::Undefined;
  std::vector<int64_t> dims;
  /// Absolute path of the file that holds the bytes (the model file for
  /// raw_data and packed fixed-width typed fields, the resolved external
  /// file for external data). Empty when the bytes are in `decoded`.
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
  /// Element bytes decoded from varint typed fields (int32_data, int64_data,
  /// uint64_data), which cannot be referenced in place, and from unpacked
  /// float_data/double_data. `length` is the byte count in both cases.
  std::vector<char> decoded;
  /// The elements of a DataType::String tensor (string_data); such a tensor
  /// has no fixed-width bytes.
  std::vector<std::string> strings;

  /// Product of dims (1 for a scalar); -1 when a dim is negative or the
  /// product overflows int64. Tensors from the reader are always valid.
  int64_t numElements() const;
};

/// One dimension of a ValueInfo: a size, a symbolic name, or unknown.
struct Dim {
  int64_t value = -1;  ///< -1 when not a fixed size
  std::string param;   ///< dim_param, "" when none
};

struct ValueInfo {
  std::string name;
  DataType dtype = DataType::Undefined;
  /// The type is a tensor_type; false for sequences, maps, optionals,
  /// sparse tensors and values without a type.
  bool isTensor = false;
  bool hasShape = false;
  std::vector<Dim> dims;
};

struct Graph;

struct Attribute {
  enum class Kind { Undefined, Float, Int, String, Tensor, Graph, Floats, Ints, Strings, Tensors, Graphs };
  std::string name;
  Kind kind = Kind::Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  TensorRef t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<TensorRef> tensors;
  std::shared_ptr<Graph> g;  ///< subgraph (If/Loop bodies); decoded, unused
  std::vector<std::shared_ptr<Graph>> graphs; ///< GRAPHS attributes
};

struct Node {
  std::string name;
  std::string opType;
  std::string domain;  ///< "" for the default ONNX domain
  std::vector<std::string> inputs;   ///< "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;

  /// The attribute called `name`, or nullptr.
  const Attribute *attr(const std::string &name) const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<TensorRef> initializers;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> valueInfo;
};

struct OpsetImport {
  std::string domain;
  int64_t version = 0;
};

struct Model {
  int64_t irVersion = 0;
  std::vector<OpsetImport> opsets;
  Graph graph;
  std::string path;  ///< absolute path of the model file
  std::string dir;   ///< its folder; external data must stay inside it

  /// Opset version imported for `domain` ("" or "ai.onnx" is the default
  /// domain), or -1 when the model does not import it.
  int64_t opsetFor(const std::string &domain) const;
};

/// Reads and decodes an ONNX model file. External data locations are
/// resolved against the model's folder and rejected when they escape it
/// (`..`, absolute paths, symlinks pointing outside) or when offset+length
/// run past the end of the file. Returns false with a one-line `error` that
/// names the file and what is wrong; never crashes on malformed input.
bool readModel(const std::string &path, Model &model, std::string &error);

/// Same as readModel, on bytes already in memory; `path` names them in
/// errors and anchors external data. Used by the fuzzer.
bool parseModel(const char *data, size_t size, const std::string &path,
                Model &model, std::string &error);

/// Reads a file that holds one serialized TensorProto (the input_N.pb and
/// output_N.pb files of an ONNX test_data_set).
bool readTensorFile(const std::string &path, TensorRef &tensor,
                    std::string &error);

/// Copies a tensor's element bytes into `out` (reading its file region or
/// its decoded bytes); checks that the length equals elements x size.
bool loadTensorBytes(const TensorRef &tensor, std::vector<char> &out,
                     std::string &error);

} // namespace pp::onnx

#endif // PP_SUPPORT_ONNXMODEL_H
