//===- RunIO.cpp - a run's inputs, references and outputs on the host -----===//
//
// All input checking happens here, before the device is touched, so bad
// arguments fail fast and with one line.
//
//===----------------------------------------------------------------------===//

#include "RunIO.h"
#include "pp/Support/OnnxModel.h"
#include "pprt/DType.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace pprt {

std::string shapeString(const int64_t *shape, size_t rank) {
  std::string s = "[";
  for (size_t d = 0; d < rank; ++d)
    s += (d ? "," : "") + std::to_string(shape[d]);
  return s + "]";
}

size_t byteSize(const TensorSpec &spec) {
  return static_cast<size_t>(numElements(spec.shape, spec.rank)) *
         dtypeSize(spec.dtype);
}

bool isTrainingProgram(const Program &program) {
  for (int i = 0; i < program.numOutputs; ++i)
    if (program.outputs[i].role == TensorRole::Update)
      return true;
  return false;
}

int trainingBatchDim(const TensorSpec &spec) {
  return spec.batchDim >= 0 ? spec.batchDim : 0;
}

namespace {

bool sameShape(const TensorSpec &spec, const std::vector<int64_t> &shape) {
  if (static_cast<int>(shape.size()) != spec.rank)
    return false;
  for (int d = 0; d < spec.rank; ++d)
    if (shape[d] != spec.shape[d])
      return false;
  return true;
}

/// Which array dtypes an input of `want` accepts: the same, any float for a
/// float (f32 data for an f16 program, f64 from NumPy's default), and i32
/// for i64 or back.
bool convertible(DType have, DType want) {
  if (have == want)
    return true;
  if (isFloatDType(have) && isFloatDType(want))
    return true;
  auto isIndex = [](DType t) { return t == DType::I32 || t == DType::I64; };
  return isIndex(have) && isIndex(want);
}

/// Checks `array` (read from `source`) against `spec` and converts it to the
/// program's dtype in place.
/// Whether `shape` is `spec`'s with dim `dim` k times as long (k >= 1): a
/// training input that holds k batches.
bool isBatchesOf(const TensorSpec &spec, const std::vector<int64_t> &shape,
                 int dim) {
  if (spec.rank == 0)
    return shape.empty();
  if (static_cast<int>(shape.size()) != spec.rank || dim >= spec.rank)
    return false;
  for (int d = 0; d < spec.rank; ++d)
    if (d == dim ? spec.shape[d] == 0 || shape[d] % spec.shape[d] != 0
                 : shape[d] != spec.shape[d])
      return false;
  return true;
}

bool adoptInput(const TensorSpec &spec, const std::string &source,
                HostArray &array, bool training, std::string &error) {
  std::string what = std::string("input ") + spec.name + " (" + source + ")";
  bool fits = training ? isBatchesOf(spec, array.shape, trainingBatchDim(spec))
                       : sameShape(spec, array.shape);
  if (!fits) {
    error = what + ": shape " +
            shapeString(array.shape.data(), array.shape.size()) +
            " does not match the program's " +
            shapeString(spec.shape, spec.rank);
    if (training && spec.rank > 0)
      error += " (nor k batches of it along dim " +
               std::to_string(trainingBatchDim(spec)) + ")";
    return false;
  }
  if (!convertible(array.dtype, spec.dtype)) {
    error = what + ": dtype " + dtypeName(array.dtype) +
            " does not match the program's " + dtypeName(spec.dtype);
    return false;
  }
  if (array.dtype != spec.dtype) {
    std::vector<char> converted(array.numElements() * dtypeSize(spec.dtype));
    convertElements(converted.data(), spec.dtype, array.data.data(),
                    array.dtype, array.numElements());
    array.data.swap(converted);
    array.dtype = spec.dtype;
  }
  return true;
}

// A test-data tensor's ONNX dtype is used as a DType as it is: the two
// enums number their common types alike.
using pp::onnx::DataType;
static_assert(int(DType::F32) == int(DataType::Float));
static_assert(int(DType::U8) == int(DataType::UInt8));
static_assert(int(DType::I8) == int(DataType::Int8));
static_assert(int(DType::U16) == int(DataType::UInt16));
static_assert(int(DType::I16) == int(DataType::Int16));
static_assert(int(DType::I32) == int(DataType::Int32));
static_assert(int(DType::I64) == int(DataType::Int64));
static_assert(int(DType::Bool) == int(DataType::Bool));
static_assert(int(DType::F16) == int(DataType::Float16));
static_assert(int(DType::F64) == int(DataType::Double));
static_assert(int(DType::U32) == int(DataType::UInt32));
static_assert(int(DType::U64) == int(DataType::UInt64));
static_assert(int(DType::BF16) == int(DataType::BFloat16));

/// Reads one TensorProto file of an ONNX test_data_set.
bool readTensorProto(const std::string &path, HostArray &array,
                     std::string &error) {
  pp::onnx::TensorRef tensor;
  if (!pp::onnx::readTensorFile(path, tensor, error))
    return false;
  int32_t type = static_cast<int32_t>(tensor.dtype);
  if (!isKnownDType(type)) {
    error = path + ": tensor of dtype " + pp::onnx::dataTypeName(tensor.dtype) +
            " is not supported";
    return false;
  }
  if (static_cast<int>(tensor.dims.size()) > kMaxRank) {
    error = path + ": rank " + std::to_string(tensor.dims.size()) +
            " exceeds " + std::to_string(kMaxRank);
    return false;
  }
  array.dtype = static_cast<DType>(type);
  array.shape = tensor.dims;
  return pp::onnx::loadTensorBytes(tensor, array.data, error);
}

bool fileExists(const std::string &path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

} // namespace

/// Output names may hold '/' or ':'; keep file names flat and portable.
std::string fileNameFor(const char *name) {
  std::string s = name;
  for (char &c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
          c == '-'))
      c = '_';
  if (s.empty() || s[0] == '.')
    s = "_" + s;
  return s + ".npy";
}

