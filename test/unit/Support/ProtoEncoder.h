//===- ProtoEncoder.h - protobuf wire-format writer for tests ---*- C++ -*-===//
//
// Builds serialized protobuf messages field by field so that the ONNX reader
// tests need neither Python nor libprotobuf. It writes whatever it is told,
// including encodings a real serializer would not choose (unpacked arrays,
// fields out of order, wrong wire types), which is what the tests need.
//
//===----------------------------------------------------------------------===//

#ifndef PP_TEST_UNIT_SUPPORT_PROTOENCODER_H
#define PP_TEST_UNIT_SUPPORT_PROTOENCODER_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace pp::test {

class Proto {
public:
  Proto &varint(uint32_t field, uint64_t value) {
    tag(field, 0);
    putVarint(value);
    return *this;
  }
  Proto &fixed32(uint32_t field, uint32_t value) {
    tag(field, 5);
    putLE(value, 4);
    return *this;
  }
  Proto &fixed64(uint32_t field, uint64_t value) {
    tag(field, 1);
    putLE(value, 8);
    return *this;
  }
  Proto &floatValue(uint32_t field, float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    return fixed32(field, bits);
  }
  Proto &doubleValue(uint32_t field, double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    return fixed64(field, bits);
  }
  Proto &bytes(uint32_t field, const std::string &payload) {
    tag(field, 2);
    putVarint(payload.size());
    out += payload;
    return *this;
  }
  Proto &message(uint32_t field, const Proto &inner) {
    return bytes(field, inner.str());
  }
  Proto &packedVarints(uint32_t field, const std::vector<int64_t> &values) {
    Proto payload;
    for (int64_t value : values)
      payload.putVarint(static_cast<uint64_t>(value));
    return bytes(field, payload.str());
  }
  Proto &packedFloats(uint32_t field, const std::vector<float> &values) {
    Proto payload;
    for (float value : values) {
      uint32_t bits;
      std::memcpy(&bits, &value, 4);
      payload.putLE(bits, 4);
    }
    return bytes(field, payload.str());
  }
  Proto &packedDoubles(uint32_t field, const std::vector<double> &values) {
    Proto payload;
    for (double value : values) {
      uint64_t bits;
      std::memcpy(&bits, &value, 8);
      payload.putLE(bits, 8);
    }
    return bytes(field, payload.str());
  }
  /// Appends bytes as they are, to build malformed input.
  Proto &raw(const std::string &bytes) {
    out += bytes;
    return *this;
  }

  const std::string &str() const { return out; }
  size_t size() const { return out.size(); }

  void putVarint(uint64_t value) {
    while (value >= 0x80) {
      out += static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    out += static_cast<char>(value);
  }
  void putLE(uint64_t value, int width) {
    for (int i = 0; i < width; ++i)
      out += static_cast<char>((value >> (8 * i)) & 0xff);
  }

private:
  void tag(uint32_t field, uint32_t wireType) {
    putVarint((static_cast<uint64_t>(field) << 3) | wireType);
  }

  std::string out;
};

} // namespace pp::test

#endif // PP_TEST_UNIT_SUPPORT_PROTOENCODER_H
