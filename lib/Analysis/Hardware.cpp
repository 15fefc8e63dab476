//===- Hardware.cpp - hardware descriptions from JSON --------------------===//
//
// llvm::json checks the syntax; this file checks the schema by hand so that
// every complaint names the field and, through a small scan of the text
// (JSON values carry no positions), the line it is on.
//
//===----------------------------------------------------------------------===//

#include "pp/Analysis/Hardware.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::pp;
namespace json = llvm::json;

char HardwareError::ID = 0;

void HardwareError::log(llvm::raw_ostream &os) const {
  if (!file.empty()) {
    os << file;
    if (line)
      os << ":" << line << ":" << column;
    os << ": ";
  }
  os << message;
}

llvm::StringRef mlir::pp::precisionName(Precision precision) {
  switch (precision) {
  case Precision::f64:
    return "f64";
  case Precision::f32:
    return "f32";
  case Precision::tf32:
    return "tf32";
  case Precision::bf16:
    return "bf16";
  case Precision::f16:
    return "f16";
  case Precision::fp8:
    return "fp8";
  }
  llvm_unreachable("unknown precision");
}

namespace {

//===----------------------------------------------------------------------===//
// Positions of fields in the text
//===----------------------------------------------------------------------===//

/// Walks text that llvm::json already accepted, to find where a field is.
class FieldLocator {
public:
  explicit FieldLocator(llvm::StringRef text) : text(text) {}

  /// Offset of the last key of `path`, or, when it is absent, of the key
  /// (or opening brace) of the deepest object on the path that exists.
  size_t locate(llvm::ArrayRef<std::string> path) {
    pos = 0;
    skipSpace();
    size_t found = pos;
    for (const std::string &key : path) {
      if (pos >= text.size() || text[pos] != '{')
        return found;
      std::optional<size_t> at = findKey(key);
      if (!at)
        return found;
      found = *at;
    }
    return found;
  }

private:
  /// With `pos` at '{': finds `key` and leaves `pos` at its value.
  std::optional<size_t> findKey(llvm::StringRef key) {
    ++pos;
    skipSpace();
    while (pos < text.size() && text[pos] == '"') {
      size_t keyAt = pos;
      llvm::StringRef name = scanString();
      skipSpace();
      ++pos; // ':'
      skipSpace();
      if (name == key)
        return keyAt;
      skipValue();
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        skipSpace();
      }
    }
    return std::nullopt;
  }

  /// The raw contents of the string at `pos` (escapes left as they are).
  llvm::StringRef scanString() {
    size_t begin = ++pos;
    while (pos < text.size() && text[pos] != '"')
      pos += text[pos] == '\\' ? 2 : 1;
    llvm::StringRef contents = text.slice(begin, pos);
    ++pos;
    return contents;
  }

  void skipValue() {
    if (pos >= text.size())
      return;
    char c = text[pos];
    if (c == '"') {
      scanString();
      return;
    }
    if (c != '{' && c != '[') {
      while (pos < text.size() &&
             !llvm::StringRef(",}] \t\r\n").contains(text[pos]))
        ++pos;
      return;
    }
    // Containers: count brackets, stepping over strings.
    int depth = 0;
    while (pos < text.size()) {
      char d = text[pos];
      if (d == '"') {
        scanString();
        continue;
      }
      ++pos;
      if (d == '{' || d == '[')
        ++depth;
      else if ((d == '}' || d == ']') && --depth == 0)
        return;
    }
  }

  void skipSpace() {
    while (pos < text.size() && llvm::StringRef(" \t\r\n").contains(text[pos]))
      ++pos;
  }

  llvm::StringRef text;
  size_t pos = 0;
};

//===----------------------------------------------------------------------===//
// Schema
//===----------------------------------------------------------------------===//

/// Reads one description, remembering the first error.
class SchemaReader {
public:
  SchemaReader(llvm::StringRef text, llvm::StringRef source)
      : text(text), source(source) {}

  llvm::Expected<HardwareSpec> read(const json::Value &root);

private:
  using Path = llvm::SmallVector<std::string, 4>;

  /// The object at `path` inside `parent`, checking that it has no keys
  /// outside `allowed`.
  const json::Object *object(const json::Object &parent, const Path &path,
                             llvm::ArrayRef<llvm::StringRef> allowed);
  void checkKeys(const json::Object &object, const Path &path,
                 llvm::ArrayRef<llvm::StringRef> allowed);
  /// A positive number; `required` false lets it be absent (returns 0).
  double number(const json::Object &parent, const Path &path,
                bool required = true);
  std::string string(const json::Object &parent, const Path &path,
                     bool required);

  void fail(const Path &path, const llvm::Twine &message);

  llvm::StringRef text;
  llvm::StringRef source;
  std::optional<HardwareError> error;
};

std::string joinPath(llvm::ArrayRef<std::string> path) {
  return llvm::join(path, ".");
}