bool writeArrayNpy(const std::string &path, const HostArray &array,
                   std::string &error) {
  // .npy has no bf16 and f16 is awkward downstream: write f32.
  if (array.dtype != DType::F16 && array.dtype != DType::BF16)
    return writeNpy(path, array.dtype, array.shape.data(),
                    static_cast<int>(array.shape.size()), array.data.data(),
                    error);
  std::vector<char> f32(array.numElements() * sizeof(float));
  convertElements(f32.data(), DType::F32, array.data.data(), array.dtype,
                  array.numElements());
  return writeNpy(path, DType::F32, array.shape.data(),
                  static_cast<int>(array.shape.size()), f32.data(), error);
}

namespace {

/// Compares an output with its reference, prints the summary line, and says
/// whether it is within tolerance (floats) or identical (integers, bools).
bool compareOutput(const TensorSpec &spec, const HostArray &out,
                   const HostArray &ref, double tolerance) {
  size_t n = static_cast<size_t>(out.numElements());
  double maxErr = 0, maxRef = 0;
  bool exact = !isFloatDType(spec.dtype);
  bool equal = true;
  if (exact) {
    std::vector<int64_t> a(n), b(n);
    convertElements(a.data(), DType::I64, out.data.data(), out.dtype, n);
    convertElements(b.data(), DType::I64, ref.data.data(), ref.dtype, n);
    for (size_t i = 0; i < n; ++i) {
      equal &= a[i] == b[i];
      maxErr = std::max(maxErr, std::fabs(double(a[i]) - double(b[i])));
      maxRef = std::max(maxRef, std::fabs(double(b[i])));
    }
  } else {
    std::vector<double> a(n), b(n);
    convertElements(a.data(), DType::F64, out.data.data(), out.dtype, n);
    convertElements(b.data(), DType::F64, ref.data.data(), ref.dtype, n);
    for (size_t i = 0; i < n; ++i) {
      double err = std::fabs(a[i] - b[i]);
      // NaN against NaN agrees; NaN against a number is an infinite error.
      if (std::isnan(a[i]) || std::isnan(b[i]))
        err = std::isnan(a[i]) && std::isnan(b[i]) ? 0 : INFINITY;
      else if (a[i] == b[i])
        err = 0; // inf == inf
      maxErr = std::max(maxErr, err);
      if (!std::isnan(b[i]))
        maxRef = std::max(maxRef, std::fabs(b[i]));
    }
  }
  std::printf("output %s: max_abs_err=%g max_abs_ref=%g\n", spec.name, maxErr,
              maxRef);
  double bound = tolerance * std::max(1.0, maxRef);
  bool pass = exact ? equal : maxErr <= bound;
  if (!pass) {
    if (exact)
      std::fprintf(stderr, "error: output %s differs from the reference\n",
                   spec.name);
    else
      std::fprintf(stderr,
                   "error: output %s: max_abs_err %g exceeds tolerance %g x "
                   "max(1, %g)\n",
                   spec.name, maxErr, tolerance, maxRef);
  }
  return pass;
}

} // namespace

