//===- Checkpoint.cpp - trained weights and optimizer state on disk ------===//
//
// A checkpoint is a folder that other tools can read: the model's own files
// (the ONNX file and any external-data files) with every trained weight
// written over its bytes in place. The ONNX structure is untouched (raw
// data keeps its length), so the copy is a valid model that pp-opt and
// other runtimes load. Copies of a weight that the files hold twice (a tied
// LM head folded into a transposed copy) get the trained values too. Beside
// it, optimizer/<state>.npy and step.txt let `run --resume` continue bit
// for bit. The folder is written under a
// temporary name and renamed, so a killed run leaves no torn checkpoint.
//
//===----------------------------------------------------------------------===//

#include "Checkpoint.h"
#include "Shard.h"

#include "pprt/DType.h"
#include "pprt/Weights.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace pprt {

namespace fs = std::filesystem;

namespace {

bool copyFile(const fs::path &from, const fs::path &to, std::string &error) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec)
    error = "cannot copy " + from.string() + " to " + to.string() + ": " +
            ec.message();
  return !ec;
}

/// Writes `bytes` at `offset` of the existing file `path`.
bool patchFile(const fs::path &path, uint64_t offset, const char *bytes,
               size_t size, std::string &error) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(bytes, static_cast<std::streamsize>(size));
  if (!file) {
    error = "cannot write " + path.string();
    return false;
  }
  return true;
}

/// Reads `size` bytes at `offset` of `path`.
bool readFileRange(const fs::path &path, uint64_t offset, char *bytes,
                   size_t size, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(bytes, static_cast<std::streamsize>(size));
  if (!file) {
    error = "cannot read " + path.string();
    return false;
  }
  return true;
}

/// The file bytes of the 2-d weight `spec` ([rows, cols]) as [cols, rows].
std::vector<char> transposed2d(const std::vector<char> &bytes,
                               const WeightSpec &spec) {
  size_t element = dtypeSize(spec.fileDtype);
  int64_t rows = spec.shape[0], cols = spec.shape[1];
  std::vector<char> out(bytes.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(&out[(c * rows + r) * element],
                  &bytes[(r * cols + c) * element], element);
  return out;
}

} // namespace

bool saveCheckpoint(const Program &program, const std::string &weightsDir,
                    const std::vector<std::vector<char>> &weights,
                    const std::vector<std::pair<std::string, HostArray>> &states,
                    int64_t step, const std::string &dir, std::string &error) {
  fs::path target(dir), partial(dir + ".partial");
  std::error_code ec;
  fs::remove_all(partial, ec);
  if (!fs::create_directories(partial / "optimizer", ec) && ec) {
    error = "cannot create " + partial.string() + ": " + ec.message();
    return false;
  }
  // The model's files, then the trained bytes over them.
  std::set<std::string> files;
  if (program.modelName)
    files.insert(fs::path(program.modelName).filename().string());
  for (int i = 0; i < program.numWeights; ++i) {
    files.insert(program.weights[i].file);
    for (int c = 0; c < program.weights[i].numTiedCopies; ++c)
      files.insert(program.weights[i].tiedCopies[c].file);
  }
  for (const std::string &file : files)
    if (!copyFile(fs::path(weightsDir) / file, partial / file, error))
      return false;
  for (int i = 0; i < program.numWeights; ++i) {
    const WeightSpec &spec = program.weights[i];
    if (spec.regionStarts) {
      // A part of a fused tensor: pasted into the file tensor's bytes.
      if (spec.numTiedCopies) {
        error = std::string("weight ") + spec.name +
                " is a region of a tied tensor; checkpoints cannot write it";
        return false;
      }
      Block block = regionBlock(spec);
      int64_t count = block.numElements();
      if (weights[i].size() != size_t(count) * dtypeSize(spec.dtype)) {
        error = std::string("weight ") + spec.name +
                ": the value to save is not the whole region";
        return false;
      }
      std::vector<char> stored(count * dtypeSize(spec.fileDtype));
      convertElements(stored.data(), spec.fileDtype, weights[i].data(),
                      spec.dtype, count);
      std::vector<char> tensor(spec.length);
      fs::path path = partial / spec.file;
      if (!readFileRange(path, spec.offset, tensor.data(), tensor.size(),
                         error))
        return false;
      copyBlockIn(tensor.data(), stored.data(), spec.shape, block,
                  dtypeSize(spec.fileDtype));
      if (!patchFile(path, spec.offset, tensor.data(), tensor.size(), error))
        return false;
      continue;
    }
    int64_t count = numElements(spec.shape, spec.rank);
    const std::vector<char> &value = weights[i];
    if (value.size() != size_t(count) * dtypeSize(spec.dtype)) {
      error = std::string("weight ") + spec.name + ": the value to save is " +
              std::to_string(value.size()) + " bytes, not the whole tensor's";
      return false;
    }
    std::vector<char> stored(count * dtypeSize(spec.fileDtype));
    convertElements(stored.data(), spec.fileDtype, value.data(), spec.dtype,
                    count);
    if (stored.size() != spec.length) {
      error = std::string("weight ") + spec.name + ": " +
              std::to_string(stored.size()) + " bytes do not fill its " +
              std::to_string(spec.length) + " in " + spec.file;
      return false;
    }
    if (!patchFile(partial / spec.file, spec.offset, stored.data(),
                   stored.size(), error))
      return false;
    for (int c = 0; c < spec.numTiedCopies; ++c) {
      const TiedCopy &copy = spec.tiedCopies[c];
      std::vector<char> bytes =
          copy.transposed ? transposed2d(stored, spec) : stored;
      if (!patchFile(partial / copy.file, copy.offset, bytes.data(),
                     bytes.size(), error))
        return false;
    }
  }
  for (const auto &[name, state] : states) {
    std::string path = (partial / "optimizer" / fileNameFor(name.c_str())).string();
    if (!writeArrayNpy(path, state, error))
      return false;
  }
  {
    std::ofstream stepFile(partial / "step.txt");
    stepFile << step << "\n";
    if (!stepFile) {
      error = "cannot write " + (partial / "step.txt").string();
      return false;
    }
  }
  fs::remove_all(target, ec);
  fs::rename(partial, target, ec);
  if (ec) {
    error = "cannot rename " + partial.string() + " to " + target.string() +
            ": " + ec.message();
    return false;
  }
  return true;
}

bool loadCheckpointState(const std::string &dir, const Program &program,
                         std::vector<HostArray> &inputs, int64_t &step,
                         std::string &error) {
  std::ifstream stepFile(fs::path(dir) / "step.txt");
  if (!(stepFile >> step) || step < 0) {
    error = "--resume " + dir + ": no step.txt with a step count";
    return false;
  }
  for (int i = 0; i < program.numInputs; ++i) {
    const TensorSpec &spec = program.inputs[i];
    if (spec.role != TensorRole::State)
      continue;
    std::string path =
        (fs::path(dir) / "optimizer" / fileNameFor(spec.name)).string();
    HostArray state;
    if (!readNpy(path, state, error))
      return false;
    if (state.dtype != spec.dtype ||
        state.data.size() != inputs[i].data.size()) {
      error = path + ": not the program's " + dtypeName(spec.dtype) + " " +
              shapeString(spec.shape, spec.rank) +
              " (a checkpoint of another optimizer or model?)";
      return false;
    }
    inputs[i].data = std::move(state.data);
  }
  return true;
}

} // namespace pprt
