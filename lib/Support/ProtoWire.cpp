//===- ProtoWire.cpp - bounds-checked protobuf wire-format reader ---------===//
//
// The wire format is a sequence of (tag, payload) pairs; a tag is a varint
// holding the field number and the wire type. All offsets are checked
// against the end of the enclosing message before any byte is read.
//
//===----------------------------------------------------------------------===//

#include "ProtoWire.h"

#include <utility>

namespace pp::onnx::wire {

const char *wireTypeName(WireType type) {
  switch (type) {
  case WireType::Varint:
    return "varint";
  case WireType::Fixed64:
    return "fixed64";
  case WireType::LengthDelimited:
    return "length-delimited";
  case WireType::StartGroup:
    return "start-group";
  case WireType::EndGroup:
    return "end-group";
  case WireType::Fixed32:
    return "fixed32";
  }
  return "invalid";
}

VarintStatus readVarint(const char *buffer, size_t &pos, size_t end,
                        uint64_t &value) {
  value = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos >= end)
      return VarintStatus::Truncated;
    uint8_t byte = static_cast<uint8_t>(buffer[pos++]);
    // The tenth byte carries bit 63 only; anything more is not a uint64.
    if (shift == 63 && byte > 1)
      return VarintStatus::TooLong;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return VarintStatus::Ok;
  }
  return VarintStatus::TooLong;
}

namespace {
/// "truncated varint" or "overlong varint" for `what` = "varint".
std::string describe(VarintStatus status, const char *what) {
  return std::string(status == VarintStatus::Truncated ? "truncated "
                                                       : "overlong ") +
         what;
}
} // namespace

uint32_t loadLE32(const char *bytes) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

uint64_t loadLE64(const char *bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

bool Reader::fail(size_t offset, std::string what) {
  problem = std::move(what);
  problemAt = offset;
  pos = end; // A failed reader stays at the end.
  return false;
}

bool Reader::next(Field &field) {
  if (pos >= end || failed())
    return false;
  size_t tagStart = pos;
  uint64_t tag;
  VarintStatus status = readVarint(buffer, pos, end, tag);
  if (status != VarintStatus::Ok)
    return fail(tagStart, describe(status, "field tag"));
  uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff)
    return fail(tagStart, "invalid field number");
  field.number = static_cast<uint32_t>(number);
  field.type = static_cast<WireType>(tag & 7);
  field.tagOffset = tagStart;
  field.value = 0;

  switch (field.type) {
  case WireType::Varint: {
    size_t valueStart = pos;
    status = readVarint(buffer, pos, end, field.value);
    if (status != VarintStatus::Ok)
      return fail(valueStart, describe(status, "varint"));
    field.payload = {valueStart, pos};
    return true;
  }
  case WireType::Fixed64:
    if (end - pos < 8)
      return fail(pos, "truncated fixed64 field");
    field.value = loadLE64(buffer + pos);
    field.payload = {pos, pos + 8};
    pos += 8;
    return true;
  case WireType::Fixed32:
    if (end - pos < 4)
      return fail(pos, "truncated fixed32 field");
    field.value = loadLE32(buffer + pos);
    field.payload = {pos, pos + 4};
    pos += 4;
    return true;
  case WireType::LengthDelimited: {
    size_t lengthStart = pos;
    uint64_t length;
    status = readVarint(buffer, pos, end, length);
    if (status != VarintStatus::Ok)
      return fail(lengthStart, describe(status, "length"));
    if (length > end - pos)
      return fail(tagStart, "truncated length-delimited field");
    field.payload = {pos, pos + static_cast<size_t>(length)};
    pos += static_cast<size_t>(length);
    return true;
  }
  case WireType::StartGroup:
  case WireType::EndGroup:
    return fail(tagStart, "unsupported group field");
  }
  return fail(tagStart, "invalid wire type");
}

bool VarintRun::next(uint64_t &value) {
  if (pos >= end || failed())
    return false;
  size_t start = pos;
  VarintStatus status = readVarint(buffer, pos, end, value);
  if (status == VarintStatus::Ok)
    return true;
  problem = status == VarintStatus::Truncated ? "truncated packed varint"
                                              : "overlong packed varint";
  problemAt = start;
  pos = end;
  return false;
}

} // namespace pp::onnx::wire