void SchemaReader::fail(const Path &path, const llvm::Twine &message) {
  if (error)
    return;
  size_t offset = FieldLocator(text).locate(path);
  llvm::StringRef before = text.take_front(offset);
  unsigned line = 1 + before.count('\n');
  size_t lineStart = before.rfind('\n');
  unsigned column =
      1 +
      (lineStart == llvm::StringRef::npos ? offset : offset - lineStart - 1);
  error.emplace(source.str(), line, column, message.str());
}

void SchemaReader::checkKeys(const json::Object &object, const Path &path,
                             llvm::ArrayRef<llvm::StringRef> allowed) {
  // Sorted, so that the complaint does not depend on hash order.
  llvm::SmallVector<llvm::StringRef> keys;
  for (const auto &entry : object)
    keys.push_back(entry.first);
  llvm::sort(keys);
  for (llvm::StringRef key : keys) {
    if (llvm::is_contained(allowed, key))
      continue;
    Path at = path;
    at.push_back(key.str());
    fail(at, llvm::formatv("unknown field '{0}' (expected one of: {1})",
                           joinPath(at), llvm::join(allowed, ", ")));
  }
}

const json::Object *
SchemaReader::object(const json::Object &parent, const Path &path,
                     llvm::ArrayRef<llvm::StringRef> allowed) {
  const json::Value *value = parent.get(path.back());
  if (!value) {
    fail(path, "missing field '" + joinPath(path) + "'");
    return nullptr;
  }
  const json::Object *object = value->getAsObject();
  if (!object) {
    fail(path, "field '" + joinPath(path) + "' must be an object");
    return nullptr;
  }
  checkKeys(*object, path, allowed);
  return object;
}

double SchemaReader::number(const json::Object &parent, const Path &path,
                            bool required) {
  const json::Value *value = parent.get(path.back());
  if (!value) {
    if (required)
      fail(path, "missing field '" + joinPath(path) + "'");
    return 0;
  }
  std::optional<double> n = value->getAsNumber();
  if (!n || !(*n > 0) || *n == std::numeric_limits<double>::infinity()) {
    fail(path, "field '" + joinPath(path) + "' must be a positive number");
    return 0;
  }
  return *n;
}

std::string SchemaReader::string(const json::Object &parent, const Path &path,
                                 bool required) {
  const json::Value *value = parent.get(path.back());
  if (!value) {
    if (required)
      fail(path, "missing field '" + joinPath(path) + "'");
    return "";
  }
  std::optional<llvm::StringRef> s = value->getAsString();
  if (!s) {
    fail(path, "field '" + joinPath(path) + "' must be a string");
    return "";
  }
  return s->str();
}

llvm::Expected<HardwareSpec> SchemaReader::read(const json::Value &rootValue) {
  const json::Object *root = rootValue.getAsObject();
  if (!root)
    return llvm::make_error<HardwareError>(
        source.str(), 1, 1, "a hardware description is a JSON object");
  checkKeys(*root, {},
            {"name", "description", "sources", "gpu", "node", "network",
             "efficiency"});

  HardwareSpec spec;
  spec.source = source.str();
  spec.name = string(*root, {"name"}, /*required=*/false);
  if (spec.name.empty())
    spec.name = llvm::sys::path::stem(source).str();
  spec.description = string(*root, {"description"}, /*required=*/false);
  if (const json::Value *sources = root->get("sources")) {
    const json::Array *list = sources->getAsArray();
    if (!list || llvm::any_of(*list, [](const json::Value &v) {
          return !v.getAsString();
        }))
      fail({"sources"}, "field 'sources' must be an array of strings");
  }

  constexpr double tera = 1e12, giga = 1e9, micro = 1e-6;
  if (const json::Object *gpu =
          object(*root, {"gpu"},
                 {"peak_TFLOPS", "hbm_bandwidth_GBps", "hbm_capacity_GiB"})) {
    if (const json::Object *peaks =
            object(*gpu, {"gpu", "peak_TFLOPS"},
                   {"f64", "f32", "tf32", "bf16", "f16", "fp8"})) {
      // f32, bf16 and f16 are what pp computes in; the others are optional.
      for (Precision p : {Precision::f64, Precision::f32, Precision::tf32,
                          Precision::bf16, Precision::f16, Precision::fp8}) {
        bool required =
            p == Precision::f32 || p == Precision::bf16 || p == Precision::f16;
        spec.peakFlops[static_cast<int>(p)] =
            tera * number(*peaks,
                          {"gpu", "peak_TFLOPS", precisionName(p).str()},
                          required);
      }
    }
    spec.hbmBandwidth = giga * number(*gpu, {"gpu", "hbm_bandwidth_GBps"});
    spec.hbmCapacity =
        double(int64_t(1) << 30) * number(*gpu, {"gpu", "hbm_capacity_GiB"});
  }

  if (const json::Object *node =
          object(*root, {"node"}, {"gpus_per_node", "link"})) {
    double gpus = number(*node, {"node", "gpus_per_node"});
    // Bounded before the conversion, which overflows on huge values.
    if (gpus != 0 && (gpus > 1e6 || gpus != std::floor(gpus))) {
      fail({"node", "gpus_per_node"},
           "field 'node.gpus_per_node' must be a whole number");
      gpus = 1;
    }
    spec.gpusPerNode = std::max<int64_t>(1, int64_t(gpus));
    if (const json::Object *link =
            object(*node, {"node", "link"},
                   {"kind", "bandwidth_GBps", "latency_us"})) {
      spec.intraNode.kind = string(*link, {"node", "link", "kind"}, true);
      spec.intraNode.bandwidth =
          giga * number(*link, {"node", "link", "bandwidth_GBps"});
      spec.intraNode.latency =
          micro * number(*link, {"node", "link", "latency_us"});
    }
  }

  if (const json::Object *network =
          object(*root, {"network"},
                 {"kind", "adapters_per_node", "adapter_Gbps", "latency_us"})) {
    spec.interNode.kind = string(*network, {"network", "kind"}, true);
    double adapters = number(*network, {"network", "adapters_per_node"});
    double bitsPerSecond = giga * number(*network, {"network", "adapter_Gbps"});
    // The node's adapters are shared by its GPUs; bits become bytes.
    spec.interNode.bandwidth =
        adapters * bitsPerSecond / 8 / double(spec.gpusPerNode);
    spec.interNode.latency =
        micro * number(*network, {"network", "latency_us"});
  }

  if (root->get("efficiency"))
    if (const json::Object *efficiency =
            object(*root, {"efficiency"}, {"gemm", "link", "source"})) {
      for (auto [key, field] : {std::pair{"gemm", &spec.gemmEfficiency},
                                std::pair{"link", &spec.linkEfficiency}}) {
        double value = number(*efficiency, {"efficiency", key}, false);
        if (value < 0 || value > 1)
          fail({"efficiency", key},
               std::string("field 'efficiency.") + key +
                   "' must be a fraction in (0, 1]");
        else if (value > 0)
          *field = value;
      }
    }

  if (error)
    return llvm::make_error<HardwareError>(*error);
  return spec;
}

