//===- TrainLoop.cpp - the step loop of a training program ---------------===//
//
// A training program (pp-opt --train) computes one optimizer step per run:
// the loss, the gradients, each weight's new value and the optimizer's new
// state. This loop feeds it: each step's slice of the data, the step count,
// and last step's state; after the run it moves the new values into the
// weights and the state inputs (device copies, nothing crosses to the host
// but the loss), records the loss and prints the progress line.
//
//===----------------------------------------------------------------------===//

#include "TrainLoop.h"

#include "Checkpoint.h"

#include "pprt/DType.h"
#include "pprt/Timer.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace pprt {

namespace {

/// Where each role's tensors go, resolved by name once.
struct Wiring {
  int loss = -1, step = -1;
  std::vector<std::pair<int, int>> updates;   ///< (output, weight)
  std::vector<std::pair<int, int>> states;    ///< (output, input)
  std::vector<std::pair<int, int>> gradients; ///< (output, weight)
};

bool wire(const Program &program, Wiring &w, std::string &error) {
  for (int i = 0; i < program.numInputs; ++i)
    if (program.inputs[i].role == TensorRole::Step)
      w.step = i;
  for (int o = 0; o < program.numOutputs; ++o) {
    const TensorSpec &spec = program.outputs[o];
    std::string what = std::string("training output ") + spec.name;
    switch (spec.role) {
    case TensorRole::Loss:
      w.loss = o;
      break;
    case TensorRole::Update:
    case TensorRole::Gradient: {
      int weight = weightNamed(program, spec.of);
      if (weight < 0) {
        error = what + " names no weight of the program";
        return false;
      }
      const WeightSpec &ws = program.weights[weight];
      if (ws.dtype != spec.dtype || ws.rank != spec.rank ||
          std::memcmp(ws.shape, spec.shape, sizeof(int64_t) * spec.rank)) {
        error = what + " does not have the type of weight " + ws.name;
        return false;
      }
      (spec.role == TensorRole::Update ? w.updates : w.gradients)
          .push_back({o, weight});
      break;
    }
    case TensorRole::State: {
      int input = inputNamed(program, spec.of, TensorRole::State);
      if (input < 0 || byteSize(program.inputs[input]) != byteSize(spec)) {
        error = what + " carries into no state input of its size";
        return false;
      }
      w.states.push_back({o, input});
      break;
    }
    default:
      break;
    }
  }
  if (w.loss < 0 || program.outputs[w.loss].rank != 0) {
    error = "the training program has no scalar loss output";
    return false;
  }
  return true;
}

} // namespace

int weightNamed(const Program &program, const char *name) {
  for (int i = 0; name && i < program.numWeights; ++i)
    if (std::strcmp(program.weights[i].name, name) == 0)
      return i;
  return -1;
}

int inputNamed(const Program &program, const char *name, TensorRole role) {
  for (int i = 0; name && i < program.numInputs; ++i)
    if (program.inputs[i].role == role &&
        std::strcmp(program.inputs[i].name, name) == 0)
      return i;
  return -1;
}

void copyBatch(const HostArray &whole, const TensorSpec &spec, int dim,
               int64_t part, std::vector<char> &out) {
  out.resize(byteSize(spec));
  if (spec.rank == 0) {
    std::memcpy(out.data(), whole.data.data(), out.size());
    return;
  }
  int64_t outer = 1, inner = dtypeSize(spec.dtype);
  for (int d = 0; d < dim; ++d)
    outer *= spec.shape[d];
  for (int d = dim + 1; d < spec.rank; ++d)
    inner *= spec.shape[d];
  int64_t rows = spec.shape[dim], wholeRows = whole.shape[dim];
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(out.data() + o * rows * inner,
                whole.data.data() + (o * wholeRows + part * rows) * inner,
                rows * inner);
}


