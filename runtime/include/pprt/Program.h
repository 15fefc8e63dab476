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

#include "pp/Schedule/StageMap.h"

#include <cstddef>
#include <cstdint>

namespace pprt {

/// Element types, numbered as ONNX's TensorProto.DataType
/// (pp::onnx::DataType; RunIO.cpp asserts that each number agrees).
enum class DType : int32_t {
  F32 = 1,
  U8 = 2,
  I8 = 3,
  U16 = 4,
  I16 = 5,
  I32 = 6,
  I64 = 7,
  Bool = 9,
  F16 = 10,
  F64 = 11,
  U32 = 12,
  U64 = 13,
  BF16 = 16,
};

/// Bytes per element of `type`.
size_t dtypeSize(DType type);
/// "f32", "i64", "bf16", ...
const char *dtypeName(DType type);

constexpr int kMaxRank = 8;
constexpr int kMaxMeshAxes = 4;

/// The device grid the program was compiled for (the compiler's pp.mesh):
/// ranks are numbered row-major over the axes, so with ["dp", "pp", "tp"]
/// tensor-parallel partners are adjacent ranks. numAxes == 0 means one rank.
struct MeshSpec {
  int numAxes;
  const char *axisNames[kMaxMeshAxes];
  int64_t axisSizes[kMaxMeshAxes];
};

/// What a training program's step loop does with a tensor (docs/training.md).
/// Data: a model input the user gives, or a plain output.
enum class TensorRole : int32_t {
  Data = 0,
  Loss = 1,      ///< output: the step's loss (f32 scalar)
  Gradient = 2,  ///< output: the gradient of weight `of` (--dump-grads)
  Update = 3,    ///< output: the new value of weight `of`
  Step = 4,      ///< input: the 1-based step count (f32 scalar)
  State = 5,     ///< input: optimizer state (zeros at step 1); output: its
                 ///< next value, carried into input `of`
  LossScale = 6, ///< input: 1 / the labels of the step (input `of`) that
                 ///< are not -100, over every micro-batch and replica
  GradNorm = 7,  ///< input: the 2-norm of all the step's gradients (every
                 ///< stage, summed over dp), for clipping
  // Generation (pp-stage-generation): a prefill step over a chunk of the
  // prompt and a decode step over one token, sharing the caches.
  PrefillIds = 8,     ///< input: a chunk of the prompt's token ids
  DecodeIds = 9,      ///< input: one new token per sequence
  KvCache = 10,       ///< input: an attention's keys or values, kept between
                      ///< steps and written in place (zeros at the start)
  PrefillLogits = 11, ///< output: the logits of a prefill chunk
  DecodeLogits = 12,  ///< output: the logits of a decode step
};

/// A graph input or output. `shape` is the whole tensor. When `shardAxes`
/// is set, dim d is split into equal contiguous parts over mesh axis
/// shardAxes[d] (-1: not split), and each rank computes in its part only:
/// data parallelism splits the batch dim over "dp" this way.
struct TensorSpec {
  const char *name;
  DType dtype;  ///< the type the program computes in
  int rank;
  int64_t shape[kMaxRank];
  const int *shardAxes = nullptr;  ///< rank entries, or null: replicated
  /// The dim cut into Program::numMicrobatches equal parts (within this
  /// rank's block); -1: every micro-batch reads or writes the whole block.
  int batchDim = -1;
  TensorRole role = TensorRole::Data;
  /// Gradient, Update: the weight's name; State output: the input's name.
  const char *of = nullptr;
};

/// Another initializer that holds a weight's values (torch's constant
/// folding writes a tied LM head as the embedding's transpose). The program
/// trains the weight; a checkpoint writes the copy's bytes too.
struct TiedCopy {
  const char *name;
  const char *file;  ///< relative to the weights folder, as WeightSpec's
  uint64_t offset;
  bool transposed;  ///< holds the 2-d weight's transpose
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
  /// As in TensorSpec: each rank loads only its part of the split dims
  /// (tensor parallelism), read straight from the file.
  const int *shardAxes = nullptr;
  /// A part of the file tensor (a fused QKV weight's Q columns, say): the
  /// block at regionStarts of regionSizes elements, which shardAxes then
  /// splits. Null: the whole tensor.
  const int64_t *regionStarts = nullptr;
  const int64_t *regionSizes = nullptr;
  int numTiedCopies = 0;
  const TiedCopy *tiedCopies = nullptr;
  /// A region's file tensor: the model's name for the whole tensor, under
  /// which whole gradients are written. Null: `name`.
  const char *tensorName = nullptr;
};

class Comm;

/// Per-rank execution state handed to the generated code.
struct Context {
  int rank = 0;
  int worldSize = 1;
  void *stream = nullptr;  ///< cuda: cudaStream_t
  void *blas = nullptr;    ///< cuda: its cuBLAS state (BlasHandles)
  Comm *comm = nullptr;    ///< set when the program has more than one rank
  const MeshSpec *mesh = nullptr;
  int microbatch = 0;  ///< the micro-batch the current stage call computes
  /// The activation from the previous stage (its RECV filled it) and where
  /// this stage leaves the one for the next (its SEND reads it).
  /// A training stage's B swaps the roles: stageInput holds the cotangent
  /// of the stage's output (from stage index+1), stageOutput receives the
  /// cotangent of its input (for stage index-1).
  const void *stageInput = nullptr;
  void *stageOutput = nullptr;
  /// Training: the micro-batch's stash slot (StageSpec::stashBytes), where
  /// F leaves what B and W read, and B what W reads.
  char *stash = nullptr;
  /// Generation: the position of the step's first token (pp.step_slice and
  /// pp.cache_write read and write their rows there).
  int64_t position = 0;
};

/// Runs the model once. `inputs`, `outputs` and `weights` point to buffers
/// in the order of the program's tables, in device memory for cuda; `arena`
/// holds every intermediate at offsets the compiler planned.
using RunFn = void (*)(Context &ctx, void *const *inputs,
                       void *const *outputs, void *const *weights,
                       char *arena);

/// What one pipeline stage runs. Every rank whose coordinate on the
/// program's stage axis is `index` runs this stage. The RunFn gets the
/// program-wide input, output and weight arrays; entries the stage does not
/// list are null (a rank loads only its stage's weights).
struct StageSpec {
  RunFn run;
  uint64_t arenaBytes;
  int numWeights;
  const int *weights;  ///< indices into Program::weights
  int numInputs;
  const int *inputs;   ///< graph inputs the stage reads
  int numOutputs;
  const int *outputs;  ///< graph outputs the stage produces
  /// Bytes of the activation received from stage index-1 and sent to stage
  /// index+1 (0: none). The runtime moves them as the schedule's RECV and
  /// SEND actions say, over the stage axis, so a schedule can post a
  /// receive before an earlier micro-batch's send.
  uint64_t recvBytes = 0;
  uint64_t sendBytes = 0;
  /// Training (pp-stage-training): B, W and the optimizer step after the
  /// step's last micro-batch; null in inference programs. `run` is F.
  /// arenaBytes covers all four (a rank runs one at a time).
  RunFn backwardInput = nullptr;
  RunFn backwardWeight = nullptr;
  RunFn update = nullptr;
  uint64_t stashBytes = 0;  ///< per micro-batch
  /// Generation (pp-stage-generation): the decode step over one token;
  /// `run` is then the prefill step over a chunk of the prompt. Null in
  /// other programs.
  RunFn decode = nullptr;
  /// The decode step's activations from stage index-1 and to index+1.
  uint64_t decodeRecvBytes = 0;
  uint64_t decodeSendBytes = 0;
};

/// One step of a rank's schedule. Forward runs StageSpec::run; Send hands
/// the stage's output activation to the rank of the next stage, Recv takes
/// the stage's input activation from the rank of the previous one.
/// Training adds B and W (StageSpec::backwardInput, backwardWeight), and
/// the cotangents travelling back: SendGradient hands the cotangent of the
/// stage's input to the previous stage, RecvGradient takes the cotangent
/// of its output from the next one.
enum class ActionKind : int32_t { Forward = 0, BackwardInput = 1,
                                  BackwardWeight = 2, Send = 3, Recv = 4,
                                  SendGradient = 5, RecvGradient = 6 };

struct Action {
  ActionKind kind;
  int stage;       ///< index into Program::stages (Send: the sender's)
  int microbatch;  ///< 0 .. numMicrobatches-1
};

/// The ordered actions of the ranks at one coordinate of the stage axis.
struct RankSchedule {
  int numActions;
  const Action *actions;
};

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
  /// A single-rank program without a stage table runs this.
  uint64_t arenaBytes;
  RunFn run;
  /// Multi-rank programs: the mesh, the mesh axis that numbers pipeline
  /// stages (-1: every rank runs stage 0), and the stages. With v virtual
  /// stages per rank there are v * P stages; `placement` says which
  /// coordinate of the stage axis runs stage s: the schedule library's
  /// StageMap(P, v, placement).rankOf(s) (loop: s % P; V: odd chunks run
  /// back up the axis). Two consecutive stages on the same coordinate (the
  /// turn of a V) hand the activation over in memory, with no Send or Recv.
  MeshSpec mesh = {};
  int stageAxis = -1;
  int numStages = 0;
  const StageSpec *stages = nullptr;
  ::pp::schedule::Placement placement = ::pp::schedule::Placement::Loop;
  /// Inputs and outputs with a batchDim are cut into this many micro-batches.
  int numMicrobatches = 1;
  /// One action list per stage-axis coordinate, in the order the ranks run
  /// them (the compiler's verified schedule). Null: for each micro-batch in
  /// turn, run the rank's stages in order.
  const RankSchedule *schedule = nullptr;
  /// Generation programs: the positions the caches hold (a prompt and its
  /// new tokens fit in them); 0 in other programs.
  int64_t maxSeq = 0;
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