/// "[3:7, byte=40]: Expected , or }" from llvm::json, as (3, 7, message).
std::unique_ptr<HardwareError> syntaxError(llvm::Error err,
                                           llvm::StringRef source) {
  std::string text = llvm::toString(std::move(err));
  unsigned line = 0, column = 0;
  llvm::StringRef rest(text);
  if (rest.consume_front("[")) {
    auto [position, message] = rest.split("]: ");
    auto [lineText, columnText] = position.split(':');
    columnText = columnText.split(',').first;
    if (!lineText.getAsInteger(10, line) &&
        !columnText.getAsInteger(10, column))
      text = message.str();
    else
      line = column = 0;
  }
  return std::make_unique<HardwareError>(source.str(), line, column,
                                         "invalid JSON: " + text);
}

//===----------------------------------------------------------------------===//
// Presets
//===----------------------------------------------------------------------===//

struct PresetFile {
  const char *fileName;
  const char *text;
};

// Generated from hardware/*.json at build time (EmbedPresets.cmake).
const PresetFile presetFiles[] = {
#include "PresetData.inc"
};

/// The preset's own name, from its "name" field.
std::string presetName(const PresetFile &file) {
  llvm::Expected<json::Value> value = json::parse(file.text);
  if (!value) {
    llvm::consumeError(value.takeError());
    return "";
  }
  if (const json::Object *object = value->getAsObject())
    if (std::optional<llvm::StringRef> name = object->getString("name"))
      return name->str();
  return "";
}

} // namespace

llvm::Expected<HardwareSpec> mlir::pp::parseHardware(llvm::StringRef text,
                                                     llvm::StringRef source) {
  llvm::Expected<json::Value> value = json::parse(text);
  if (!value)
    return llvm::Error(syntaxError(value.takeError(), source));
  return SchemaReader(text, source).read(*value);
}

std::vector<std::string> mlir::pp::hardwarePresetNames() {
  std::vector<std::string> names;
  for (const PresetFile &file : presetFiles)
    names.push_back(presetName(file));
  llvm::sort(names);
  return names;
}

llvm::Expected<HardwareSpec>
mlir::pp::loadHardware(llvm::StringRef nameOrPath) {
  if (nameOrPath.contains('/') || nameOrPath.ends_with(".json")) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(nameOrPath, /*IsText=*/true);
    if (!buffer)
      return llvm::make_error<HardwareError>(
          nameOrPath.str(), 0, 0,
          "cannot read hardware description: " + buffer.getError().message());
    return parseHardware((*buffer)->getBuffer(), nameOrPath);
  }
  for (const PresetFile &file : presetFiles)
    if (llvm::sys::path::stem(file.fileName) == nameOrPath ||
        presetName(file) == nameOrPath)
      return parseHardware(file.text,
                           (llvm::Twine("hardware/") + file.fileName).str());
  return llvm::make_error<HardwareError>(
      "", 0, 0,
      llvm::formatv("unknown hardware '{0}' (presets: {1}; or give a path to "
                    "a .json file)",
                    nameOrPath, llvm::join(hardwarePresetNames(), ", "))
          .str());
}
