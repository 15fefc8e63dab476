//===- RunMain.cpp - the main() of every generated program ----------------===//
//
// Everything a generated program does besides computing: read inputs (.npy or
// an ONNX test_data_set), allocate every buffer once, load weights, run,
// time, write outputs and compare them with references. All input checking
// happens before the device is touched, so bad arguments fail fast and with
// one line.
//
//===----------------------------------------------------------------------===//

#include "RunOptions.h"
#include "pp/Support/OnnxModel.h"
#include "pprt/DType.h"
#include "pprt/Device.h"
#include "pprt/Npy.h"
#include "pprt/Timer.h"
#include "pprt/Weights.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace pprt {

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

std::string shapeString(const int64_t *shape, size_t rank) {
  std::string s = "[";
  for (size_t d = 0; d < rank; ++d)
    s += (d ? "," : "") + std::to_string(shape[d]);
  return s + "]";
}

bool sameShape(const TensorSpec &spec, const std::vector<int64_t> &shape) {
  if (static_cast<int>(shape.size()) != spec.rank)
    return false;
  for (int d = 0; d < spec.rank; ++d)
    if (shape[d] != spec.shape[d])
      return false;
  return true;
}

size_t byteSize(const TensorSpec &spec) {
  return static_cast<size_t>(numElements(spec.shape, spec.rank)) *
         dtypeSize(spec.dtype);
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
bool adoptInput(const TensorSpec &spec, const std::string &source,
                HostArray &array, std::string &error) {
  std::string what = std::string("input ") + spec.name + " (" + source + ")";
  if (!sameShape(spec, array.shape)) {
    error = what + ": shape " +
            shapeString(array.shape.data(), array.shape.size()) +
            " does not match the program's " +
            shapeString(spec.shape, spec.rank);
    return false;
  }
  if (!convertible(array.dtype, spec.dtype)) {
    error = what + ": dtype " + dtypeName(array.dtype) +
            " does not match the program's " + dtypeName(spec.dtype);
    return false;
  }
  if (array.dtype != spec.dtype) {
    std::vector<char> converted(byteSize(spec));
    convertElements(converted.data(), spec.dtype, array.data.data(),
                    array.dtype, array.numElements());
    array.data.swap(converted);
    array.dtype = spec.dtype;
  }
  return true;
}

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

/// Device memory and context released on every return path.
class DeviceState {
public:
  explicit DeviceState(Device &device) : device(device) {}
  ~DeviceState() {
    for (void *p : buffers)
      device.free(p);
    if (haveContext)
      device.destroyContext(ctx);
  }
  void *alloc(size_t bytes) {
    buffers.push_back(device.alloc(bytes));
    return buffers.back();
  }
  void makeContext() {
    ctx = device.makeContext(0, 1);
    haveContext = true;
  }

  Device &device;
  Context ctx;

private:
  std::vector<void *> buffers;
  bool haveContext = false;
};

} // namespace

