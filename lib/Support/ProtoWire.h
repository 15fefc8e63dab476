//===- ProtoWire.h - bounds-checked protobuf wire-format reader -*- C++ -*-===//
//
// Walks the fields of one serialized protobuf message without a schema and
// without copying: a field's payload is reported as a byte range of the
// buffer. Every read is checked against the end of the enclosing message, so
// truncated or hostile input ends the walk with a description of the first
// problem and the byte where it starts, never a read past the buffer.
//
// Groups (wire types 3 and 4) are reported as errors: proto3 and onnx.proto
// never use them.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_SUPPORT_PROTOWIRE_H
#define PP_LIB_SUPPORT_PROTOWIRE_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace pp::onnx::wire {

enum class WireType : uint8_t {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
};

/// "varint", "fixed64", "length-delimited", ... for error messages.
const char *wireTypeName(WireType type);

/// A byte range [begin, end) of the buffer, as offsets from its start so
/// that errors can name the byte.
struct Span {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

struct Field {
  uint32_t number = 0;
  WireType type = WireType::Varint;
  /// Offset of the field's tag.
  size_t tagOffset = 0;
  /// The value of a varint, fixed32 or fixed64 field.
  uint64_t value = 0;
  /// The payload of a length-delimited field; for a fixed-width field the
  /// value's bytes, which packed-array readers reference in place.
  Span payload;
};

enum class VarintStatus { Ok, Truncated, TooLong };

/// Decodes one varint at `pos` (at most 10 bytes, no bits past 64) and
/// advances `pos`. On failure `pos` is unspecified.
VarintStatus readVarint(const char *buffer, size_t &pos, size_t end,
                        uint64_t &value);

/// Iterates over the fields of the message in `span` of `buffer`.
class Reader {
public:
  Reader(const char *buffer, Span span)
      : buffer(buffer), pos(span.begin), end(span.end) {}

  /// Reads the next field. Returns false at the end of the message and on
  /// malformed input; `failed()` tells the two apart.
  bool next(Field &field);

  bool failed() const { return !problem.empty(); }
  /// What is wrong, e.g. "truncated varint", and the byte where it starts.
  const std::string &problemText() const { return problem; }
  size_t problemOffset() const { return problemAt; }

private:
  bool fail(size_t offset, std::string what);

  const char *buffer;
  size_t pos;
  size_t end;
  std::string problem;
  size_t problemAt = 0;
};

/// Iterates over a packed repeated varint field (or a single unpacked one)
/// without allocating.
class VarintRun {
public:
  VarintRun(const char *buffer, Span span)
      : buffer(buffer), pos(span.begin), end(span.end) {}

  /// Reads the next varint; false at the end or when one is malformed, in
  /// which case `failed()` is true and the problem says what and where.
  bool next(uint64_t &value);

  bool failed() const { return problem != nullptr; }
  const char *problemText() const { return problem; }
  size_t problemOffset() const { return problemAt; }

private:
  const char *buffer;
  size_t pos;
  size_t end;
  const char *problem = nullptr;
  size_t problemAt = 0;
};

/// Little-endian loads; the wire format is little-endian on every host.
uint32_t loadLE32(const char *bytes);
uint64_t loadLE64(const char *bytes);

} // namespace pp::onnx::wire

#endif // PP_LIB_SUPPORT_PROTOWIRE_H
