//===- RunMain.cpp - the main() of every generated program ----------------===//
//
// Everything a generated program does besides computing: read inputs (.npy or
// an ONNX test_data_set), allocate every buffer once, load weights, run,
// time, write outputs and compare them with references. A program with a
// stage table runs on many ranks (RunRanks.cpp); this file runs the
// single-rank ones and decides which is which.
//
//===----------------------------------------------------------------------===//

#include "RankGenerateLoop.h"
#include "RunIO.h"
#include "RunOptions.h"
#include "RunRanks.h"
#include "Checkpoint.h"
#include "Shard.h"
#include "TrainLoop.h"
#include "pprt/DType.h"
#include "pprt/Device.h"
#include "pprt/Launch.h"
#include "pprt/Timer.h"
#include "pprt/Weights.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace pprt {

namespace {

/// Device memory and context released on every return path.
class DeviceState {
public:
  explicit DeviceState(Device &device) : device(device) {}
  ~DeviceState() {
    device.destroyGraph(graph);
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
  void *graph = nullptr; ///< --cuda-graphs: the captured step

private:
  std::vector<void *> buffers;
  bool haveContext = false;
};

/// A program without a stage table: one rank, whole tensors.
int runSingleRank(const Program &program, const RunOptions &options,
                  Device &device) {
  std::string error;
  if (options.ranks > 1)
    return failWith("this program was compiled for 1 rank, got --ranks " +
                std::to_string(options.ranks));
  LaunchEnv env = detectLaunch();
  if (!env.launcher.empty() && env.size != 1)
    return failWith("this program was compiled for 1 rank, got " + env.launcher +
                " with " +
                (env.size ? std::to_string(env.size) : std::string("several")) +
                " processes");

  RunData data;
  if (!readRunData(program, options, data, error) ||
      !prepareOutputDir(options, error))
    return failWith(error);
  bool training = isTrainingProgram(program);
  if (!training && (!options.saveWeights.empty() || !options.resume.empty() ||
                    !options.dumpGrads.empty() || options.steps != 1))
    return failWith("--steps, --dump-grads, --save-weights and --resume need "
                    "a training program (pp-opt --train)");
  if (!options.resume.empty() && !options.weightsDir.empty())
    return failWith("--resume reads the weights from its folder; drop "
                    "--weights-dir");
  int64_t firstStep = 0;
  if (!options.resume.empty() &&
      !loadCheckpointState(options.resume, program, data.inputs, firstStep,
                           error))
    return failWith(error);
  std::vector<HostArray> &inputs = data.inputs;

  // Device: every buffer is allocated here, once; the run allocates nothing.
  if (!device.init(error))
    return failWith(error);
  DeviceState state(device);
  state.makeContext();
  int numInputs = program.numInputs;
  std::vector<void *> inputPtrs(numInputs), outputPtrs(program.numOutputs),
      weightPtrs(program.numWeights);
  for (int i = 0; i < numInputs; ++i) {
    inputPtrs[i] = state.alloc(inputs[i].data.size());
    device.upload(inputPtrs[i], inputs[i].data.data(), inputs[i].data.size());
  }
  for (int i = 0; i < program.numOutputs; ++i)
    outputPtrs[i] = state.alloc(byteSize(program.outputs[i]));

  std::string weightsDir = !options.resume.empty()     ? options.resume
                           : !options.weightsDir.empty() ? options.weightsDir
                           : program.weightsDir          ? program.weightsDir
                                                         : "";
  WeightFiles files(weightsDir);
  std::vector<char> staging;
  uint64_t weightBytes = 0;
  for (int i = 0; i < program.numWeights; ++i) {
    const WeightSpec &spec = program.weights[i];
    const MappedFile *file = files.get(spec.file, error);
    if (!file || !checkWeightRange(spec, *file, error))
      return failWith(error);
    // A weight may be a region of its file tensor (a fused QKV's columns).
    const int64_t *shape = weightShape(spec);
    int64_t zeros[kMaxRank] = {};
    const int64_t *starts = spec.regionStarts ? spec.regionStarts : zeros;
    size_t bytes = static_cast<size_t>(numElements(shape, spec.rank)) *
                   dtypeSize(spec.dtype);
    weightBytes += bytes;
    weightPtrs[i] = state.alloc(bytes);
    if (device.isHost()) {
      if (!loadWeightSlice(spec, *file, starts, shape, weightPtrs[i], error))
        return failWith(error);
    } else {
      staging.resize(bytes);
      if (!loadWeightSlice(spec, *file, starts, shape, staging.data(), error))
        return failWith(error);
      device.upload(weightPtrs[i], staging.data(), bytes);
    }
    if (!training)
      device.markConstant(weightPtrs[i], bytes);
  }
  std::vector<char>().swap(staging);
  char *arena = static_cast<char *>(state.alloc(program.arenaBytes));
  if (options.reportMemory)
    printRankMemory(0, "0", weightBytes, program.arenaBytes);

  auto enqueue = [&] {
    program.run(state.ctx, inputPtrs.data(), outputPtrs.data(),
                weightPtrs.data(), arena);
  };
  auto runOnce = [&] {
    if (state.graph)
      device.launchGraph(state.ctx, state.graph);
    else
      enqueue();
    device.synchronize(state.ctx);
  };
  if (training)
    return runTrainingSteps(program, options, device, state.ctx, data,
                            {inputPtrs, outputPtrs, weightPtrs}, runOnce,
                            firstStep, weightsDir);
  // With --repeat, the first run warms caches and lazy library setup
  // (cuBLAS heuristics, cuBLASLt plans) and is not timed. A captured graph
  // then holds only kernel launches, and a replay writes the outputs.
  Timer warmUp;
  runOnce();
  const double warmUpMs = warmUp.elapsedMs();
  // The warm-up run also makes the constant weights' derived copies.
  const std::string derived = device.derivedWeightsNote();
  if (options.cudaGraphs) {
    state.graph = device.captureGraph(state.ctx, enqueue, error);
    if (!state.graph)
      return failWith(error);
    runOnce();
  }
  if (options.repeat > 0) {
    Timer timer;
    for (int r = 0; r < options.repeat; ++r)
      runOnce();
    std::printf("time: forward mean %.4f ms over %d runs\n",
                timer.elapsedMs() / options.repeat, options.repeat);
    std::printf("time: warm-up run %.1f ms%s%s\n", warmUpMs,
                derived.empty() ? "" : ", which ", derived.c_str());
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
  return finishOutputs(program, options, data, outputs);
}

} // namespace

int runMain(int argc, char **argv, const Program &program, Device &device) {
  return runMain(argc, argv, program, device, nullptr);
}

int runMain(int argc, char **argv, const Program &program, Device &device,
            ProcessGroup *processes) {
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
    return failWith(std::string("program was compiled for target '") + target +
                "' but linked with the " + device.name() + " runtime (pprt_" +
                device.name() + ")");
  bool generates = isGenerationProgram(program);
  if (!generates && (!options.prompt.empty() || options.maxNewTokens ||
                     options.dumpLogits || options.eos >= 0 ||
                     options.temperature > 0 || options.topK ||
                     options.topP < 1 || options.seed))
    return failWith("--prompt, --max-new-tokens, --temperature, --top-k, "
                    "--top-p, --seed, --eos and --dump-logits need a "
                    "generation program (pp-opt --generate)");
  if (options.cudaGraphs &&
      (program.numStages > 0 || isTrainingProgram(program)))
    return failWith("--cuda-graphs runs one-rank forward programs only (this "
                    "one has " +
                    std::string(program.numStages > 0 ? "a stage table"
                                                      : "a training step") +
                    ")");
  if (program.numStages > 0)
    return runRanks(program, options, device, processes);
  device.setThreads(threadsPerRank(options, 1));
  return runSingleRank(program, options, device);
}

} // namespace pprt
