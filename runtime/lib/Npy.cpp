//===- Npy.cpp - reading and writing NumPy .npy files ---------------------===//
//
// The header is a Python dict literal, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// NumPy always writes these three keys; the parser reads exactly that grammar
// (strings, True/False, tuples of integers) and rejects the rest.
//
//===----------------------------------------------------------------------===//

#include "pprt/Npy.h"
#include "pprt/DType.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace pprt {

int64_t HostArray::numElements() const {
  return pprt::numElements(shape.data(), static_cast<int>(shape.size()));
}

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct FileCloser {
  void operator()(FILE *f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

/// The .npy descr of `type` ("<f4"), or nullptr when it has none.
const char *descrOf(DType type) {
  switch (type) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::I8:
    return "|i1";
  case DType::U8:
    return "|u1";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::Bool:
    return "|b1";
  case DType::I16:
    return "<i2";
  case DType::U16:
    return "<u2";
  case DType::U32:
    return "<u4";
  case DType::U64:
    return "<u8";
  case DType::BF16:
    return nullptr;
  }
  return nullptr;
}

/// Parses a descr such as "<f4"; false with `error` otherwise.
bool parseDescr(const std::string &descr, DType &type, std::string &error) {
  if (descr.size() == 3) {
    char order = descr[0];
    std::string code = descr.substr(1);
    static const struct {
      const char *code;
      DType type;
    } kCodes[] = {{"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64},
                  {"i1", DType::I8},  {"u1", DType::U8},  {"b1", DType::Bool},
                  {"i4", DType::I32}, {"i8", DType::I64}, {"i2", DType::I16},
                  {"u2", DType::U16}, {"u4", DType::U32}, {"u8", DType::U64}};
    for (const auto &c : kCodes) {
      if (code != c.code)
        continue;
      bool oneByte = dtypeSize(c.type) == 1;
      if (order == '>' && !oneByte) {
        error = "big-endian dtype '" + descr + "' is not supported";
        return false;
      }
      // '|' (not applicable) for bytes, '<' or '=' (native, which is little
      // endian on every host pp runs on) otherwise.
      if (order == '<' || order == '=' || order == '|' || order == '>') {
        type = c.type;
        return true;
      }
    }
  }
  error =
      "unsupported dtype '" + descr + "' (supported: f2 f4 f8 i1 i4 i8 u1 b1)";
  return false;
}

/// A cursor over the header dict.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape,
             std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!eat('{'))
      return fail("header is not a dict", error);
    while (true) {
      skipSpace();
      if (eat('}'))
        break;
      std::string key;
      if (!readString(key))
        return fail("malformed header key", error);
      skipSpace();
      if (!eat(':'))
        return fail("malformed header: expected ':'", error);
      skipSpace();
      if (key == "descr") {
        if (!readString(descr))
          return fail("'descr' is not a string", error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (!readBool(fortran))
          return fail("'fortran_order' is not True or False", error);
        haveOrder = true;
      } else if (key == "shape") {
        if (!readTuple(shape))
          return fail("'shape' is not a tuple of integers", error);
        haveShape = true;
      } else {
        return fail("unexpected header key '" + key + "'", error);
      }
      skipSpace();
      if (eat(','))
        continue;
      skipSpace();
      if (eat('}'))
        break;
      return fail("malformed header: expected ',' or '}'", error);
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("header lacks 'descr', 'fortran_order' or 'shape'", error);
    return true;
  }

private:
  bool fail(const std::string &message, std::string &error) {
    error = message;
    return false;
  }
  void skipSpace() {
    while (pos < text.size() &&
           std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  bool eat(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool readString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool readBool(bool &out) {
    if (text.compare(pos, 4, "True") == 0) {
      pos += 4;
      out = true;
      return true;
    }
    if (text.compare(pos, 5, "False") == 0) {
      pos += 5;
      out = false;
      return true;
    }
    return false;
  }
  bool readTuple(std::vector<int64_t> &out) {
    out.clear();
    if (!eat('('))
      return false;
    while (true) {
      skipSpace();
      if (eat(')'))
        return true;
      size_t start = pos;
      int64_t value = 0;
      while (pos < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (value > (INT64_MAX - 9) / 10)
          return false;
        value = value * 10 + (text[pos++] - '0');
      }
      // Python 2 era files may write 3L.
      eat('L');
      if (pos == start)
        return false;
      out.push_back(value);
      skipSpace();
      if (eat(','))
        continue;
      skipSpace();
      if (eat(')'))
        return true;
      return false;
    }
  }

  const std::string &text;
  size_t pos = 0;
};

} // namespace

bool readNpy(const std::string &path, HostArray &array, std::string &error) {
  auto fail = [&](const std::string &message) {
    error = path + ": " + message;
    return false;
  };
  File file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(std::string("cannot open: ") + std::strerror(errno));

  unsigned char prefix[kMagicLen + 2];
  if (std::fread(prefix, 1, sizeof(prefix), file.get()) != sizeof(prefix) ||
      std::memcmp(prefix, kMagic, kMagicLen) != 0)
    return fail("not a .npy file (bad magic)");
  int major = prefix[kMagicLen];
  uint32_t headerLen;
  if (major == 1) {
    unsigned char len[2];
    if (std::fread(len, 1, 2, file.get()) != 2)
      return fail("truncated header");
    headerLen = len[0] | (len[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char len[4];
    if (std::fread(len, 1, 4, file.get()) != 4)
      return fail("truncated header");
    headerLen = len[0] | (len[1] << 8) | (len[2] << 16) |
                (static_cast<uint32_t>(len[3]) << 24);
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (headerLen > (1u << 24))
    return fail("header length " + std::to_string(headerLen) + " is absurd");
  std::string header(headerLen, '\0');
  if (std::fread(&header[0], 1, headerLen, file.get()) != headerLen)
    return fail("truncated header");

  std::string descr, parseError;
  bool fortran = false;
  std::vector<int64_t> shape;
  if (!HeaderParser(header).parse(descr, fortran, shape, parseError))
    return fail(parseError);
  DType type;
  if (!parseDescr(descr, type, parseError))
    return fail(parseError);
  if (fortran && shape.size() > 1)
    return fail("Fortran-order arrays are not supported (save with "
                "np.ascontiguousarray)");
  if (static_cast<int>(shape.size()) > kMaxRank)
    return fail("rank " + std::to_string(shape.size()) + " exceeds " +
                std::to_string(kMaxRank));

  int64_t count = 1;
  for (int64_t d : shape) {
    if (d != 0 && count > INT64_MAX / d / 8)
      return fail("shape is too large");
    count *= d;
  }
  size_t bytes = static_cast<size_t>(count) * dtypeSize(type);
  // Compare with what the file holds before allocating: a hostile header
  // must not make us reserve gigabytes for data that is not there.
  long start = std::ftell(file.get());
  if (start < 0 || std::fseek(file.get(), 0, SEEK_END) != 0)
    return fail("cannot determine the file size");
  size_t available = static_cast<size_t>(std::ftell(file.get()) - start);
  if (std::fseek(file.get(), start, SEEK_SET) != 0)
    return fail("cannot determine the file size");
  if (available < bytes)
    return fail("truncated: expected " + std::to_string(bytes) +
                " data bytes, found " + std::to_string(available));
  array.dtype = type;
  array.shape = shape;
  array.data.resize(bytes);
  size_t got = bytes ? std::fread(array.data.data(), 1, bytes, file.get()) : 0;
  if (got != bytes)
    return fail("truncated: expected " + std::to_string(bytes) +
                " data bytes, found " + std::to_string(got));
  return true;
}

bool writeNpy(const std::string &path, DType dtype, const int64_t *shape,
              int rank, const void *data, std::string &error) {
  const char *descr = descrOf(dtype);
  if (!descr) {
    error = path + ": dtype " + std::string(dtypeName(dtype)) +
            " has no .npy equivalent";
    return false;
  }
  std::string dims;
  for (int d = 0; d < rank; ++d)
    dims += std::to_string(shape[d]) + (rank == 1      ? ","
                                        : d + 1 < rank ? ", "
                                                       : "");
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces and a final newline so the data starts 64-byte aligned,
  // as NumPy does.
  size_t total = kMagicLen + 2 + 2 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  File file(std::fopen(path.c_str(), "wb"));
  if (!file) {
    error = path + ": cannot create: " + std::strerror(errno);
    return false;
  }
  unsigned char prefix[kMagicLen + 4];
  std::memcpy(prefix, kMagic, kMagicLen);
  prefix[kMagicLen] = 1;
  prefix[kMagicLen + 1] = 0;
  prefix[kMagicLen + 2] = header.size() & 0xff;
  prefix[kMagicLen + 3] = (header.size() >> 8) & 0xff;
  size_t bytes =
      static_cast<size_t>(numElements(shape, rank)) * dtypeSize(dtype);
  bool ok =
      std::fwrite(prefix, 1, sizeof(prefix), file.get()) == sizeof(prefix) &&
      std::fwrite(header.data(), 1, header.size(), file.get()) ==
          header.size() &&
      (bytes == 0 || std::fwrite(data, 1, bytes, file.get()) == bytes);
  if (std::fclose(file.release()) != 0)
    ok = false;
  if (!ok) {
    error = path + ": write failed: " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace pprt
