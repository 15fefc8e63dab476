//===- Program.h - what a generated program tells the runtime ---*- C++ -*-===//
//
// pp-opt emits one C++ (or CUDA C++) file per compiled model. It defines
// `pprt::program()`, a table of weights, inputs and outputs plus the function
// that runs the model over pre-allocated buffers. The runtime's main() does
// everything else: argument parsing, loading weights (mmap + bounds checks),
// reading inputs, the arena allocation, writing outputs, timing.
//
// All shapes are static; all buffers are dense row-major.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_PROGRAM_H
#define PPRT_PROGRAM_H

#include <cstddef>
#include <cstdint>

namespace pprt {

/// Element types, numbered as ONNX's TensorProto.DataType.
enum class DType : int32_t {
  F32 = 1,
  U8 = 2,
  I8 = 3,
  I32 = 6,
  I64 = 7,
  Bool = 9,
  F16 = 10,
  F64 = 11,
  BF16 = 16,
};

/// Bytes per element of `type`.
size_t dtypeSize(DType type);
/// "f32", "i64", "bf16", ...
const char *dtypeName(DType type);

constexpr int kMaxRank = 8;

/// A graph input or output.
struct TensorSpec {
  const char *name;
  DType dtype;  ///< the type the program computes in
  int rank;
  int64_t shape[kMaxRank];
};

/// A weight: where its bytes are in a file, and what the program wants.
struct WeightSpec {
  const char *name;
  /// File holding the bytes, relative to the weights folder (the model's
  /// folder at compile time unless `run --weights-dir` says otherwise).
  const char *file;
  uint64_t offset;  ///< of the whole tensor in `file`
  uint64_t length;  ///< bytes of the whole tensor in `file`
  DType fileDtype;  ///< element type in the file
  DType dtype;      ///< element type the program wants (converted on load)
  int rank;
  int64_t shape[kMaxRank];  ///< shape of the whole tensor in the file
};

/// Per-rank execution state handed to the generated code.
struct Context {
  int rank = 0;
  int worldSize = 1;
  void *stream = nullptr;  ///< cuda: cudaStream_t
  void *blas = nullptr;    ///< cuda: cublasHandle_t
};

/// Runs the model once. `inputs`, `outputs` and `weights` point to buffers
/// in the order of the program's tables, in device memory for cuda; `arena`
/// holds every intermediate at offsets the compiler planned.
using RunFn = void (*)(Context &ctx, void *const *inputs,
                       void *const *outputs, void *const *weights,
                       char *arena);

struct Program {
  const char *modelName;
  const char *target;      ///< "cpu" or "cuda"
  const char *weightsDir;  ///< the model's folder at compile time
  int numInputs;
  const TensorSpec *inputs;
  int numOutputs;
  const TensorSpec *outputs;
  int numWeights;
  const WeightSpec *weights;
  uint64_t arenaBytes;
  RunFn run;
};

/// Defined by the generated program.
const Program &program();

/// The runtime's main: `run [--input NAME=FILE.npy]... [--output-dir DIR]
/// [--test-data-dir D] [--weights-dir DIR] [--tolerance T] [--repeat N]`.
/// Returns the process exit code; prints one-line errors on bad arguments,
/// missing or malformed files, and out-of-bounds weight ranges.
int runMain(int argc, char **argv, const Program &program);

} // namespace pprt

#endif // PPRT_PROGRAM_H
