//===- TiedTensors.cpp - initializers that hold the same values ----------===//
//
// Pairs are tried only between tensors of one element type and the same
// dims (as they are, or reversed for 2-d), and most pairs of unrelated
// weights differ at the first of a few sampled elements, so the whole
// comparison reads little more than the tensors that really are equal.
//
//===----------------------------------------------------------------------===//

#include "pp/Support/TiedTensors.h"

#include "pp/Support/MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <map>
#include <memory>

namespace pp {

namespace {

/// One candidate's bytes, mapped on first use.
struct Bytes {
  const onnx::TensorRef *tensor;
  const char *data = nullptr;
  size_t elementBytes = 0;
  int64_t count = 0;
};

/// Where element `i` of a copy is in the tensor it copies.
int64_t sourceIndex(const Bytes &of, bool transposed, int64_t i) {
  if (!transposed)
    return i;
  int64_t rows = of.tensor->dims[0], cols = of.tensor->dims[1];
  // The copy is [cols, rows]: its (r, c) is the source's (c, r).
  int64_t r = i / rows, c = i % rows;
  return c * cols + r;
}

bool sameElement(const Bytes &copy, int64_t i, const Bytes &of,
                 bool transposed) {
  return std::memcmp(copy.data + i * copy.elementBytes,
                     of.data + sourceIndex(of, transposed, i) *
                                   of.elementBytes,
                     copy.elementBytes) == 0;
}

bool equalTensors(const Bytes &copy, const Bytes &of, bool transposed) {
  // A handful of spread samples first: unrelated weights fail here.
  constexpr int64_t kSamples = 16;
  for (int64_t s = 0; s < kSamples; ++s)
    if (!sameElement(copy, s * copy.count / kSamples, of, transposed))
      return false;
  if (!transposed)
    return std::memcmp(copy.data, of.data, copy.count * copy.elementBytes) == 0;
  for (int64_t i = 0; i < copy.count; ++i)
    if (!sameElement(copy, i, of, transposed))
      return false;
  return true;
}

bool allElementsEqual(const Bytes &t) {
  for (int64_t i = 1; i < t.count; ++i)
    if (std::memcmp(t.data, t.data + i * t.elementBytes, t.elementBytes))
      return false;
  return true;
}

/// Whether the file system stores the tensor's bytes as a hole: zeros that
/// need no reading (a sparse file of placeholder weights).
bool isHole(const onnx::TensorRef &t) {
  int fd = ::open(t.path.c_str(), O_RDONLY);
  if (fd < 0)
    return false;
  off_t data = ::lseek(fd, static_cast<off_t>(t.offset), SEEK_DATA);
  ::close(fd);
  return data < 0 ? errno == ENXIO
                  : uint64_t(data) >= t.offset + t.length;
}

bool isAnonymous(const onnx::TensorRef &t) {
  return t.name.rfind("onnx::", 0) == 0;
}

} // namespace

bool findTiedTensors(const std::vector<const onnx::TensorRef *> &candidates,
                     std::vector<TiedTensor> &ties, std::string &error) {
  ties.clear();
  // Tensors of one element type and one multiset of dims can be equal.
  std::map<std::pair<int, std::vector<int64_t>>, std::vector<size_t>> groups;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const onnx::TensorRef &t = *candidates[i];
    if (t.path.empty() || t.numElements() < 2)
      continue;
    std::vector<int64_t> key = t.dims;
    if (key.size() == 2 && key[0] > key[1])
      std::swap(key[0], key[1]);
    groups[{int(t.dtype), key}].push_back(i);
  }

  std::map<std::string, std::unique_ptr<MappedFile>> files;
  std::vector<Bytes> bytes(candidates.size());
  auto load = [&](size_t i) -> bool {
    Bytes &b = bytes[i];
    if (b.data)
      return true;
    const onnx::TensorRef &t = *candidates[i];
    std::unique_ptr<MappedFile> &file = files[t.path];
    if (!file) {
      file = std::make_unique<MappedFile>();
      if (!file->open(t.path, error))
        return false;
    }
    if (t.offset + t.length > file->size()) {
      error = "initializer '" + t.name + "' lies past the end of " + t.path;
      return false;
    }
    b = {&t, file->data() + t.offset, onnx::elementSize(t.dtype),
         t.numElements()};
    return true;
  };

  for (auto &[key, members] : groups) {
    if (members.size() < 2)
      continue;
    // leader[k]: the member that member k copies (itself when none);
    // flip[k]: whether it holds the leader's transpose.
    std::vector<size_t> leader(members.size());
    std::vector<bool> flip(members.size(), false);
    std::vector<bool> constant(members.size(), false);
    for (size_t k = 0; k < members.size(); ++k) {
      leader[k] = k;
      if (!load(members[k]))
        return false;
      const Bytes &copy = bytes[members[k]];
      constant[k] = isHole(*copy.tensor) || allElementsEqual(copy);
      if (constant[k])
        continue;
      for (size_t l = 0; l < k && leader[k] == k; ++l) {
        if (leader[l] != l || constant[l])
          continue;
        const Bytes &of = bytes[members[l]];
        for (bool transposed : {false, true}) {
          bool fits = transposed
                          ? copy.tensor->dims.size() == 2 &&
                                copy.tensor->dims[0] == of.tensor->dims[1] &&
                                copy.tensor->dims[1] == of.tensor->dims[0]
                          : copy.tensor->dims == of.tensor->dims;
          if (fits && equalTensors(copy, of, transposed)) {
            leader[k] = l;
            flip[k] = transposed;
            break;
          }
        }
      }
    }
    // Each group keeps a named parameter if it has one.
    for (size_t l = 0; l < members.size(); ++l) {
      if (leader[l] != l)
        continue;
      size_t keep = l;
      for (size_t k = l + 1; k < members.size(); ++k)
        if (leader[k] == l && isAnonymous(*candidates[members[keep]]) &&
            !isAnonymous(*candidates[members[k]])) {
          keep = k;
          break;
        }
      for (size_t k = l; k < members.size(); ++k) {
        if (k == keep || (k != l && leader[k] != l))
          continue;
        bool flipK = k == l ? false : flip[k];
        ties.push_back({members[k], members[keep], flipK != flip[keep]});
      }
    }
  }
  return true;
}

} // namespace pp
