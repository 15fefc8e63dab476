//===- RankTrainLoop.cpp - the step loop of a parallel training program ---===//
//
// Each rank runs the same loop over its own stages (docs/training.md):
//
//   1. the step's data: each input's slice s mod k, cut into this rank's
//      block and micro-batches; the loss scale (1 / the labels of the whole
//      step that count); the step count; zeros in the accumulators (the
//      gradients and the loss);
//   2. the schedule's actions: F, B, W and the messages between stages;
//      once a stage's last W is done, its gradients (one bucket) start
//      their sum over "dp", in place, while the schedule goes on;
//   3. once those sums are in, a tied weight's gradients summed between
//      the stages that train it, the global norm when clipping, then each
//      stage's update (the optimizer);
//   4. the new weights and state swap places with the old ones.
//
// The loss is reduced over the world once per step, so every rank sees the
// same value and stops together on a NaN; the rank that holds it for
// pipeline coordinate 0 of every other axis prints the progress line and
// writes loss.npy.
//
//===----------------------------------------------------------------------===//

#include "RankTrainLoop.h"

#include "Checkpoint.h"
#include "TrainLoop.h"
#include "pprt/DType.h"
#include "pprt/Timer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

namespace pprt {

namespace {

/// Whether the rank is at coordinate 0 of every axis but "pp" and "dp".
bool onlyDataParallel(const Job &job, const std::vector<int64_t> &coords) {
  for (size_t a = 0; a < coords.size(); ++a) {
    const char *name = job.program.mesh.axisNames[a];
    if (int(a) != job.program.stageAxis && coords[a] != 0 &&
        !(name && std::strcmp(name, "dp") == 0))
      return false;
  }
  return true;
}

/// Whether this rank speaks for its pipeline coordinate: 0 on every other
/// axis.
bool leads(const Job &job, const std::vector<int64_t> &coords) {
  for (size_t a = 0; a < coords.size(); ++a)
    if (int(a) != job.program.stageAxis && coords[a] != 0)
      return false;
  return true;
}

/// The labels of step `step` that count: not torch's ignore_index.
int64_t countLabels(const HostArray &whole, const TensorSpec &spec,
                    int64_t step) {
  int dim = trainingBatchDim(spec);
  int64_t k = spec.rank ? whole.shape[dim] / spec.shape[dim] : 1;
  std::vector<char> batch;
  copyBatch(whole, spec, dim, step % k, batch);
  int64_t n = 0;
  const int64_t *labels = reinterpret_cast<const int64_t *>(batch.data());
  for (size_t i = 0; i < batch.size() / sizeof(int64_t); ++i)
    n += labels[i] != -100;
  return n;
}

/// The world rank that holds `stage` at coordinate 0 of every other axis.
int64_t leaderOf(const Job &job, int stage) {
  for (int64_t r = 0; r < job.mesh.numRanks(); ++r) {
    std::vector<int64_t> coords = job.mesh.coordsOf(r);
    if (leads(job, coords) &&
        pipelineCoord(job, coords) == job.stages.rankOf(stage))
      return r;
  }
  return 0;
}

/// A tensor of `shape` whose dims `shardAxes` split over mesh axes (null:
/// whole on every rank).
struct Split {
  const int64_t *shape;
  int rank;
  const int *shardAxes;
  DType dtype;

