//===- ProtoWireTest.cpp - the protobuf wire-format reader ----------------===//

#include "ProtoWire.h"
#include "ProtoEncoder.h"

#include <gtest/gtest.h>

using namespace pp::onnx::wire;
using pp::test::Proto;

namespace {

VarintStatus decode(const std::string &bytes, uint64_t &value, size_t &pos) {
  pos = 0;
  return readVarint(bytes.data(), pos, bytes.size(), value);
}

TEST(ProtoWire, VarintLimits) {
  uint64_t value;
  size_t pos;
  Proto max;
  max.putVarint(~uint64_t(0));
  EXPECT_EQ(max.size(), 10u);
  EXPECT_EQ(decode(max.str(), value, pos), VarintStatus::Ok);
  EXPECT_EQ(value, ~uint64_t(0));
  EXPECT_EQ(pos, 10u);
  EXPECT_EQ(decode(std::string("\x96\x01", 2), value, pos), VarintStatus::Ok);
  EXPECT_EQ(value, 150u);
  // Bits past 64 and an eleventh byte are rejected, not wrapped.
  EXPECT_EQ(decode(std::string(9, '\xff') + "\x02", value, pos),
            VarintStatus::TooLong);
  EXPECT_EQ(decode(std::string(10, '\x80') + "\x00", value, pos),
            VarintStatus::TooLong);
  EXPECT_EQ(decode(std::string("\xff\xff", 2), value, pos),
            VarintStatus::Truncated);
  EXPECT_EQ(decode("", value, pos), VarintStatus::Truncated);
}

TEST(ProtoWire, ReadsEveryWireType) {
  Proto message;
  message.varint(1, 300).fixed32(2, 0xdeadbeef).fixed64(3, 42).bytes(4, "ab");
  const std::string &bytes = message.str();
  Reader reader(bytes.data(), {0, bytes.size()});
  Field field;
  ASSERT_TRUE(reader.next(field));
  EXPECT_EQ(field.number, 1u);
  EXPECT_EQ(field.type, WireType::Varint);
  EXPECT_EQ(field.value, 300u);
  ASSERT_TRUE(reader.next(field));
  EXPECT_EQ(field.type, WireType::Fixed32);
  EXPECT_EQ(field.value, 0xdeadbeefu);
  ASSERT_TRUE(reader.next(field));
  EXPECT_EQ(field.type, WireType::Fixed64);
  EXPECT_EQ(field.value, 42u);
  ASSERT_TRUE(reader.next(field));
  EXPECT_EQ(field.type, WireType::LengthDelimited);
  EXPECT_EQ(bytes.substr(field.payload.begin, field.payload.size()), "ab");
  EXPECT_FALSE(reader.next(field));
  EXPECT_FALSE(reader.failed());
}

TEST(ProtoWire, StaysInsideItsSpan) {
  // The outer buffer continues, but the reader's span ends inside the
  // length-delimited payload: the field is truncated.
  Proto message;
  message.bytes(5, "abcdef");
  const std::string &bytes = message.str();
  Reader reader(bytes.data(), {0, bytes.size() - 1});
  Field field;
  EXPECT_FALSE(reader.next(field));
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.problemText(), "truncated length-delimited field");
  EXPECT_EQ(reader.problemOffset(), 0u);
  EXPECT_FALSE(reader.next(field)); // a failed reader stays failed
}

TEST(ProtoWire, LargeFieldNumbers) {
  Proto message;
  message.varint(0x1fffffff, 1);
  Reader reader(message.str().data(), {0, message.size()});
  Field field;
  ASSERT_TRUE(reader.next(field));
  EXPECT_EQ(field.number, 0x1fffffffu);
  Proto tooLarge;
  tooLarge.putVarint((uint64_t(0x20000000) << 3) | 0);
  tooLarge.putVarint(1);
  Reader bad(tooLarge.str().data(), {0, tooLarge.size()});
  EXPECT_FALSE(bad.next(field));
  EXPECT_EQ(bad.problemText(), "invalid field number");
}

TEST(ProtoWire, PackedVarintRuns) {
  Proto run;
  run.putVarint(1);
  run.putVarint(~uint64_t(0));
  run.putVarint(0);
  VarintRun values(run.str().data(), {0, run.size()});
  uint64_t value;
  ASSERT_TRUE(values.next(value));
  EXPECT_EQ(value, 1u);
  ASSERT_TRUE(values.next(value));
  EXPECT_EQ(value, ~uint64_t(0));
  ASSERT_TRUE(values.next(value));
  EXPECT_EQ(value, 0u);
  EXPECT_FALSE(values.next(value));
  EXPECT_FALSE(values.failed());

  std::string cut("\x01\x80", 2);
  VarintRun broken(cut.data(), {0, cut.size()});
  EXPECT_TRUE(broken.next(value));
  EXPECT_FALSE(broken.next(value));
  EXPECT_TRUE(broken.failed());
  EXPECT_EQ(broken.problemOffset(), 1u);
}

} // namespace
