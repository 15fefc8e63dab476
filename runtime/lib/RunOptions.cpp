//===- RunOptions.cpp - the command line of a generated program -----------===//
//
// Strict parsing: unknown flags, missing values and malformed numbers are
// usage errors (exit code 2) rather than being ignored.
//
//===----------------------------------------------------------------------===//

#include "RunOptions.h"

#include <sched.h>
#include <thread>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace pprt {

bool parseRunOptions(int argc, char **argv, RunOptions &options,
                     std::string &error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    if (arg == "--report-memory") {
      options.reportMemory = true;
      continue;
    }
    if (arg == "--cuda-graphs") {
      options.cudaGraphs = true;
      continue;
    }
    if (arg == "--allow-nan") {
      options.allowNan = true;
      continue;
    }
    if (arg == "--dump-logits") {
      options.dumpLogits = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      error = "unexpected argument '" + arg + "' (see --help)";
      return false;
    }
    std::string flag = arg, value;
    bool haveValue = false;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      haveValue = true;
    }
    static const char *const kFlags[] = {
        "--input",     "--output-dir", "--test-data-dir", "--weights-dir",
        "--tolerance", "--repeat",     "--ranks",         "--trace",
        "--steps",     "--log-every",  "--dump-grads",    "--save-weights",
        "--resume",    "--prompt",     "--max-new-tokens", "--temperature",
        "--top-k",     "--top-p",      "--seed",          "--eos",
        "--threads"};
    bool known = false;
    for (const char *f : kFlags)
      known |= flag == f;
    if (!known) {
      error = "unknown option '" + flag + "' (see --help)";
      return false;
    }
    if (!haveValue) {
      if (i + 1 >= argc) {
        error = "option " + flag + " needs a value";
        return false;
      }
      value = argv[++i];
    }

    if (flag == "--input") {
      size_t sep = value.find('=');
      if (sep == std::string::npos || sep == 0 || sep + 1 == value.size()) {
        error = "--input expects NAME=FILE.npy, got '" + value + "'";
        return false;
      }
      options.inputs.emplace_back(value.substr(0, sep), value.substr(sep + 1));
    } else if (flag == "--trace") {
      if (value.empty()) {
        error = "--trace expects a file name";
        return false;
      }
      options.trace = value;
    } else if (flag == "--prompt") {
      options.prompt = value;
    } else if (flag == "--temperature" || flag == "--top-p") {
      char *end = nullptr;
      errno = 0;
      double x = std::strtod(value.c_str(), &end);
      bool topP = flag == "--top-p";
      if (value.empty() || *end || errno || !std::isfinite(x) || x < 0 ||
          (topP && (x <= 0 || x > 1))) {
        error = flag + (topP ? " expects a number in (0, 1]"
                             : " expects a non-negative number") +
                ", got '" + value + "'";
        return false;
      }
      (topP ? options.topP : options.temperature) = x;
    } else if (flag == "--seed" || flag == "--eos" || flag == "--top-k" ||
               flag == "--max-new-tokens") {
      char *end = nullptr;
      errno = 0;
      long long n = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end || errno || n < 0 ||
          (flag == "--max-new-tokens" && (n < 1 || n > 1000000)) ||
          (flag == "--top-k" && n > 1000000000)) {
        error = flag + " expects a non-negative integer" +
                (flag == "--max-new-tokens" ? std::string(" in [1, 1000000]")
                                            : std::string()) +
                ", got '" + value + "'";
        return false;
      }
      if (flag == "--seed")
        options.seed = uint64_t(n);
      else if (flag == "--eos")
        options.eos = n;
      else if (flag == "--top-k")
        options.topK = int(n);
      else
        options.maxNewTokens = int(n);
    } else if (flag == "--output-dir") {
      options.outputDir = value;
    } else if (flag == "--test-data-dir") {
      options.testDataDir = value;
    } else if (flag == "--weights-dir") {
      options.weightsDir = value;
    } else if (flag == "--tolerance") {
      char *end = nullptr;
      errno = 0;
      double t = std::strtod(value.c_str(), &end);
      if (value.empty() || *end || errno || !std::isfinite(t) || t < 0) {
        error =
            "--tolerance expects a non-negative number, got '" + value + "'";
        return false;
      }
      options.tolerance = t;
    } else if (flag == "--dump-grads" || flag == "--save-weights" ||
               flag == "--resume") {
      if (value.empty()) {
        error = flag + " expects a folder";
        return false;
      }
      (flag == "--dump-grads"     ? options.dumpGrads
       : flag == "--save-weights" ? options.saveWeights
                                  : options.resume) = value;
    } else {
      // --repeat, --ranks, --threads, --steps, --log-every: counts.
      long limit = flag == "--ranks" || flag == "--threads" ? 4096 : 1000000;
      char *end = nullptr;
      errno = 0;
      long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || errno || n < 1 || n > limit) {
        error = flag + " expects a count in [1, " + std::to_string(limit) +
                "], got '" + value + "'";
        return false;
      }
      int &count = flag == "--ranks"     ? options.ranks
                   : flag == "--threads" ? options.threads
                   : flag == "--repeat"  ? options.repeat
                   : flag == "--steps"   ? options.steps
                                         : options.logEvery;
      count = static_cast<int>(n);
    }
  }
  return true;
}

