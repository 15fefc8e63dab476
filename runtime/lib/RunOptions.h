//===- RunOptions.h - the command line of a generated program ---*- C++ -*-===//
//
// Parsing only; RunMain.cpp acts on the result. Kept apart so the usage text
// and the flags are in one place.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_RUNOPTIONS_H
#define PPRT_LIB_RUNOPTIONS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pprt {

struct RunOptions {
  /// (input name, .npy path) in command-line order.
  std::vector<std::pair<std::string, std::string>> inputs;
  std::string outputDir;
  std::string testDataDir;
  std::string weightsDir; ///< empty: Program::weightsDir
  double tolerance = 1e-4;
  int repeat = 0; ///< 0: run once, untimed
  int ranks = 0;  ///< --ranks N: N threads; 0: not given
  /// --threads N: the threads each rank's kernels use; 0: the rank's share
  /// of the cores this process may run on (threadsPerRank).
  int threads = 0;
  bool reportMemory = false;
  /// --cuda-graphs: replay the step as one captured CUDA graph.
  bool cudaGraphs = false;
  std::string trace;  ///< --trace FILE: Chrome/Perfetto JSON of one step
  /// Training programs (docs/training.md): steps to run, a progress line
  /// every logEvery steps, step 1's gradients to dumpGrads, and whether a
  /// NaN loss stops the run.
  int steps = 1;
  int logEvery = 1;
  std::string dumpGrads;
  bool allowNan = false;
  std::string saveWeights; ///< --save-weights DIR: checkpoint after the run
  std::string resume;      ///< --resume DIR: continue from a checkpoint
  /// Generation programs (docs/generation.md): the prompts (.npy, int64
  /// [B, L]), the tokens to add, sampling (temperature 0: greedy), the
  /// end-of-sequence token (-1: none), and whether to write the logits each
  /// new token was chosen from.
  std::string prompt;
  int maxNewTokens = 0;
  double temperature = 0;
  int topK = 0;      ///< 0: every token
  double topP = 1;
  uint64_t seed = 0;
  int64_t eos = -1;
  bool dumpLogits = false;
  bool help = false;
};

/// Parses argv[1..]; false with a one-line `error` on bad usage. Both
/// `--flag VALUE` and `--flag=VALUE` are accepted.
bool parseRunOptions(int argc, char **argv, RunOptions &options,
                     std::string &error);

/// The --help text for a program called `argv0`.
std::string runUsage(const char *argv0, const char *modelName);

/// The threads each rank's kernels use: `--threads`, or the cores this
/// process may run on divided among the ranks it hosts (rank threads under
/// --ranks, or the launcher's ranks on this node), at least one; the value
/// of OMP_NUM_THREADS or else OPENBLAS_NUM_THREADS when one is set.
int threadsPerRank(const RunOptions &options, int ranksHere);

/// `--report-memory`'s line for one rank: the weight bytes it loaded and
/// the bytes of its activation arenas (every intermediate, as planned);
/// for training, also its gradient accumulators and optimizer buffers.
void printRankMemory(int rank, const std::string &stages, uint64_t weights,
                     uint64_t activations, uint64_t gradients = 0,
                     uint64_t optimizer = 0);

} // namespace pprt

#endif // PPRT_LIB_RUNOPTIONS_H