int runTrainingSteps(const Program &program, const RunOptions &options,
                     Device &device, Context &ctx, const RunData &data,
                     TrainBuffers buffers,
                     const std::function<void()> &runOnce, int64_t firstStep,
                     const std::string &weightsDir) {
  Wiring w;
  std::string error;
  if (!wire(program, w, error))
    return failWith(error);

  std::vector<float> losses;
  std::vector<char> batch;
  HostArray loss;
  const TensorSpec &lossSpec = program.outputs[w.loss];
  loss.dtype = lossSpec.dtype;
  loss.data.resize(byteSize(lossSpec));
  int64_t lastStep = firstStep + options.steps;
  for (int s = 0; s < options.steps; ++s) {
    Timer timer;
    int64_t step = firstStep + s; // counted over resumed runs
    // The step's data: slice s mod k of an input that holds k batches.
    for (int i = 0; i < program.numInputs; ++i) {
      const TensorSpec &spec = program.inputs[i];
      if (spec.role != TensorRole::Data)
        continue;
      const HostArray &whole = data.inputs[i];
      int dim = trainingBatchDim(spec);
      int64_t k = spec.rank ? whole.shape[dim] / spec.shape[dim] : 1;
      if (k == 1 && s > 0)
        continue;
      copyBatch(whole, spec, dim, step % k, batch);
      device.upload(buffers.inputs[i], batch.data(), batch.size());
    }
    if (w.step >= 0) {
      float t = static_cast<float>(step + 1);
      const TensorSpec &spec = program.inputs[w.step];
      std::vector<char> value(dtypeSize(spec.dtype));
      convertElements(value.data(), spec.dtype, &t, DType::F32, 1);
      device.upload(buffers.inputs[w.step], value.data(), value.size());
    }
    runOnce();
    device.download(loss.data.data(), buffers.outputs[w.loss],
                    loss.data.size());
    float value = 0;
    convertElements(&value, DType::F32, loss.data.data(), loss.dtype, 1);
    losses.push_back(value);
    if (!std::isfinite(value) && !options.allowNan)
      return failWith("step " + std::to_string(step + 1) + ": the loss is " +
                  (std::isnan(value) ? "NaN" : "infinite") +
                  " (--allow-nan keeps going)");

    if (s == 0 && !options.dumpGrads.empty()) {
      if (!prepareDir(options.dumpGrads, error))
        return failWith(error);
      for (auto [o, weight] : w.gradients) {
        const TensorSpec &spec = program.outputs[o];
        HostArray grad;
        grad.dtype = spec.dtype;
        grad.shape.assign(spec.shape, spec.shape + spec.rank);
        grad.data.resize(byteSize(spec));
        device.download(grad.data.data(), buffers.outputs[o],
                        grad.data.size());
        std::string path = options.dumpGrads + "/" +
                           fileNameFor(program.weights[weight].name);
        if (!writeArrayNpy(path, grad, error))
          return failWith(error);
      }
    }
    // The new weights and state become the next step's: the buffers swap
    // places, and the old ones receive the next step's results.
    for (auto [o, weight] : w.updates)
      std::swap(buffers.weights[weight], buffers.outputs[o]);
    for (auto [o, input] : w.states)
      std::swap(buffers.inputs[input], buffers.outputs[o]);
    if ((s + 1) % options.logEvery == 0 || s + 1 == options.steps) {
      // (printf may write a NaN as "-nan")
      std::printf("step %lld/%lld  loss %.4f  %.1f ms\n",
                  static_cast<long long>(step + 1),
                  static_cast<long long>(lastStep),
                  std::isnan(value) ? NAN : value, timer.elapsedMs());
      std::fflush(stdout); // progress, and in order with errors on stderr
    }
  }
  std::fflush(stdout);

  if (!options.saveWeights.empty()) {
    // The state inputs hold the newest state after the last copy.
    std::vector<std::pair<std::string, HostArray>> states;
    for (int i = 0; i < program.numInputs; ++i) {
      const TensorSpec &spec = program.inputs[i];
      if (spec.role != TensorRole::State)
        continue;
      HostArray state;
      state.dtype = spec.dtype;
      state.shape.assign(spec.shape, spec.shape + spec.rank);
      state.data.resize(byteSize(spec));
      device.download(state.data.data(), buffers.inputs[i], state.data.size());
      states.push_back({spec.name, std::move(state)});
    }
    std::vector<std::vector<char>> weights(program.numWeights);
    for (int w = 0; w < program.numWeights; ++w) {
      const WeightSpec &spec = program.weights[w];
      weights[w].resize(size_t(numElements(spec.shape, spec.rank)) *
                        dtypeSize(spec.dtype));
      device.download(weights[w].data(), buffers.weights[w], weights[w].size());
    }
    if (!saveCheckpoint(program, weightsDir, weights, states,
                        lastStep, options.saveWeights, error))
      return failWith(error);
  }
  if (!options.outputDir.empty()) {
    int64_t n = static_cast<int64_t>(losses.size());
    if (!writeNpy(options.outputDir + "/loss.npy", DType::F32, &n, 1,
                  losses.data(), error))
      return failWith(error);
  }
  return 0;
}

} // namespace pprt