std::string runUsage(const char *argv0, const char *modelName) {
  std::string name = argv0 ? argv0 : "run";
  return "usage: " + name +
         " [options]\n"
         "Runs the compiled model '" +
         std::string(modelName ? modelName : "?") +
         "'.\n"
         "\n"
         "  --input NAME=FILE.npy  value of graph input NAME (repeatable)\n"
         "  --output-dir DIR       write DIR/<output>.npy for every output\n"
         "  --test-data-dir DIR    ONNX test_data_set: inputs from "
         "input_N.pb,\n"
         "                         outputs compared with output_N.pb\n"
         "  --tolerance T          allowed max_abs_err / max(1, max_abs_ref)\n"
         "                         with --test-data-dir (default 1e-4)\n"
         "  --weights-dir DIR      read weight files from DIR\n"
         "  --repeat N             time N runs after one warm-up run\n"
         "  --ranks N              run the N ranks of a multi-rank program\n"
         "                         as threads of this process (or start N\n"
         "                         processes with mpirun -np N)\n"
         "  --threads N            threads of each rank's kernels (default:\n"
         "                         the cores this process may use, divided\n"
         "                         among the ranks it runs, or among the\n"
         "                         launcher's ranks on this node)\n"
         "  --report-memory        print each rank's weight and activation bytes\n"
         "  --cuda-graphs          cuda, one-rank forward programs: capture\n"
         "                         the step once as a CUDA graph and replay\n"
         "                         it (after the warm-up run; the outputs\n"
         "                         come from a replay)\n"
         "  --trace FILE           record one step's per-rank actions as a\n"
         "                         Chrome/Perfetto trace (the format of\n"
         "                         pp-schedule --trace)\n"
         "\n"
         "Training programs (pp-opt --train):\n"
         "  --steps N              run N optimizer steps (default 1); an\n"
         "                         input holding k times the program's rows\n"
         "                         gives step s (from 0) its slice s mod k\n"
         "  --log-every K          a progress line every K steps (default 1)\n"
         "  --dump-grads DIR       write step 1's gradients to "
         "DIR/<weight>.npy\n"
         "  --allow-nan            keep going after a NaN or infinite loss\n"
         "  --save-weights DIR     after the last step: DIR/<model files>\n"
         "                         with the trained weights, the optimizer\n"
         "                         state and the step count\n"
         "  --resume DIR           continue from a --save-weights folder\n"
         "  --output-dir DIR       writes DIR/loss.npy: the loss of each step\n"
         "\n"
         "Generation programs (pp-opt --generate):\n"
         "  --prompt FILE.npy      int64 [B, L] token ids, B <= max-batch,\n"
         "                         L + K <= max-seq\n"
         "  --max-new-tokens K     tokens to add to each prompt\n"
         "  --temperature F        sample at temperature F (default 0: the\n"
         "                         most likely token)\n"
         "  --top-k K, --top-p F   sample among the K most likely tokens, or\n"
         "                         the fewest whose probability reaches F\n"
         "  --seed S               the sampling seed (default 0)\n"
         "  --eos ID               a sequence that reaches token ID stops;\n"
         "                         its later tokens are ID\n"
         "  --dump-logits          also write DIR/step_logits.npy [B, K, V]\n"
         "  --output-dir DIR       writes DIR/tokens.npy [B, L + K]\n"
         "  --help                 this text\n";
}

void printRankMemory(int rank, const std::string &stages, uint64_t weights,
                     uint64_t activations, uint64_t gradients,
                     uint64_t optimizer) {
  std::printf("rank %d (stage %s): weights %llu bytes, activations %llu "
              "bytes",
              rank, stages.c_str(), static_cast<unsigned long long>(weights),
              static_cast<unsigned long long>(activations));
  if (gradients || optimizer)
    std::printf(", gradients %llu bytes, optimizer %llu bytes",
                static_cast<unsigned long long>(gradients),
                static_cast<unsigned long long>(optimizer));
  std::printf("\n");
}

int threadsPerRank(const RunOptions &options, int ranksHere) {
  if (options.threads > 0)
    return options.threads;
  // The user already told OpenMP or the BLAS library.
  for (const char *name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"})
    if (const char *set = std::getenv(name)) {
      int value = std::atoi(set);
      if (value > 0)
        return value;
    }
  // The CPUs this process may run on (taskset, cgroups), not all online.
  cpu_set_t set;
  int cores = sched_getaffinity(0, sizeof(set), &set) == 0
                  ? CPU_COUNT(&set)
                  : int(std::thread::hardware_concurrency());
  return std::max(1, cores / std::max(1, ranksHere));
}

} // namespace pprt