bool readRunData(const Program &program, const RunOptions &options,
                 RunData &data, std::string &error) {
  // Explicit --input first, then the test data fills the rest.
  int numInputs = program.numInputs;
  std::vector<HostArray> &inputs = data.inputs;
  inputs.assign(numInputs, HostArray());
  std::vector<bool> given(numInputs, false);
  bool training = isTrainingProgram(program);
  // The step loop sets the step count and the optimizer state.
  for (int i = 0; i < numInputs; ++i) {
    const TensorSpec &spec = program.inputs[i];
    if (spec.role == TensorRole::Data)
      continue;
    inputs[i].dtype = spec.dtype;
    inputs[i].shape.assign(spec.shape, spec.shape + spec.rank);
    inputs[i].data.assign(byteSize(spec), 0);
    given[i] = true;
  }
  for (const auto &[name, path] : options.inputs) {
    int index = -1;
    for (int i = 0; i < numInputs; ++i)
      if (name == program.inputs[i].name)
        index = i;
    if (index < 0) {
      std::string known;
      for (int i = 0; i < numInputs; ++i)
        known += (i ? ", " : "") + std::string(program.inputs[i].name);
      error = "unknown input '" + name +
              "' (the program's inputs: " + (known.empty() ? "none" : known) +
              ")";
      return false;
    }
    if (program.inputs[index].role != TensorRole::Data) {
      error = "input '" + name + "' is set by the training step loop";
      return false;
    }
    if (given[index]) {
      error = "input '" + name + "' is given twice";
      return false;
    }
    if (!readNpy(path, inputs[index], error) ||
        !adoptInput(program.inputs[index], path, inputs[index], training,
                    error))
      return false;
    given[index] = true;
  }
  if (!options.testDataDir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.testDataDir, ec)) {
      error = "test data folder " + options.testDataDir + " does not exist";
      return false;
    }
    for (int i = 0; i < numInputs; ++i) {
      std::string path =
          options.testDataDir + "/input_" + std::to_string(i) + ".pb";
      if (given[i] || !fileExists(path))
        continue;
      if (!readTensorProto(path, inputs[i], error) ||
          !adoptInput(program.inputs[i], path, inputs[i], training, error))
        return false;
      given[i] = true;
    }
    std::vector<HostArray> &references = data.references;
    references.resize(program.numOutputs);
    for (int i = 0; i < program.numOutputs; ++i) {
      const TensorSpec &spec = program.outputs[i];
      std::string path =
          options.testDataDir + "/output_" + std::to_string(i) + ".pb";
      if (!readTensorProto(path, references[i], error))
        return false;
      if (!sameShape(spec, references[i].shape)) {
        error = path + ": reference shape " +
                shapeString(references[i].shape.data(),
                            references[i].shape.size()) +
                " does not match output " + spec.name + " " +
                shapeString(spec.shape, spec.rank);
        return false;
      }
      if (isFloatDType(spec.dtype) != isFloatDType(references[i].dtype)) {
        error = path + ": reference dtype " + dtypeName(references[i].dtype) +
                " cannot be compared with output " + spec.name + " of " +
                dtypeName(spec.dtype);
        return false;
      }
    }
  }
  for (int i = 0; i < numInputs; ++i)
    if (!given[i]) {
      error = std::string("missing input '") + program.inputs[i].name +
              "' (give --input " + program.inputs[i].name + "=FILE.npy)";
      return false;
    }
  return true;
}

int failWith(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

bool prepareDir(const std::string &dir, std::string &error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create output folder " + dir + ": " + ec.message();
    return false;
  }
  return true;
}

bool prepareOutputDir(const RunOptions &options, std::string &error) {
  return options.outputDir.empty() || prepareDir(options.outputDir, error);
}

int finishOutputs(const Program &program, const RunOptions &options,
                  const RunData &data, const std::vector<HostArray> &outputs) {
  std::string error;
  if (!options.outputDir.empty()) {
    for (int i = 0; i < program.numOutputs; ++i) {
      const TensorSpec &spec = program.outputs[i];
      std::string path = options.outputDir + "/" + fileNameFor(spec.name);
      if (!writeArrayNpy(path, outputs[i], error)) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        return 1;
      }
    }
  }
  int status = 0;
  if (!options.testDataDir.empty())
    for (int i = 0; i < program.numOutputs; ++i)
      if (!compareOutput(program.outputs[i], outputs[i], data.references[i],
                         options.tolerance))
        status = 1;
  std::fflush(stdout);
  return status;
}

} // namespace pprt
