//===- TensorPlacement.cpp - where a TensorProto's bytes are -------------===//
//
// Once a TensorProto's fields are collected, picks the one field that holds
// its elements, checks it against dims x element size and the types that
// field may carry, and records where the bytes are: a range of the model
// file (raw_data, packed fixed-width fields), bytes decoded from varints or
// joined from pieces, or a range of an external data file.
//
// External data must stay inside the model's folder: the location is checked
// lexically (relative, no escaping `..`) and then by realpath, which catches
// symlinks that point elsewhere.
//
// loadTensorBytes reads a placed tensor's bytes back, with the same checks
// against a file that changed since.
//
//===----------------------------------------------------------------------===//

#include "OnnxDecoder.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pp::onnx {
namespace detail {
namespace {

/// Parses a decimal offset or length as written in external_data.
bool parseSize(const std::string &text, uint64_t &value) {
  if (text.empty() || text.size() > 19)
    return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value <= static_cast<uint64_t>(INT64_MAX);
}

void appendLittleEndian(std::vector<char> &out, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

} // namespace

/// Picks the one field that holds the tensor's elements and records where
/// they are, after checking it against dims and data type.
bool Decoder::placeData(const TensorFields &fields, TensorRef &tensor,
                        const std::string &context) {
  DataType type = tensor.dtype;
  int64_t count = tensor.numElements();
  if (type == DataType::Undefined)
    return invalid(context, "data type is undefined");
  size_t width = elementSize(type);
  if (type != DataType::String && width == 0)
    return invalid(context, "unsupported data type " + dataTypeName(type));
  uint64_t expectedBytes;
  if (__builtin_mul_overflow(static_cast<uint64_t>(count), width,
                             &expectedBytes) ||
      expectedBytes > static_cast<uint64_t>(INT64_MAX))
    return invalid(context, "byte size overflows");

  bool external = fields.externalLocation || !fields.externalData.empty();
  const DataField *inlineFields[] = {
      &fields.raw,    &fields.floats,  &fields.int32s, &fields.strings,
      &fields.int64s, &fields.doubles, &fields.uint64s};
  const DataField *used = nullptr;
  for (const DataField *field : inlineFields) {
    if (field->pieces.empty())
      continue;
    if (used)
      return invalid(context, std::string("holds data in both ") + used->name +
                                  " and " + field->name);
    if (external)
      return invalid(context, std::string("holds data in both ") +
                                  "external data and " + field->name);
    used = field;
  }
  if (external) {
    if (type == DataType::String)
      return invalid(context, "string tensors cannot use external data");
    return placeExternal(fields, tensor, expectedBytes, context);
  }
  if (!used) {
    if (count != 0)
      return invalid(context, "has no data for " + std::to_string(count) + " " +
                                  dataTypeName(type) + " elements");
    return true;
  }

  // Which typed fields may carry which types (onnx.proto, TensorProto).
  auto mismatch = [&] {
    return invalid(context, std::string(used->name) + " cannot hold " +
                                dataTypeName(type) + " elements");
  };
  if (used == &fields.strings) {
    if (type != DataType::String)
      return mismatch();
    if (used->pieces.size() != static_cast<uint64_t>(count))
      return invalid(context, "string_data has " +
                                  std::to_string(used->pieces.size()) +
                                  " values, expected " + std::to_string(count));
    for (Span piece : used->pieces)
      tensor.strings.emplace_back(data + piece.begin, piece.size());
    return true;
  }
  if (type == DataType::String)
    return invalid(context,
                   std::string("string tensors cannot use ") + used->name);
  if (used == &fields.raw)
    return placeFixed(*used, 1, tensor, expectedBytes, context);
  if (used == &fields.floats) {
    if (type != DataType::Float && type != DataType::Complex64)
      return mismatch();
    return placeFixed(*used, 4, tensor, expectedBytes, context);
  }
  if (used == &fields.doubles) {
    if (type != DataType::Double && type != DataType::Complex128)
      return mismatch();
    return placeFixed(*used, 8, tensor, expectedBytes, context);
  }
  if (used == &fields.int64s && type != DataType::Int64)
    return mismatch();
  if (used == &fields.uint64s && type != DataType::UInt32 &&
      type != DataType::UInt64)
    return mismatch();
  if (used == &fields.int32s &&
      (width > 4 || type == DataType::Float || type == DataType::UInt32))
    return mismatch();
  return placeVarints(*used, tensor, count, context);
}

/// Fixed-width data (raw_data, float_data, double_data): one contiguous
/// range is referenced in place; several ranges (unpacked or repeated
/// packed fields) are joined into `decoded`.
bool Decoder::placeFixed(const DataField &field, size_t width,
                         TensorRef &tensor, uint64_t expectedBytes,
                         const std::string &context) {
  uint64_t total = 0;
  for (Span piece : field.pieces)
    total += piece.size();
  if (total != expectedBytes) {
    int64_t count = tensor.numElements();
    if (width == 1)
      return invalid(context, std::string(field.name) + " has " +
                                  std::to_string(total) + " bytes, expected " +
                                  std::to_string(expectedBytes) + " (" +
                                  std::to_string(count) + " x " +
                                  dataTypeName(tensor.dtype) + ")");
    return invalid(context, std::string(field.name) + " has " +
                                std::to_string(total / width) +
                                " values, expected " +
                                std::to_string(expectedBytes / width));
  }
  if (field.pieces.size() == 1) {
    tensor.path = absPath;
    tensor.offset = field.pieces[0].begin;
    tensor.length = total;
    return true;
  }
  tensor.decoded.reserve(total);
  for (Span piece : field.pieces)
    tensor.decoded.insert(tensor.decoded.end(), data + piece.begin,
                          data + piece.end);
  tensor.length = total;
  return true;
}

/// Varint data (int32_data, int64_data, uint64_data): decoded into `decoded`
/// at the element width of the tensor's type. Values are counted before
/// anything is allocated, so the allocation never exceeds dims x width.
bool Decoder::placeVarints(const DataField &field, TensorRef &tensor,
                           int64_t count, const std::string &context) {
  uint64_t values = 0;
  for (Span piece : field.pieces) {
    wire::VarintRun run(data, piece);
    uint64_t value;
    while (run.next(value))
      ++values;
    if (run.failed())
      return malformed(run.problemOffset(), run.problemText());
  }
  if (values != static_cast<uint64_t>(count))
    return invalid(context, std::string(field.name) + " has " +
                                std::to_string(values) + " values, expected " +
                                std::to_string(count));

  size_t width = elementSize(tensor.dtype);
  bool fromInt32 = std::strcmp(field.name, "int32_data") == 0;
  // The range int32_data values must lie in. Bit patterns of 8- and 16-bit
  // floats are accepted as signed or unsigned, since writers differ.
  int64_t low = INT32_MIN, high = INT32_MAX;
  switch (tensor.dtype) {
  case DataType::Int8:
    low = INT8_MIN, high = INT8_MAX;
    break;
  case DataType::UInt8:
    low = 0, high = UINT8_MAX;
    break;
  case DataType::Bool:
    low = 0, high = 1;
    break;
  case DataType::Int16:
    low = INT16_MIN, high = INT16_MAX;
    break;
  case DataType::UInt16:
    low = 0, high = UINT16_MAX;
    break;
  case DataType::Float16:
  case DataType::BFloat16:
    low = INT16_MIN, high = UINT16_MAX;
    break;
  case DataType::Float8E4M3FN:
  case DataType::Float8E4M3FNUZ:
  case DataType::Float8E5M2:
  case DataType::Float8E5M2FNUZ:
    low = INT8_MIN, high = UINT8_MAX;
    break;
  default:
    break;
  }
  tensor.decoded.reserve(static_cast<size_t>(count) * width);
  for (Span piece : field.pieces) {
    wire::VarintRun run(data, piece);
    uint64_t value;
    while (run.next(value)) {
      if (fromInt32) {
        // An int32 on the wire is sign-extended to 64 bits.
        int64_t v = static_cast<int32_t>(static_cast<uint32_t>(value));
        if (v < low || v > high)
          return invalid(context, "int32_data value " + std::to_string(v) +
                                      " does not fit " +
                                      dataTypeName(tensor.dtype));
        value = static_cast<uint64_t>(v);
      } else if (width == 4 && value > UINT32_MAX) {
        return invalid(context, std::string(field.name) + " value " +
                                    std::to_string(value) + " does not fit " +
                                    dataTypeName(tensor.dtype));
      }
      appendLittleEndian(tensor.decoded, value, width);
    }
  }
  tensor.length = tensor.decoded.size();
  return true;
}

bool Decoder::placeExternal(const TensorFields &fields, TensorRef &tensor,
                            uint64_t expectedBytes,
                            const std::string &context) {
  std::string location, offsetText, lengthText;
  bool haveLocation = false, haveOffset = false, haveLength = false;
  for (const auto &entry : fields.externalData) {
    if (entry.first == "location") {
      location = entry.second;
      haveLocation = true;
    } else if (entry.first == "offset") {
      offsetText = entry.second;
      haveOffset = true;
    } else if (entry.first == "length") {
      lengthText = entry.second;
      haveLength = true;
    }
  }
  if (!haveLocation || location.empty())
    return invalid(context, "external data has no location");
  std::string shown = quoted(location);
  if (location.find('\0') != std::string::npos)
    return invalid(context,
                   "external data location " + shown + " contains a NUL byte");
  if (location[0] == '/')
    return invalid(context, "external data location " + shown +
                                " is absolute; it must be relative to the "
                                "model folder");
  // Lexical check first: a `..` that climbs above the folder is refused
  // even when the target happens to resolve back inside.
  int depth = 0;
  for (size_t start = 0; start <= location.size();) {
    size_t slash = location.find('/', start);
    if (slash == std::string::npos)
      slash = location.size();
    std::string part = location.substr(start, slash - start);
    if (part == "..") {
      if (--depth < 0)
        return invalid(context, "external data location " + shown +
                                    " escapes the model folder");
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = slash + 1;
  }
  uint64_t offset = 0, length = 0;
  if (haveOffset && !parseSize(offsetText, offset))
    return invalid(context, "external data offset " + quoted(offsetText) +
                                " is not a byte count");
  if (haveLength && !parseSize(lengthText, length))
    return invalid(context, "external data length " + quoted(lengthText) +
                                " is not a byte count");

  if (realDir.empty()) {
    char resolved[PATH_MAX];
    if (!realpath(dir.c_str(), resolved))
      return invalid(context, "cannot resolve the model folder " + quoted(dir) +
                                  ": " + errnoText());
    realDir = resolved;
  }
  std::string candidate = dir + "/" + location;
  char resolved[PATH_MAX];
  if (!realpath(candidate.c_str(), resolved)) {
    if (errno == ENOENT)
      return invalid(context, "external data file " + shown + " not found");
    return invalid(context, "cannot resolve external data file " + shown +
                                ": " + errnoText());
  }
  std::string target = resolved;
  std::string prefix = realDir == "/" ? "/" : realDir + "/";
  if (target.compare(0, prefix.size(), prefix) != 0)
    return invalid(context, "external data location " + shown +
                                " resolves outside the model folder");
  struct stat info;
  if (stat(target.c_str(), &info) != 0)
    return invalid(context, "cannot stat external data file " + shown + ": " +
                                errnoText());
  if (!S_ISREG(info.st_mode))
    return invalid(context,
                   "external data file " + shown + " is not a regular file");
  uint64_t fileSize = static_cast<uint64_t>(info.st_size);
  if (offset > fileSize)
    return invalid(context, "external data offset " + std::to_string(offset) +
                                " is past the end of " + shown + " (" +
                                std::to_string(fileSize) + " bytes)");
  if (!haveLength)
    length = fileSize - offset;
  if (length > fileSize - offset)
    return invalid(context, "external data range [offset " +
                                std::to_string(offset) + ", length " +
                                std::to_string(length) +
                                ") runs past the end of " + shown + " (" +
                                std::to_string(fileSize) + " bytes)");
  if (length != expectedBytes)
    return invalid(context, "external data length " + std::to_string(length) +
                                " does not match " +
                                std::to_string(tensor.numElements()) + " x " +
                                dataTypeName(tensor.dtype) + " (" +
                                std::to_string(expectedBytes) + " bytes)");
  tensor.path = target;
  tensor.offset = offset;
  tensor.length = length;
  return true;
}

} // namespace detail

using detail::errnoText;
using detail::quoted;

bool loadTensorBytes(const TensorRef &tensor, std::vector<char> &out,
                     std::string &error) {
  std::string label =
      "tensor" + (tensor.name.empty() ? "" : " " + quoted(tensor.name));
  if (tensor.dtype == DataType::String) {
    error = label + ": string tensors have no fixed-width bytes";
    return false;
  }
  size_t width = elementSize(tensor.dtype);
  int64_t count = tensor.numElements();
  uint64_t expected;
  if (width == 0 || count < 0 ||
      __builtin_mul_overflow(static_cast<uint64_t>(count), width, &expected)) {
    error = label + ": invalid data type or dims";
    return false;
  }
  if (tensor.path.empty()) {
    if (tensor.decoded.size() != expected) {
      error = label + ": has " + std::to_string(tensor.decoded.size()) +
              " bytes, expected " + std::to_string(expected);
      return false;
    }
    out = tensor.decoded;
    return true;
  }
  if (tensor.length != expected) {
    error = label + ": length " + std::to_string(tensor.length) +
            " does not match " + std::to_string(count) + " x " +
            dataTypeName(tensor.dtype) + " (" + std::to_string(expected) +
            " bytes)";
    return false;
  }
  int fd = ::open(tensor.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = label + ": cannot open " + quoted(tensor.path) + ": " + errnoText();
    return false;
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    error = label + ": cannot stat " + quoted(tensor.path) + ": " + errnoText();
    ::close(fd);
    return false;
  }
  uint64_t fileSize = static_cast<uint64_t>(info.st_size);
  if (tensor.offset > fileSize || tensor.length > fileSize - tensor.offset) {
    error = label + ": range [offset " + std::to_string(tensor.offset) +
            ", length " + std::to_string(tensor.length) +
            ") runs past the end of " + quoted(tensor.path) + " (" +
            std::to_string(fileSize) + " bytes)";
    ::close(fd);
    return false;
  }
  out.resize(tensor.length);
  uint64_t done = 0;
  while (done < tensor.length) {
    ssize_t got = pread(fd, out.data() + done, tensor.length - done,
                        static_cast<off_t>(tensor.offset + done));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      error = label + ": cannot read " + quoted(tensor.path) + ": " +
              (got < 0 ? errnoText() : std::string("file shrank"));
      ::close(fd);
      out.clear();
      return false;
    }
    done += static_cast<uint64_t>(got);
  }
  ::close(fd);
  return true;
}
} // namespace pp::onnx
