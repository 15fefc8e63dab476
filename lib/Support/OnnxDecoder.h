//===- OnnxDecoder.h - the ONNX wire-format decoder -------------*- C++ -*-===//
//
// Private to lib/Support: the decoder's state, shared by the files that
// implement it. OnnxModel.cpp decodes the messages; TensorPlacement.cpp
// checks each tensor's data field (or external data) against its dims and
// type and records where the bytes are.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_SUPPORT_ONNXDECODER_H
#define PP_LIB_SUPPORT_ONNXDECODER_H

#include "ProtoWire.h"
#include "pp/Support/OnnxModel.h"

#include <string>
#include <utility>
#include <vector>

namespace pp::onnx::detail {

using wire::Field;
using wire::Span;
using wire::WireType;

/// `text` made safe for a one-line message: control bytes are escaped and
/// very long names cut.
std::string escaped(const std::string &text);
/// escaped(text) in single quotes.
std::string quoted(const std::string &text);
/// strerror(errno).
std::string errnoText();
/// Absolute form of `path`, without resolving symlinks: external data is
/// relative to the folder the model was named in, as in the ONNX tools.
std::string absolutePath(const std::string &path);
/// The folder of an absolute path.
std::string parentDir(const std::string &absolute);

/// One typed or raw data field of a TensorProto as it appeared on the wire:
/// every occurrence, packed or not, as a byte range. For fixed-width types
/// the ranges hold the little-endian values; for varint types, varints.
struct DataField {
  const char *name = nullptr;
  std::vector<Span> pieces;
};

struct TensorFields {
  DataField raw{"raw_data", {}};
  DataField floats{"float_data", {}};
  DataField int32s{"int32_data", {}};
  DataField strings{"string_data", {}};
  DataField int64s{"int64_data", {}};
  DataField doubles{"double_data", {}};
  DataField uint64s{"uint64_data", {}};
  std::vector<std::pair<std::string, std::string>> externalData;
  bool externalLocation = false;
};
class Decoder {
public:
  Decoder(const char *data, size_t size, std::string displayName,
          const std::string &path, const char *what)
      : data(data), size(size), displayName(std::move(displayName)),
        absPath(absolutePath(path)), dir(parentDir(absPath)), what(what) {}

  bool decodeModel(Model &model);
  bool decodeTensorFile(TensorRef &tensor);

  std::string error;

private:
  bool malformed(size_t offset, const std::string &problem);
  bool invalid(const std::string &context, const std::string &problem);
  bool finish(const wire::Reader &reader);
  bool expect(const Field &field, WireType type, const std::string &name);
  bool readString(const Field &field, const char *name, std::string &out);
  bool readInt(const Field &field, const char *name, int64_t &out);
  bool readVarints(const Field &field, const char *name,
                   std::vector<int64_t> &out);
  bool collect(const Field &field, DataField &into, size_t fixedWidth);

  bool decodeGraph(Span span, Graph &graph, int depth);
  bool decodeNode(Span span, Node &node, size_t index, int depth);
  bool decodeAttribute(Span span, Attribute &attribute,
                       const std::string &nodeLabel, int depth);
  bool decodeValueInfo(Span span, ValueInfo &info);
  bool decodeType(Span span, ValueInfo &info);
  bool decodeTensorType(Span span, ValueInfo &info);
  bool decodeShape(Span span, ValueInfo &info);
  bool decodeDim(Span span, Dim &dim);
  bool decodeOpset(Span span, OpsetImport &opset);
  bool decodeEntry(Span span, std::pair<std::string, std::string> &entry);
  bool decodeTensor(Span span, TensorRef &tensor, const std::string &owner);

  bool placeData(const TensorFields &fields, TensorRef &tensor,
                 const std::string &context);
  bool placeFixed(const DataField &field, size_t width, TensorRef &tensor,
                  uint64_t expectedBytes, const std::string &context);
  bool placeVarints(const DataField &field, TensorRef &tensor, int64_t count,
                    const std::string &context);
  bool placeExternal(const TensorFields &fields, TensorRef &tensor,
                     uint64_t expectedBytes, const std::string &context);

  const char *data;
  size_t size;
  std::string displayName;
  std::string absPath;
  std::string dir;
  const char *what;
  std::string realDir; ///< realpath of `dir`, resolved on first use
};

} // namespace pp::onnx::detail

#endif // PP_LIB_SUPPORT_ONNXDECODER_H