int runMain(int argc, char **argv, const Program &program, Device &device) {
  RunOptions options;
  std::string error;
  if (!parseRunOptions(argc, argv, options, error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 2;
  }
  if (options.help) {
    std::fputs(
        runUsage(argc > 0 ? argv[0] : nullptr, program.modelName).c_str(),
        stdout);
    return 0;
  }
  const char *target = program.target ? program.target : "";
  if (std::strcmp(target, device.name()) != 0)
    return fail(std::string("program was compiled for target '") + target +
                "' but linked with the " + device.name() + " runtime (pprt_" +
                device.name() + ")");

  // Inputs: explicit --input first, then the test data fills the rest.
  int numInputs = program.numInputs;
  std::vector<HostArray> inputs(numInputs);
  std::vector<bool> given(numInputs, false);
  for (const auto &[name, path] : options.inputs) {
    int index = -1;
    for (int i = 0; i < numInputs; ++i)
      if (name == program.inputs[i].name)
        index = i;
    if (index < 0) {
      std::string known;
      for (int i = 0; i < numInputs; ++i)
        known += (i ? ", " : "") + std::string(program.inputs[i].name);
      return fail("unknown input '" + name + "' (the program's inputs: " +
                  (known.empty() ? "none" : known) + ")");
    }
    if (given[index])
      return fail("input '" + name + "' is given twice");
    if (!readNpy(path, inputs[index], error) ||
        !adoptInput(program.inputs[index], path, inputs[index], error))
      return fail(error);
    given[index] = true;
  }
  std::vector<HostArray> references;
  if (!options.testDataDir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.testDataDir, ec))
      return fail("test data folder " + options.testDataDir +
                  " does not exist");
    for (int i = 0; i < numInputs; ++i) {
      std::string path =
          options.testDataDir + "/input_" + std::to_string(i) + ".pb";
      if (given[i] || !fileExists(path))
        continue;
      if (!readTensorProto(path, inputs[i], error) ||
          !adoptInput(program.inputs[i], path, inputs[i], error))
        return fail(error);
      given[i] = true;
    }
    references.resize(program.numOutputs);
    for (int i = 0; i < program.numOutputs; ++i) {
      const TensorSpec &spec = program.outputs[i];
      std::string path =
          options.testDataDir + "/output_" + std::to_string(i) + ".pb";
      if (!readTensorProto(path, references[i], error))
        return fail(error);
      if (!sameShape(spec, references[i].shape))
        return fail(path + ": reference shape " +
                    shapeString(references[i].shape.data(),
                                references[i].shape.size()) +
                    " does not match output " + spec.name + " " +
                    shapeString(spec.shape, spec.rank));
      if (isFloatDType(spec.dtype) != isFloatDType(references[i].dtype))
        return fail(path + ": reference dtype " +
                    dtypeName(references[i].dtype) +
                    " cannot be compared with output " + spec.name + " of " +
                    dtypeName(spec.dtype));
    }
  }
  for (int i = 0; i < numInputs; ++i)
    if (!given[i])
      return fail(std::string("missing input '") + program.inputs[i].name +
                  "' (give --input " + program.inputs[i].name + "=FILE.npy)");

  if (!options.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.outputDir, ec);
    if (ec)
      return fail("cannot create output folder " + options.outputDir + ": " +
                  ec.message());
  }

  // Device: every buffer is allocated here, once; the run allocates nothing.
  if (!device.init(error))
    return fail(error);
  DeviceState state(device);
  state.makeContext();
  std::vector<void *> inputPtrs(numInputs), outputPtrs(program.numOutputs),
      weightPtrs(program.numWeights);
  for (int i = 0; i < numInputs; ++i) {
    inputPtrs[i] = state.alloc(inputs[i].data.size());
    device.upload(inputPtrs[i], inputs[i].data.data(), inputs[i].data.size());
  }
  for (int i = 0; i < program.numOutputs; ++i)
    outputPtrs[i] = state.alloc(byteSize(program.outputs[i]));

  std::string weightsDir = !options.weightsDir.empty() ? options.weightsDir
                           : program.weightsDir        ? program.weightsDir
                                                       : "";
  WeightFiles files(weightsDir);
  std::vector<char> staging;
  for (int i = 0; i < program.numWeights; ++i) {
    const WeightSpec &spec = program.weights[i];
    const MappedFile *file = files.get(spec.file, error);
    if (!file || !checkWeightRange(spec, *file, error))
      return fail(error);
    size_t bytes = static_cast<size_t>(numElements(spec.shape, spec.rank)) *
                   dtypeSize(spec.dtype);
    weightPtrs[i] = state.alloc(bytes);
    if (device.isHost()) {
      if (!loadWeight(spec, *file, weightPtrs[i], error))
        return fail(error);
    } else {
      staging.resize(bytes);
      if (!loadWeight(spec, *file, staging.data(), error))
        return fail(error);
      device.upload(weightPtrs[i], staging.data(), bytes);
    }
  }
  std::vector<char>().swap(staging);
  char *arena = static_cast<char *>(state.alloc(program.arenaBytes));

  auto runOnce = [&] {
    program.run(state.ctx, inputPtrs.data(), outputPtrs.data(),
                weightPtrs.data(), arena);
    device.synchronize(state.ctx);
  };
  // With --repeat, the first run warms caches and lazy library setup
  // (cuBLAS heuristics) and is not timed.
  runOnce();
  if (options.repeat > 0) {
    Timer timer;
    for (int r = 0; r < options.repeat; ++r)
      runOnce();
    std::printf("time: forward mean %.4f ms over %d runs\n",
                timer.elapsedMs() / options.repeat, options.repeat);
  }

  std::vector<HostArray> outputs(program.numOutputs);
  for (int i = 0; i < program.numOutputs; ++i) {
    const TensorSpec &spec = program.outputs[i];
    outputs[i].dtype = spec.dtype;
    outputs[i].shape.assign(spec.shape, spec.shape + spec.rank);
    outputs[i].data.resize(byteSize(spec));
    device.download(outputs[i].data.data(), outputPtrs[i],
                    outputs[i].data.size());
  }

  if (!options.outputDir.empty()) {
    for (int i = 0; i < program.numOutputs; ++i) {
      const TensorSpec &spec = program.outputs[i];
      HostArray written = outputs[i];
      // .npy has no bf16 and f16 is awkward downstream: write f32.
      if (spec.dtype == DType::F16 || spec.dtype == DType::BF16) {
        written.data.resize(written.numElements() * sizeof(float));
        convertElements(written.data.data(), DType::F32, outputs[i].data.data(),
                        spec.dtype, written.numElements());
        written.dtype = DType::F32;
      }
      std::string path = options.outputDir + "/" + fileNameFor(spec.name);
      if (!writeNpy(path, written.dtype, written.shape.data(), spec.rank,
                    written.data.data(), error))
        return fail(error);
    }
  }

  int status = 0;
  if (!options.testDataDir.empty())
    for (int i = 0; i < program.numOutputs; ++i)
      if (!compareOutput(program.outputs[i], outputs[i], references[i],
                         options.tolerance))
        status = 1;
  std::fflush(stdout);
  return status;
}

} // namespace pprt