  bool splits(int axis) const {
    for (int d = 0; shardAxes && d < rank; ++d)
      if (shardAxes[d] == axis)
        return true;
    return false;
  }
};

/// The whole tensor on world rank `to`, pasted from `buf`, the block each
/// rank holds that differs from world rank `source` only on the axes that
/// split it. Every rank calls it; those two kinds take part.
void gatherWhole(const Job &job, const std::vector<int64_t> &coords,
                 Comm &comm, const Split &t, const void *buf, int64_t source,
                 int64_t to, int64_t tag, const char *what,
                 std::vector<char> &whole) {
  Device &device = job.device;
  size_t elem = dtypeSize(t.dtype);
  int64_t rank = job.mesh.rankOf(coords);
  std::vector<int64_t> from = job.mesh.coordsOf(source);
  auto holds = [&](const std::vector<int64_t> &c) {
    for (size_t a = 0; a < c.size(); ++a)
      if (c[a] != from[a] && !t.splits(int(a)))
        return false;
    return true;
  };
  if (rank != to) {
    if (holds(coords)) {
      Block block = shardBlock(t.shape, t.rank, t.shardAxes, coords,
                               job.axisSizes);
      comm.send(buf, block.numElements() * elem, job.world, to, tag, what);
    }
    return;
  }
  whole.assign(size_t(numElements(t.shape, t.rank)) * elem, 0);
  std::vector<char> part;
  for (int64_t r = 0; r < job.mesh.numRanks(); ++r) {
    std::vector<int64_t> c = job.mesh.coordsOf(r);
    if (!holds(c))
      continue;
    Block block = shardBlock(t.shape, t.rank, t.shardAxes, c, job.axisSizes);
    part.resize(block.numElements() * elem);
    if (r == rank) {
      device.download(part.data(), buf, part.size());
    } else {
      void *staging = device.alloc(part.size());
      comm.recv(staging, part.size(), job.world, r, tag, what);
      device.download(part.data(), staging, part.size());
      device.free(staging);
    }
    copyBlockIn(whole.data(), part.data(), t.shape, block, elem);
  }
}

/// --save-weights: rank 0 gathers every weight and optimizer state from
/// the ranks that lead a stage holding it (their tensor-parallel parts
/// pasted together), then writes the checkpoint as one rank does (a whole
/// ONNX model, optimizer/, step.txt).
bool saveParallelCheckpoint(const Job &job, const std::vector<int64_t> &coords,
                            RankState &state, RankBuffers &buffers, Comm &comm,
                            int64_t lastStep) {
  const Program &program = job.program;
  Device &device = job.device;
  int64_t rank = job.mesh.rankOf(coords);
  auto sourceOf = [&](auto holds) -> int64_t {
    for (int s = 0; s < program.numStages; ++s)
      if (holds(program.stages[s]))
        return leaderOf(job, s);
    return -1;
  };
  device.synchronize(state.ctx);
  std::vector<std::vector<char>> weights(program.numWeights);
  for (int w = 0; w < program.numWeights; ++w) {
    const WeightSpec &spec = program.weights[w];
    int64_t from = sourceOf([&](const StageSpec &st) {
      return std::find(st.weights, st.weights + st.numWeights, w) !=
             st.weights + st.numWeights;
    });
    std::string what = std::string("runtime: checkpoint weight ") + spec.name;
    gatherWhole(job, coords, comm,
                {weightShape(spec), spec.rank, spec.shardAxes, spec.dtype},
                buffers.weights[w], from, 0, w, what.c_str(), weights[w]);
  }
  std::vector<std::pair<std::string, HostArray>> states;
  for (int i = 0; i < program.numInputs; ++i) {
    const TensorSpec &spec = program.inputs[i];
    if (spec.role != TensorRole::State)
      continue;
    int64_t from = sourceOf([&](const StageSpec &st) {
      return std::find(st.inputs, st.inputs + st.numInputs, i) !=
             st.inputs + st.numInputs;
    });
    std::string what = std::string("runtime: checkpoint state ") + spec.name;
    HostArray value;
    value.dtype = spec.dtype;
    value.shape.assign(spec.shape, spec.shape + spec.rank);
    gatherWhole(job, coords, comm,
                {spec.shape, spec.rank, spec.shardAxes, spec.dtype},
                buffers.inputs[0][i], from, 0, program.numWeights + i,
                what.c_str(), value.data);
    if (rank == 0)
      states.push_back({spec.name, std::move(value)});
  }
  std::string error;
  if (rank == 0 && !saveCheckpoint(program, job.weightsDir, weights, states,
                                   lastStep, job.options.saveWeights,
                                   error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  }
  return true;
}

/// --dump-grads: step 1's gradients, whole. Each stage's leader pastes its
/// tensor-parallel partners' parts together, and the parts of a fused
/// tensor (regions) into the tensor the model names.
bool dumpGradients(const Job &job, const std::vector<int64_t> &coords,
                   Comm &comm, RankBuffers &buffers) {
  const Program &program = job.program;
  const std::string &dir = job.options.dumpGrads;
  int64_t rank = job.mesh.rankOf(coords);
  std::vector<int64_t> leaderCoords = coords;
  for (size_t a = 0; a < coords.size(); ++a)
    if (int(a) != program.stageAxis)
      leaderCoords[a] = 0;
  int64_t leader = job.mesh.rankOf(leaderCoords);
  std::string error;
  auto write = [&](const char *name, const HostArray &grad) {
    if (prepareDir(dir, error) &&
        writeArrayNpy(dir + "/" + fileNameFor(name), grad, error))
      return true;
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return false;
  };
  std::map<std::string, HostArray> fused;
  for (int o = 0; o < program.numOutputs; ++o) {
    const TensorSpec &spec = program.outputs[o];
    int weight = weightNamed(program, spec.of);
    if (spec.role != TensorRole::Gradient || !buffers.outputs[0][o] ||
        weight < 0)
      continue;
    HostArray grad;
    grad.dtype = spec.dtype;
    grad.shape.assign(spec.shape, spec.shape + spec.rank);
    std::string what = std::string("runtime: gradient ") + spec.name;
    gatherWhole(job, coords, comm,
                {spec.shape, spec.rank, spec.shardAxes, spec.dtype},
                buffers.outputs[0][o], leader, leader, o, what.c_str(),
                grad.data);
    if (rank != leader)
      continue;
    const WeightSpec &w = program.weights[weight];
    if (!w.regionStarts) {
      if (!write(w.name, grad))
        return false;
      continue;
    }
    HostArray &tensor = fused[w.tensorName ? w.tensorName : w.name];
    size_t elem = dtypeSize(spec.dtype);
    if (tensor.data.empty()) {
      tensor.dtype = spec.dtype;
      tensor.shape.assign(w.shape, w.shape + w.rank);
      tensor.data.assign(size_t(numElements(w.shape, w.rank)) * elem, 0);
    }
    copyBlockIn(tensor.data.data(), grad.data.data(), w.shape, regionBlock(w),
                elem);
  }
  for (const auto &[name, tensor] : fused)
    if (!write(name.c_str(), tensor))
      return false;
  return true;
}

} // namespace

int trainRank(const Job &job, const std::vector<int64_t> &coords,
              const std::vector<int> &stages, RankState &state,
              RankBuffers &buffers, Comm &comm,
              const std::function<void(const GradientsDone &)> &runActions) {
  const Program &program = job.program;
  const RunOptions &options = job.options;
  Device &device = job.device;
  Context &ctx = state.ctx;
  int m = program.numMicrobatches;
  bool speaks = leads(job, coords);
  // The elements of a tensor this rank holds: a tensor-parallel part.
  auto localCount = [&](const TensorSpec &spec) {
    return shardBlock(spec.shape, spec.rank, spec.shardAxes, coords,
                      job.axisSizes)
        .numElements();
  };

  // The loss output and the rank that holds it for the report.
  int lossOutput = -1;
  for (int o = 0; o < program.numOutputs; ++o)
    if (program.outputs[o].role == TensorRole::Loss)
      lossOutput = o;
  // Each data-parallel replica's last stage holds its part of the loss; the
  // one at coordinate 0 of the other axes reports the sum.
  bool addsLoss = lossOutput >= 0 && buffers.outputs[0][lossOutput] &&
                  onlyDataParallel(job, coords);
  bool holdsLoss = addsLoss && speaks;

  // Weights trained by several stages, with their gradient outputs.
  std::map<int, std::vector<int>> ties;
  for (int o = 0; o < program.numOutputs; ++o)
    if (program.outputs[o].role == TensorRole::Gradient)
      ties[weightNamed(program, program.outputs[o].of)]
          .push_back(o);
  for (auto it = ties.begin(); it != ties.end();)
    it = it->second.size() > 1 && it->first >= 0 ? std::next(it)
                                                 : ties.erase(it);
  std::map<int, void *> tieBuffers;
  std::map<int, std::string> tieNames;
  for (auto &[w, outputs] : ties) {
    if (program.outputs[outputs.front()].dtype != DType::F32) {
      std::fprintf(stderr, "error: tied weight %s: gradients must be f32\n",
                   program.weights[w].name);
      return 1;
    }
    tieNames[w] = std::string("runtime: the gradient of tied weight ") +
                  program.weights[w].name;
  }
  AxisMask stageGroup =
      program.stageAxis < 0 ? 0 : AxisMask(1) << program.stageAxis;
  AxisMask dpGroup = 0;
  for (int a = 0; a < program.mesh.numAxes; ++a)
    if (program.mesh.axisNames[a] &&
        std::strcmp(program.mesh.axisNames[a], "dp") == 0 &&
        program.mesh.axisSizes[a] > 1)
      dpGroup = AxisMask(1) << a;
  std::vector<std::string> gradNames(program.numOutputs);
  for (int o = 0; o < program.numOutputs; ++o)
    gradNames[o] = std::string("runtime: the dp sum of gradient ") +
                   program.outputs[o].name;
  // ZeRO-1 (ShardOptimizerState.cpp): the update works on one part of each
  // weight per data-parallel replica, ceil(n / replicas) elements; the
  // gradients are reduce-scattered into the front of their buffers and the
  // new parts all-gathered into the weights.
  int64_t replicas = 1;
  int dpAxis = -1;
  for (int a = 0; a < program.mesh.numAxes; ++a)
    if (dpGroup & (AxisMask(1) << a)) {
      dpAxis = a;
      replicas = job.axisSizes[a];
    }
  bool zero = false;
  for (int o = 0; o < program.numOutputs; ++o) {
    const TensorSpec &spec = program.outputs[o];
    for (int d = 0; spec.role == TensorRole::Update && spec.shardAxes &&
                    d < spec.rank;
         ++d)
      zero |= dpAxis >= 0 && spec.shardAxes[d] == dpAxis;
  }
  auto partCount = [&](int64_t n) { return (n + replicas - 1) / replicas; };
  void *staging = nullptr;
  if (zero) {
    int64_t most = 0;
    for (int o = 0; o < program.numOutputs; ++o)
      if (program.outputs[o].role == TensorRole::Gradient)
        most = std::max(most, localCount(program.outputs[o]));
    staging = state.alloc(size_t(partCount(most) * replicas) * sizeof(float));
  }
  // The gradient's part summed over the replicas, in its buffer's front.
  auto reduceScatterGradient = [&](int o) {
    int64_t n = localCount(program.outputs[o]), c = partCount(n);
    device.copy(ctx, staging, buffers.outputs[0][o], n * sizeof(float));
    std::vector<float> pad(c * replicas - n, 0.0f);
    if (!pad.empty())
      device.upload(static_cast<float *>(staging) + n, pad.data(),
                    pad.size() * sizeof(float));
    comm.reduceScatter(buffers.outputs[0][o], staging, c, DType::F32,
                       CollectiveOp::Sum, dpGroup, gradNames[o].c_str());
  };
  // The replicas' parts of `buf` (n elements in all) back into `dst`.
  auto allGatherParts = [&](void *dst, const void *buf, int64_t n,
                            const char *what) {
    int64_t c = partCount(n);
    comm.allGather(staging, buf, c * sizeof(float), dpGroup, what);
    device.copy(ctx, dst, staging, n * sizeof(float));
  };
  // A gradient counts in the norm unless it is a tied weight's past the
  // first stage that trains it.
  std::vector<bool> countsInNorm(program.numOutputs, true);
  for (auto &[w, outputs] : ties)
    for (size_t k = 1; k < outputs.size(); ++k)
      countsInNorm[outputs[k]] = false;
  // The norm adds up over every axis but "dp", where gradients are equal
  // after their sum; a part counts where the rank is 0 on the other axes.
  AxisMask normGroup = 0;
  for (int a = 0; a < program.mesh.numAxes; ++a)
    if (zero || !(dpGroup & (AxisMask(1) << a)))
      normGroup |= AxisMask(1) << a;
  auto countsOnce = [&](const TensorSpec &spec) {
    Split split{spec.shape, spec.rank, spec.shardAxes, spec.dtype};
    for (int a = 0; a < program.mesh.numAxes; ++a)
      if (a != program.stageAxis && !(dpGroup & (AxisMask(1) << a)) &&
          coords[a] != 0 && !split.splits(a))
        return false;
    return true;
  };
  int gradNormInput = -1;
  for (int i = 0; i < program.numInputs; ++i)
    if (program.inputs[i].role == TensorRole::GradNorm)
      gradNormInput = i;
  // Data parallelism: a stage's gradients, summed over the replicas in
  // place as one bucket, started as soon as they are final (ZeRO-1
  // reduce-scatters them after the schedule instead).
  auto startGradientSum = [&](int st) {
    if (!dpGroup || zero)
      return;
    std::vector<Comm::Reduction> bucket;
    const StageSpec &stage = program.stages[st];
    for (int k = 0; k < stage.numOutputs; ++k) {
      int o = stage.outputs[k];
      const TensorSpec &spec = program.outputs[o];
      if (spec.role == TensorRole::Gradient && buffers.outputs[0][o])
        bucket.push_back({buffers.outputs[0][o], localCount(spec), spec.dtype,
                          gradNames[o].c_str()});
    }
    comm.startAllReduces(bucket, CollectiveOp::Sum, dpGroup);
  };
  void *normBuf = state.alloc(sizeof(float));
  void *lossBuf = state.alloc(sizeof(float));
  std::vector<char> host, batch, zeros;
  std::vector<float> losses;
  std::string error;
  int64_t firstStep = job.firstStep, lastStep = firstStep + options.steps;
  for (int s = 0; s < options.steps; ++s) {
    Timer timer;
    int64_t step = firstStep + s;
    for (int i = 0; i < program.numInputs; ++i) {
      const TensorSpec &spec = program.inputs[i];
      if (!buffers.inputs[0][i])
        continue; // none of this rank's stages reads it
      std::vector<char> value;
      if (spec.role == TensorRole::Step || spec.role == TensorRole::LossScale) {
        float v = float(step + 1);
        if (spec.role == TensorRole::LossScale) {
          int labels = inputNamed(program, spec.of, TensorRole::Data);
          int64_t n = labels < 0 ? 0
                                 : countLabels(job.data.inputs[labels],
                                               program.inputs[labels], step);
          v = 1.0f / float(n > 0 ? n : 1);
        }
        value.resize(dtypeSize(spec.dtype));
        convertElements(value.data(), spec.dtype, &v, DType::F32, 1);
        device.upload(buffers.inputs[0][i], value.data(), value.size());
        continue;
      }
      if (spec.role != TensorRole::Data)
        continue;
      const HostArray &whole = job.data.inputs[i];
      int dim = trainingBatchDim(spec);
      int64_t k = spec.rank ? whole.shape[dim] / spec.shape[dim] : 1;
      if (k == 1 && s > 0)
        continue; // one batch: uploaded at step 1
      copyBatch(whole, spec, dim, step % k, batch);
      Block block = shardBlock(spec.shape, spec.rank, spec.shardAxes, coords,
                               job.axisSizes);
      size_t elem = dtypeSize(spec.dtype);
      for (int mb = 0; mb < (spec.batchDim < 0 ? 1 : m); ++mb) {
        Block part = microBlock(block, spec.batchDim, mb, m);
        host.resize(part.numElements() * elem);
        copyBlockOut(host.data(), batch.data(), spec.shape, part, elem);
        device.upload(buffers.inputs[mb][i], host.data(), host.size());
      }
    }
    for (int o = 0; o < program.numOutputs; ++o) {
      const TensorSpec &spec = program.outputs[o];
      if (!buffers.outputs[0][o] || (spec.role != TensorRole::Gradient &&
                                     spec.role != TensorRole::Loss))
        continue;
      zeros.assign(size_t(localCount(spec)) * dtypeSize(spec.dtype), 0);
      device.upload(buffers.outputs[0][o], zeros.data(), zeros.size());
    }

    runActions(startGradientSum);
    comm.drainReductions("runtime: the dp sum of the gradients");
    // A weight trained by several stages (a tied embedding) gets the sum of
    // their gradients, over the stage axis: every rank of the axis takes
    // part, with zeros where none of its stages trains the weight.
    for (auto &[w, outputs] : ties) {
      size_t n = size_t(localCount(program.outputs[outputs.front()]));
      std::vector<float> sum(n, 0.0f), part(n);
      for (int o : outputs) {
        if (!buffers.outputs[0][o])
          continue;
        device.download(part.data(), buffers.outputs[0][o], n * sizeof(float));
        for (size_t e = 0; e < n; ++e)
          sum[e] += part[e];
      }
      void *&buf = tieBuffers[w];
      if (!buf)
        buf = state.alloc(n * sizeof(float));
      device.upload(buf, sum.data(), n * sizeof(float));
      comm.allReduce(buf, int64_t(n), DType::F32, CollectiveOp::Sum,
                     stageGroup, tieNames[w].c_str());
      device.synchronize(ctx);
      device.download(sum.data(), buf, n * sizeof(float));
      for (int o : outputs)
        if (buffers.outputs[0][o])
          device.upload(buffers.outputs[0][o], sum.data(), n * sizeof(float));
    }
    if (zero)
      for (int o = 0; o < program.numOutputs; ++o)
        if (program.outputs[o].role == TensorRole::Gradient &&
            buffers.outputs[0][o])
          reduceScatterGradient(o);
    // Clipping: the 2-norm of every gradient of the step, a tied weight's
    // once (its first stage counts it), a replicated one's once (where its
    // rank is 0 on the axes that do not split it), over every axis but dp.
    if (gradNormInput >= 0 && buffers.inputs[0][gradNormInput]) {
      double squares = 0;
      std::vector<float> g;
      for (int o = 0; o < program.numOutputs; ++o) {
        const TensorSpec &spec = program.outputs[o];
        if (spec.role != TensorRole::Gradient || !buffers.outputs[0][o] ||
            !countsInNorm[o] || !countsOnce(spec))
          continue;
        g.resize(size_t(zero ? partCount(localCount(spec))
                             : localCount(spec)));
        device.download(g.data(), buffers.outputs[0][o], g.size() * 4);
        for (float x : g)
          squares += double(x) * double(x);
      }
      float sum = float(squares);
      device.upload(normBuf, &sum, sizeof(sum));
      comm.allReduce(normBuf, 1, DType::F32, CollectiveOp::Sum, normGroup,
                     "runtime: the gradients' norm");
      device.synchronize(ctx);
      device.download(&sum, normBuf, sizeof(sum));
      float norm = std::sqrt(sum);
      std::vector<char> value(dtypeSize(program.inputs[gradNormInput].dtype));
      convertElements(value.data(), program.inputs[gradNormInput].dtype,
                      &norm, DType::F32, 1);
      device.upload(buffers.inputs[0][gradNormInput], value.data(),
                    value.size());
    }
    for (int st : stages) {
      ctx.stash = nullptr;
      program.stages[st].update(ctx, buffers.inputs[0].data(),
                                buffers.outputs[0].data(),
                                buffers.weights.data(), buffers.arenas[st]);
    }
    // ZeRO-1: each weight from the replicas' new parts.
    for (int o = 0; zero && o < program.numOutputs; ++o) {
      int w = weightNamed(program, program.outputs[o].of);
      if (program.outputs[o].role != TensorRole::Update ||
          !buffers.outputs[0][o] || w < 0)
        continue;
      const WeightSpec &spec = program.weights[w];
      int64_t n = shardBlock(weightShape(spec), spec.rank, spec.shardAxes,
                             coords, job.axisSizes)
                      .numElements();
      allGatherParts(buffers.weights[w], buffers.outputs[0][o], n,
                     "runtime: the new parts of a weight (ZeRO-1)");
    }
    device.synchronize(ctx);

    // Every rank learns the step's loss (the reporter's; others add 0).
    float loss = 0;
    if (addsLoss) {
      std::vector<char> raw(byteSize(program.outputs[lossOutput]));
      device.download(raw.data(), buffers.outputs[0][lossOutput], raw.size());
      convertElements(&loss, DType::F32, raw.data(),
                      program.outputs[lossOutput].dtype, 1);
    }
    device.upload(lossBuf, &loss, sizeof(loss));
    comm.allReduce(lossBuf, 1, DType::F32, CollectiveOp::Sum, job.world,
                   "runtime: the step's loss");
    device.synchronize(ctx);
    device.download(&loss, lossBuf, sizeof(loss));
    losses.push_back(loss);
    if (!std::isfinite(loss) && !options.allowNan) {
      if (holdsLoss)
        std::fprintf(stderr,
                     "error: step %lld: the loss is %s (--allow-nan keeps "
                     "going)\n",
                     static_cast<long long>(step + 1),
                     std::isnan(loss) ? "NaN" : "infinite");
      return 1;
    }

    if (s == 0 && !options.dumpGrads.empty()) {
      for (int o = 0; zero && o < program.numOutputs; ++o)
        if (program.outputs[o].role == TensorRole::Gradient &&
            buffers.outputs[0][o])
          allGatherParts(buffers.outputs[0][o], buffers.outputs[0][o],
                         localCount(program.outputs[o]), gradNames[o].c_str());
      if (!dumpGradients(job, coords, comm, buffers))
        return 1;
    }
    // The new weights and state swap places with the old ones; the old
    // buffers receive the next step's results.
    // Two stages of one rank that both train a tied weight compute the
    // same new value: the first one's is taken.
    std::vector<bool> swapped(program.numWeights, false);
    for (int o = 0; o < program.numOutputs; ++o) {
      const TensorSpec &spec = program.outputs[o];
      if (!buffers.outputs[0][o])
        continue;
      void **slot = nullptr;
      if (spec.role == TensorRole::Update) {
        if (zero)
          continue; // gathered into the weight already
        int w = weightNamed(program, spec.of);
        if (w >= 0 && swapped[w])
          continue;
        if (w >= 0)
          swapped[w] = true;
        slot = w < 0 ? nullptr : &buffers.weights[w];
      } else if (spec.role == TensorRole::State) {
        int i = inputNamed(program, spec.of, TensorRole::State);
        slot = i < 0 ? nullptr : &buffers.inputs[0][i];
        if (slot) {
          void *old = *slot;
          for (int mb = 0; mb < m; ++mb)
            buffers.inputs[mb][i] = buffers.outputs[0][o];
          for (int mb = 0; mb < m; ++mb)
            buffers.outputs[mb][o] = old;
          continue;
        }
      }
      if (!slot)
        continue;
      void *old = *slot;
      *slot = buffers.outputs[0][o];
      for (int mb = 0; mb < m; ++mb)
        buffers.outputs[mb][o] = old;
    }
    if (holdsLoss &&
        ((s + 1) % options.logEvery == 0 || s + 1 == options.steps)) {
      std::printf("step %lld/%lld  loss %.4f  %.1f ms\n",
                  static_cast<long long>(step + 1),
                  static_cast<long long>(lastStep),
                  std::isnan(loss) ? NAN : loss, timer.elapsedMs());
      std::fflush(stdout);
    }
  }
  if (!options.saveWeights.empty() &&
      !saveParallelCheckpoint(job, coords, state, buffers, comm, lastStep))
    return 1;
  if (holdsLoss && !options.outputDir.empty()) {
    int64_t n = static_cast<int64_t>(losses.size());
    if (!writeNpy(options.outputDir + "/loss.npy", DType::F32, &n, 1,
                  losses.data(), error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
  }
  return 0;
}

} // namespace pprt
