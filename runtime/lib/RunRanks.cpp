//===- RunRanks.cpp - runMain for programs with a stage table -------------===//
//
// Every rank runs the StageSpec of its coordinate on the stage axis with
// only that stage's weights, and of a sharded weight only its block, read
// straight from the mapped file. Inputs are read whole (once per process)
// and each rank uploads its block. After the run, the ranks that hold
// distinct blocks of an output send them to rank 0, which pastes the whole
// tensor together and writes or compares it exactly as a single-rank run
// does, so the files do not depend on how the ranks were started.
//
// All ranks agree that setup succeeded before any runs: a rank that failed
// to load its weights must not leave its peers waiting in a recv.
//
//===----------------------------------------------------------------------===//

#include "RunRanks.h"
#include "RunIO.h"
#include "Shard.h"
#include "pprt/CommGroups.h"
#include "pprt/DType.h"
#include "pprt/Device.h"
#include "pprt/LocalComm.h"
#include "pprt/Timer.h"
#include "pprt/Watchdog.h"
#include "pprt/Weights.h"

#include "pp/Schedule/Action.h"
#include "pp/Schedule/ChromeTrace.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

namespace pprt {

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

bool checkIndices(const std::string &what, int count, const int *indices,
                  int limit, std::string &error) {
  if (count < 0 || (count > 0 && !indices)) {
    error = what + " has no index table";
    return false;
  }
  for (int i = 0; i < count; ++i)
    if (indices[i] < 0 || indices[i] >= limit) {
      error = what + " lists index " + std::to_string(indices[i]) + " of " +
              std::to_string(limit);
      return false;
    }
  return true;
}

/// Checks the stage table and shardings; fills `producer` (the stage of
/// each output).
bool checkProgram(const Program &program, std::vector<int> &producer,
                  std::string &error) {
  const MeshSpec &mesh = program.mesh;
  if (mesh.numAxes < 0 || mesh.numAxes > kMaxMeshAxes) {
    error = "mesh has " + std::to_string(mesh.numAxes) + " axes (at most " +
            std::to_string(kMaxMeshAxes) + ")";
    return false;
  }
  for (int a = 0; a < mesh.numAxes; ++a)
    if (mesh.axisSizes[a] < 1) {
      error = "mesh axis " + std::to_string(a) + " has size " +
              std::to_string(mesh.axisSizes[a]);
      return false;
    }
  if (program.stageAxis < -1 || program.stageAxis >= mesh.numAxes) {
    error = "stage axis " + std::to_string(program.stageAxis) +
            " is not a mesh axis";
    return false;
  }
  int64_t pipeline =
      program.stageAxis < 0 ? 1 : mesh.axisSizes[program.stageAxis];
  if (!program.stages || program.numStages < pipeline ||
      program.numStages % pipeline != 0) {
    error = std::to_string(program.numStages) + " stages for a stage axis of " +
            std::to_string(pipeline);
    return false;
  }
  if (program.numMicrobatches < 1) {
    error = std::to_string(program.numMicrobatches) + " micro-batches";
    return false;
  }
  producer.assign(program.numOutputs, -1);
  for (int s = 0; s < program.numStages; ++s) {
    const StageSpec &stage = program.stages[s];
    std::string what = "stage " + std::to_string(s);
    if (!stage.run) {
      error = what + " has no run function";
      return false;
    }
    if (!checkIndices(what + " weights", stage.numWeights, stage.weights,
                      program.numWeights, error) ||
        !checkIndices(what + " inputs", stage.numInputs, stage.inputs,
                      program.numInputs, error) ||
        !checkIndices(what + " outputs", stage.numOutputs, stage.outputs,
                      program.numOutputs, error))
      return false;
    for (int i = 0; i < stage.numOutputs; ++i) {
      int o = stage.outputs[i];
      if (producer[o] >= 0) {
        error = std::string("output ") + program.outputs[o].name +
                " is produced by stages " + std::to_string(producer[o]) +
                " and " + std::to_string(s);
        return false;
      }
      producer[o] = s;
    }
  }
  for (int o = 0; o < program.numOutputs; ++o)
    if (producer[o] < 0) {
      error =
          std::string("no stage produces output ") + program.outputs[o].name;
      return false;
    }
  auto checkTensors = [&](const char *kind, int count,
                          const TensorSpec *specs) {
    for (int i = 0; i < count; ++i) {
      const TensorSpec &spec = specs[i];
      std::string what = std::string(kind) + " " + spec.name;
      if (!checkShardAxes(what, spec.shape, spec.rank, spec.shardAxes, mesh,
                          program.stageAxis, error))
        return false;
      if (spec.batchDim < -1 || spec.batchDim >= spec.rank) {
        error = what + ": batch dim " + std::to_string(spec.batchDim) +
                " is not a dim";
        return false;
      }
      if (spec.batchDim < 0)
        continue;
      int64_t parts = program.numMicrobatches;
      if (spec.shardAxes && spec.shardAxes[spec.batchDim] >= 0)
        parts *= mesh.axisSizes[spec.shardAxes[spec.batchDim]];
      if (spec.shape[spec.batchDim] % parts != 0) {
        error = what + ": batch dim of size " +
                std::to_string(spec.shape[spec.batchDim]) +
                " does not divide into " + std::to_string(parts) + " parts";
        return false;
      }
    }
    return true;
  };
  if (!checkTensors("input", program.numInputs, program.inputs) ||
      !checkTensors("output", program.numOutputs, program.outputs))
    return false;
  for (int w = 0; w < program.numWeights; ++w) {
    const WeightSpec &spec = program.weights[w];
    std::string what = std::string("weight ") + spec.name;
    if (spec.regionStarts || spec.regionSizes) {
      for (int d = 0; d < spec.rank; ++d)
        if (!spec.regionStarts || !spec.regionSizes ||
            spec.regionStarts[d] < 0 || spec.regionSizes[d] < 0 ||
            spec.regionStarts[d] > spec.shape[d] - spec.regionSizes[d]) {
          error = what + ": region is outside its file tensor";
          return false;
        }
    }
    if (!checkShardAxes(what, weightShape(spec), spec.rank, spec.shardAxes,
                        mesh, program.stageAxis, error))
      return false;
  }
  return true;
}

using CommMaker = std::function<std::unique_ptr<Comm>(Context &)>;

/// The part of a tensor that micro-batch `mb` of `m` covers within `block`.
Block microBlock(Block block, int batchDim, int mb, int m) {
  if (batchDim < 0 || m == 1)
    return block;
  block.sizes[batchDim] /= m;
  block.starts[batchDim] += mb * block.sizes[batchDim];
  return block;
}

/// What every rank of a run shares (read only).
struct Job {
  const Program &program;
  const RunOptions &options;
  Device &device;
  const RunData &data;
  pp::MeshShape mesh;
  std::vector<int64_t> axisSizes;
  std::vector<int> producer;
  std::string weightsDir;
  AxisMask world;
};

/// What a rank hands back: its status, and on rank 0 the whole outputs.
struct Outcome {
  int status = 0;
  std::vector<HostArray> outputs;
};

/// A rank's context and buffers, released on every return path.
class RankState {
public:
  RankState(Device &device, int rank, int worldSize) : device(device) {
    ctx = device.makeContext(rank, worldSize);
  }
  ~RankState() {
    for (void *p : buffers)
      device.free(p);
    device.destroyContext(ctx);
  }
  void *alloc(size_t bytes) {
    buffers.push_back(device.alloc(bytes));
    return buffers.back();
  }

  Device &device;
  Context ctx;

private:
  std::vector<void *> buffers;
};

/// The rank's coordinate on the stage axis.
int pipelineCoord(const Job &job, const std::vector<int64_t> &coords) {
  return job.program.stageAxis < 0 ? 0 : int(coords[job.program.stageAxis]);
}

int pipelineSize(const Job &job) {
  return job.program.stageAxis < 0
             ? 1
             : int(job.program.mesh.axisSizes[job.program.stageAxis]);
}

/// The stages a rank runs: s with s % P == its coordinate.
std::vector<int> stagesOf(const Job &job, const std::vector<int64_t> &coords) {
  std::vector<int> stages;
  int p = pipelineSize(job), coord = pipelineCoord(job, coords);
  for (int s = coord; s < job.program.numStages; s += p)
    stages.push_back(s);
  return stages;
}

/// The ranks holding distinct blocks of output `o`, in rank order: those of
/// the producing stage at coordinate 0 on every axis that does not split it.
std::vector<int64_t> contributors(const Job &job, int o) {
  const TensorSpec &spec = job.program.outputs[o];
  std::vector<bool> splits(job.mesh.numAxes(), false);
  for (int d = 0; spec.shardAxes && d < spec.rank; ++d)
    if (spec.shardAxes[d] >= 0)
      splits[spec.shardAxes[d]] = true;
  int producerCoord = job.producer[o] % pipelineSize(job);
  std::vector<int64_t> ranks;
  for (int64_t r = 0; r < job.mesh.numRanks(); ++r) {
    std::vector<int64_t> coords = job.mesh.coordsOf(r);
    bool holds = pipelineCoord(job, coords) == producerCoord;
    for (int64_t a = 0; holds && a < job.mesh.numAxes(); ++a)
      if (a != job.program.stageAxis && !splits[a] && coords[a] != 0)
        holds = false;
    if (holds)
      ranks.push_back(r);
  }
  return ranks;
}

/// A rank's buffers: per micro-batch, the program-wide input and output
/// arrays (null where none of the rank's stages reads or writes an entry;
/// tensors without a batch dim share one buffer across micro-batches), the
/// weights, and one arena per stage.
struct RankBuffers {
  std::vector<std::vector<void *>> inputs, outputs;
  std::vector<void *> weights;
  std::vector<char *> arenas; ///< by stage index
  /// By stage index, then micro-batch: the activation a stage receives and
  /// the one it sends.
  std::vector<std::vector<void *>> received, sent;
  uint64_t weightBytes = 0;
};

/// Allocates and fills this rank's inputs, outputs, weights and arenas;
/// false with `error` when a weight cannot be loaded.
bool setUpRank(const Job &job, RankState &state, const std::vector<int> &stages,
               const std::vector<int64_t> &coords, RankBuffers &buffers,
               std::string &error) {
  const Program &program = job.program;
  Device &device = job.device;
  int m = program.numMicrobatches;
  buffers.inputs.assign(m, std::vector<void *>(program.numInputs, nullptr));
  buffers.outputs.assign(m, std::vector<void *>(program.numOutputs, nullptr));
  buffers.weights.assign(program.numWeights, nullptr);
  buffers.arenas.assign(program.numStages, nullptr);
  buffers.received.assign(program.numStages, std::vector<void *>(m, nullptr));
  buffers.sent.assign(program.numStages, std::vector<void *>(m, nullptr));

  std::vector<char> host;
  for (int s : stages) {
    const StageSpec &stage = program.stages[s];
    for (int k = 0; k < stage.numInputs; ++k) {
      int i = stage.inputs[k];
      if (buffers.inputs[0][i])
        continue; // read by an earlier stage of this rank
      const TensorSpec &spec = program.inputs[i];
      Block block = shardBlock(spec.shape, spec.rank, spec.shardAxes, coords,
                               job.axisSizes);
      size_t elem = dtypeSize(spec.dtype);
      for (int mb = 0; mb < m; ++mb) {
        if (spec.batchDim < 0 && mb > 0) {
          buffers.inputs[mb][i] = buffers.inputs[0][i];
          continue;
        }
        Block part = microBlock(block, spec.batchDim, mb, m);
        host.resize(part.numElements() * elem);
        copyBlockOut(host.data(), job.data.inputs[i].data.data(), spec.shape,
                     part, elem);
        buffers.inputs[mb][i] = state.alloc(host.size());
        device.upload(buffers.inputs[mb][i], host.data(), host.size());
      }
    }
    for (int k = 0; k < stage.numOutputs; ++k) {
      int o = stage.outputs[k];
      const TensorSpec &spec = program.outputs[o];
      Block block = microBlock(shardBlock(spec.shape, spec.rank,
                                          spec.shardAxes, coords,
                                          job.axisSizes),
                               spec.batchDim, 0, m);
      for (int mb = 0; mb < m; ++mb)
        buffers.outputs[mb][o] =
            spec.batchDim < 0 && mb > 0
                ? buffers.outputs[0][o]
                : state.alloc(block.numElements() * dtypeSize(spec.dtype));
    }
    buffers.arenas[s] = static_cast<char *>(state.alloc(stage.arenaBytes));
    // One slot per micro-batch: a schedule may receive several before it
    // runs them (inference keeps no other per-micro-batch state).
    for (int mb = 0; mb < m; ++mb) {
      if (stage.recvBytes)
        buffers.received[s][mb] = state.alloc(stage.recvBytes);
      if (stage.sendBytes)
        buffers.sent[s][mb] = state.alloc(stage.sendBytes);
    }
  }

  WeightFiles files(job.weightsDir);
  for (int s : stages) {
    const StageSpec &stage = program.stages[s];
    for (int k = 0; k < stage.numWeights; ++k) {
      int w = stage.weights[k];
      if (buffers.weights[w])
        continue; // listed twice, or read by two of the rank's stages
      const WeightSpec &spec = program.weights[w];
      const MappedFile *file = files.get(spec.file, error);
      if (!file || !checkWeightRange(spec, *file, error))
        return false;
      Block block = shardBlock(weightShape(spec), spec.rank, spec.shardAxes,
                               coords, job.axisSizes);
      for (int d = 0; spec.regionStarts && d < spec.rank; ++d)
        block.starts[d] += spec.regionStarts[d];
      size_t bytes = block.numElements() * dtypeSize(spec.dtype);
      buffers.weights[w] = state.alloc(bytes);
      buffers.weightBytes += bytes;
      void *dst = buffers.weights[w];
      if (!device.isHost()) {
        host.resize(bytes);
        dst = host.data();
      }
      if (!loadWeightSlice(spec, *file, block.starts, block.sizes, dst, error))
        return false;
      if (!device.isHost())
        device.upload(buffers.weights[w], host.data(), bytes);
    }
  }
  return true;
}

/// The rank's actions: the compiler's schedule, or each micro-batch
/// through the rank's stages in turn.
bool actionsOf(const Job &job, const std::vector<int64_t> &coords,
               const std::vector<int> &stages, std::vector<Action> &actions,
               std::string &error) {
  const Program &program = job.program;
  int coord = pipelineCoord(job, coords);
  if (!program.schedule) {
    for (int mb = 0; mb < program.numMicrobatches; ++mb)
      for (int s : stages) {
        if (program.stages[s].recvBytes)
          actions.push_back({ActionKind::Recv, s, mb});
        actions.push_back({ActionKind::Forward, s, mb});
        if (program.stages[s].sendBytes)
          actions.push_back({ActionKind::Send, s, mb});
      }
    return true;
  }
  const RankSchedule &mine = program.schedule[coord];
  for (int k = 0; k < mine.numActions; ++k) {
    const Action &a = mine.actions[k];
    std::string what = "schedule of pipeline rank " + std::to_string(coord) +
                       ", action " + std::to_string(k);
    if (a.kind == ActionKind::BackwardInput ||
        a.kind == ActionKind::BackwardWeight) {
      error = what + " is a backward action; this runtime runs inference";
      return false;
    }
    if (a.kind != ActionKind::Forward && a.kind != ActionKind::Send &&
        a.kind != ActionKind::Recv) {
      error = what + " has an unknown kind";
      return false;
    }
    if (a.stage < 0 || a.stage >= program.numStages ||
        a.stage % pipelineSize(job) != coord || a.microbatch < 0 ||
        a.microbatch >= program.numMicrobatches) {
      error = what + " names stage " + std::to_string(a.stage) +
              " micro-batch " + std::to_string(a.microbatch) +
              ", which this rank does not run";
      return false;
    }
    const StageSpec &stage = program.stages[a.stage];
    if ((a.kind == ActionKind::Send && !stage.sendBytes) ||
        (a.kind == ActionKind::Recv && !stage.recvBytes)) {
      error = what + ": stage " + std::to_string(a.stage) + " has no " +
              (a.kind == ActionKind::Send ? "next" : "previous") + " stage";
      return false;
    }
    actions.push_back(a);
  }
  // Every stage of the rank runs, sends and receives each micro-batch
  // exactly once: a missing Forward would leave outputs unwritten.
  for (int s : stages)
    for (int mb = 0; mb < program.numMicrobatches; ++mb)
      for (ActionKind kind :
           {ActionKind::Recv, ActionKind::Forward, ActionKind::Send}) {
        const StageSpec &stage = program.stages[s];
        int want = kind == ActionKind::Forward ? 1
                   : kind == ActionKind::Send  ? (stage.sendBytes ? 1 : 0)
                                               : (stage.recvBytes ? 1 : 0);
        int have = int(std::count_if(
            actions.begin(), actions.end(), [&](const Action &a) {
              return a.kind == kind && a.stage == s && a.microbatch == mb;
            }));
        if (have != want) {
          error = "schedule of pipeline rank " + std::to_string(coord) +
                  " has " + std::to_string(have) + " " +
                  (kind == ActionKind::Forward ? "forward"
                   : kind == ActionKind::Send  ? "send"
                                               : "recv") +
                  " actions for stage " + std::to_string(s) +
                  " micro-batch " + std::to_string(mb) + ", expected " +
                  std::to_string(want);
          return false;
        }
      }
  return true;
}

/// The schedule library's action for a runtime action (chunk = stage / P,
/// peers as pipeline ranks), so traces name actions as the text format does.
::pp::schedule::Action scheduleAction(const Job &job, const Action &a) {
  namespace sched = ::pp::schedule;
  int p = pipelineSize(job);
  // A message names the activation by the sending stage's pass.
  auto activation = [&](int sender) {
    return sched::TensorId{sched::TensorKind::Activation, a.microbatch,
                           sender / p};
  };
  switch (a.kind) {
  case ActionKind::Send:
    return sched::Action::send((a.stage + 1) % p, activation(a.stage));
  case ActionKind::Recv:
    return sched::Action::recv((a.stage - 1) % p, activation(a.stage - 1));
  default:
    return sched::Action::forward(a.microbatch, a.stage / p);
  }
}

/// "F3.1", "SEND F3.1->2", "RECV F3.0<-1".
std::string actionName(const Job &job, const Action &a) {
  return ::pp::schedule::formatAction(scheduleAction(job, a));
}

/// True for the rank that speaks for its pipeline coordinate in a trace:
/// coordinate 0 on every other axis (its tensor- and data-parallel
/// partners run the same actions).
bool tracesForStage(const Job &job, const std::vector<int64_t> &coords) {
  for (size_t a = 0; a < coords.size(); ++a)
    if (int(a) != job.program.stageAxis && coords[a] != 0)
      return false;
  return true;
}

/// Runs one more step with a clock around every action (synchronizing the
/// device after each, so a time is the action's own) and has rank 0 write
/// the timeline of one rank per pipeline coordinate, in milliseconds, as
/// the simulator writes its prediction.
bool traceStep(const Job &job, int rank, const std::vector<Action> &actions,
               const std::function<void(size_t)> &runAction, RankState &state,
               Comm &comm) {
  Device &device = job.device;
  Context &ctx = state.ctx;
  int n = int(job.mesh.numRanks());
  // Every rank knows how many actions the others run.
  std::vector<size_t> counts(n);
  size_t most = 0;
  for (int r = 0; r < n; ++r) {
    std::vector<int64_t> coords = job.mesh.coordsOf(r);
    std::vector<Action> theirs;
    std::string ignored;
    actionsOf(job, coords, stagesOf(job, coords), theirs, ignored);
    counts[r] = theirs.size();
    most = std::max(most, counts[r]);
  }
  std::vector<double> times(2 * most, 0.0);
  void *buf = state.alloc(std::max<size_t>(1, times.size()) * sizeof(double));

  device.upload(buf, times.data(), sizeof(double));
  comm.allReduce(buf, 1, DType::F64, CollectiveOp::Max, job.world,
                 "runtime: --trace start");
  device.synchronize(ctx);
  auto t0 = std::chrono::steady_clock::now();
  auto ms = [&] {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - t0)
        .count();
  };
  for (size_t k = 0; k < actions.size(); ++k) {
    times[2 * k] = ms();
    runAction(k);
    comm.drainStage("runtime: --trace");
    device.synchronize(ctx);
    times[2 * k + 1] = ms() - times[2 * k];
  }

  std::vector<int64_t> coords = job.mesh.coordsOf(rank);
  int p = pipelineSize(job);
  if (rank != 0) {
    if (tracesForStage(job, coords)) {
      device.upload(buf, times.data(), 2 * actions.size() * sizeof(double));
      comm.send(buf, 2 * actions.size() * sizeof(double), job.world, 0,
                job.program.numOutputs, "runtime: --trace");
    }
    return true;
  }
  std::vector<::pp::schedule::TimelineEvent> events;
  for (int r = 0; r < n; ++r) {
    std::vector<int64_t> theirCoords = job.mesh.coordsOf(r);
    if (!tracesForStage(job, theirCoords))
      continue;
    std::vector<double> theirs = times;
    if (r != 0) {
      comm.recv(buf, 2 * counts[r] * sizeof(double), job.world, r,
                job.program.numOutputs, "runtime: --trace");
      device.download(theirs.data(), buf, 2 * counts[r] * sizeof(double));
    }
    std::vector<Action> list;
    std::string ignored;
    actionsOf(job, theirCoords, stagesOf(job, theirCoords), list, ignored);
    for (size_t k = 0; k < list.size(); ++k) {
      const Action &a = list[k];
      ::pp::schedule::TimelineEvent e;
      e.rank = pipelineCoord(job, theirCoords);
      e.name = actionName(job, a);
      e.kind = scheduleAction(job, a).kind;
      e.start = theirs[2 * k];
      e.duration = theirs[2 * k + 1];
      if (a.kind == ActionKind::Forward) {
        e.microbatch = a.microbatch;
        e.chunk = a.stage / p;
      }
      events.push_back(e);
    }
  }
  ::pp::schedule::TraceOptions options;
  options.microsecondsPerUnit = 1000; // milliseconds, like the simulator
  options.numRanks = p;
  std::ofstream out(job.options.trace);
  out << ::pp::schedule::chromeTraceJson(events, options);
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", job.options.trace.c_str());
    return false;
  }
  return true;
}

void runRank(const Job &job, int rank, const CommMaker &makeComm,
             Outcome &outcome) {
  const Program &program = job.program;
  Device &device = job.device;
  int n = int(job.mesh.numRanks());
  int m = program.numMicrobatches;
  RankState state(device, rank, n);
  Context &ctx = state.ctx;
  ctx.mesh = &program.mesh;
  // Declared after `state`: the Comm goes before the context it uses.
  std::unique_ptr<Comm> comm = makeComm(ctx);
  ctx.comm = comm.get();

  std::vector<int64_t> coords = job.mesh.coordsOf(rank);
  std::vector<int> stages = stagesOf(job, coords);
  RankBuffers buffers;
  std::vector<Action> actions;
  std::string error;
  bool ok = actionsOf(job, coords, stages, actions, error) &&
            setUpRank(job, state, stages, coords, buffers, error);
  if (!ok)
    std::fprintf(stderr, "error: rank %d: %s\n", rank, error.c_str());

  // Runtime buffers, allocated before the first run like everything else.
  int32_t flag = ok ? 0 : 1;
  void *flagBuf = state.alloc(sizeof(flag));
  void *bytesBuf = state.alloc(sizeof(uint64_t));
  void *allBytesBuf = state.alloc(sizeof(uint64_t) * n);
  size_t stagingBytes = 0;
  for (int o = 0; o < program.numOutputs; ++o) {
    const TensorSpec &spec = program.outputs[o];
    Block block = shardBlock(spec.shape, spec.rank, spec.shardAxes, coords,
                             job.axisSizes);
    stagingBytes = std::max(stagingBytes, size_t(block.numElements()) *
                                              dtypeSize(spec.dtype));
  }
  void *staging = rank == 0 ? state.alloc(stagingBytes) : nullptr;

  auto barrier = [&](const char *what) {
    comm->allReduce(flagBuf, 1, DType::I32, CollectiveOp::Max, job.world, what);
    device.synchronize(ctx);
  };
  device.upload(flagBuf, &flag, sizeof(flag));
  barrier("runtime: did every rank load its weights?");
  device.download(&flag, flagBuf, sizeof(flag));
  if (flag) {
    outcome.status = 1;
    return;
  }

  if (job.options.reportMemory) {
    uint64_t mine = buffers.weightBytes;
    device.upload(bytesBuf, &mine, sizeof(mine));
    comm->allGather(allBytesBuf, bytesBuf, sizeof(mine), job.world,
                    "runtime: --report-memory");
    device.synchronize(ctx);
    if (rank == 0) {
      std::vector<uint64_t> all(n);
      device.download(all.data(), allBytesBuf, sizeof(uint64_t) * n);
      for (int r = 0; r < n; ++r) {
        std::string list;
        for (int s : stagesOf(job, job.mesh.coordsOf(r)))
          list += (list.empty() ? "" : ",") + std::to_string(s);
        std::printf("rank %d (stage %s): weights %llu bytes\n", r,
                    list.c_str(), static_cast<unsigned long long>(all[r]));
      }
      std::fflush(stdout);
    }
  }

  // Pipeline partners differ only in the stage axis; a stage's peer is
  // its neighbour's coordinate on it.
  AxisMask stageGroup =
      program.stageAxis < 0 ? 0 : AxisMask(1) << program.stageAxis;
  int p = pipelineSize(job);
  std::vector<std::string> names;
  for (const Action &a : actions)
    names.push_back("runtime: " + actionName(job, a));
  auto runAction = [&](size_t k) {
    const Action &a = actions[k];
    const StageSpec &stage = program.stages[a.stage];
    int mb = a.microbatch;
    // Tags name the sending stage; micro-batches of one stage match in
    // order (the schedule verifier checks the orders agree), which keeps
    // tags inside MPI's guaranteed range.
    int64_t tag = a.stage;
    switch (a.kind) {
    case ActionKind::Send:
      comm->sendStage(buffers.sent[a.stage][mb], stage.sendBytes, stageGroup,
                      (a.stage + 1) % p, tag, names[k].c_str());
      break;
    case ActionKind::Recv:
      comm->recvStage(buffers.received[a.stage][mb], stage.recvBytes,
                      stageGroup, (a.stage - 1) % p, tag - 1,
                      names[k].c_str());
      break;
    default:
      ctx.microbatch = mb;
      ctx.stageInput = buffers.received[a.stage][mb];
      ctx.stageOutput = buffers.sent[a.stage][mb];
      stage.run(ctx, buffers.inputs[mb].data(), buffers.outputs[mb].data(),
                buffers.weights.data(), buffers.arenas[a.stage]);
      break;
    }
  };
  auto runOnce = [&] {
    for (size_t k = 0; k < actions.size(); ++k)
      runAction(k);
    comm->drainStage("runtime: end of step");
    device.synchronize(ctx);
  };
  runOnce();
  if (job.options.repeat > 0) {
    // The step is timed from when all ranks start to when all are done.
    barrier("runtime: --repeat start");
    Timer timer;
    for (int r = 0; r < job.options.repeat; ++r)
      runOnce();
    barrier("runtime: --repeat end");
    if (rank == 0) {
      std::printf("time: forward mean %.4f ms over %d runs\n",
                  timer.elapsedMs() / job.options.repeat, job.options.repeat);
      std::fflush(stdout);
    }
  }

  if (!job.options.trace.empty() && !traceStep(job, rank, actions, runAction,
                                               state, *comm))
    outcome.status = 1;

  // Outputs to rank 0, one block at a time, in (output, rank, micro-batch)
  // order on both sides so that the rendezvous sends cannot cross.
  if (rank == 0)
    outcome.outputs.resize(program.numOutputs);
  for (int o = 0; o < program.numOutputs; ++o) {
    const TensorSpec &spec = program.outputs[o];
    size_t elem = dtypeSize(spec.dtype);
    std::string what = std::string("runtime: output ") + spec.name;
    int parts = spec.batchDim < 0 ? 1 : m;
    for (int64_t from : contributors(job, o)) {
      Block whole = shardBlock(spec.shape, spec.rank, spec.shardAxes,
                               job.mesh.coordsOf(from), job.axisSizes);
      for (int mb = 0; mb < parts; ++mb) {
        Block block = microBlock(whole, spec.batchDim, mb, m);
        size_t bytes = block.numElements() * elem;
        int64_t tag = o;
        if (rank == from && rank != 0) {
          comm->send(buffers.outputs[mb][o], bytes, job.world, 0, tag,
                     what.c_str());
          continue;
        }
        if (rank != 0)
          continue;
        HostArray &result = outcome.outputs[o];
        if (result.data.empty()) {
          result.dtype = spec.dtype;
          result.shape.assign(spec.shape, spec.shape + spec.rank);
          result.data.resize(byteSize(spec));
        }
        const void *src = buffers.outputs[mb][o];
        if (from != 0) {
          comm->recv(staging, bytes, job.world, from, tag, what.c_str());
          src = staging;
        }
        std::vector<char> host(bytes);
        device.download(host.data(), src, bytes);
        copyBlockIn(result.data.data(), host.data(), spec.shape, block, elem);
      }
    }
  }
}

/// `run --ranks N`, and a single rank: threads sharing a LocalWorld.
int runThreads(const Job &job, double timeout) {
  std::string error;
  if (!job.device.init(error))
    return fail(error);
  LocalWorld world(job.program.mesh, job.device, timeout);
  int n = world.numRanks();
  std::vector<Outcome> outcomes(n);
  std::vector<std::thread> threads;
  for (int r = 1; r < n; ++r)
    threads.emplace_back([&, r] {
      runRank(
          job, r, [&](Context &ctx) { return world.makeComm(r, ctx); },
          outcomes[r]);
    });
  runRank(
      job, 0, [&](Context &ctx) { return world.makeComm(0, ctx); },
      outcomes[0]);
  for (std::thread &t : threads)
    t.join();
  for (const Outcome &o : outcomes)
    if (o.status)
      return o.status;
  return finishOutputs(job.program, job.options, job.data, outcomes[0].outputs);
}

/// mpirun/srun: this process is one rank.
int runProcess(const Job &job, ProcessGroup &processes, const LaunchEnv &env,
               double timeout) {
  std::string error;
  if (!processes.join(error))
    return fail(error);
  struct Leave {
    ProcessGroup &processes;
    ~Leave() { processes.leave(); }
  } leave{processes};
  int64_t n = job.mesh.numRanks();
  if (processes.size() != n) {
    std::string hint;
    // srun started several tasks but each MPI_Init found only itself.
    if (processes.size() == 1)
      hint = " (MPI does not see the other processes of this " + env.launcher +
             " job; under srun, use an MPI with Slurm PMI "
             "support, e.g. srun --mpi=pmix)";
    return fail("this program was compiled for " +
                describeMesh(job.program.mesh) + ", got an MPI world of " +
                std::to_string(processes.size()) +
                (processes.size() == 1 ? " process" : " processes") + hint);
  }
  int rank = processes.rank();
  job.device.setLocalRank(processes.localRank());
  // A rank-specific failure from here on must take the whole job down.
  if (!job.device.init(error))
    commFatal("rank " + std::to_string(rank) + ": " + error);
  Outcome outcome;
  runRank(
      job, rank,
      [&](Context &ctx) {
        return processes.makeComm(ctx, job.program.mesh, timeout);
      },
      outcome);
  if (outcome.status || rank != 0)
    return outcome.status;
  return finishOutputs(job.program, job.options, job.data, outcome.outputs);
}

} // namespace

std::string describeMesh(const MeshSpec &mesh) {
  int64_t n = 1;
  std::string axes;
  for (int a = 0; a < mesh.numAxes; ++a) {
    n *= mesh.axisSizes[a];
    axes += std::string(a ? " x " : "") +
            (mesh.axisNames[a] ? mesh.axisNames[a] : "?") + "=" +
            std::to_string(mesh.axisSizes[a]);
  }
  std::string s = std::to_string(n) + (n == 1 ? " rank" : " ranks");
  return axes.empty() ? s : s + " (" + axes + ")";
}

int runRanks(const Program &program, const RunOptions &options, Device &device,
             ProcessGroup *processes) {
  std::string error;
  std::vector<int> producer;
  if (!checkProgram(program, producer, error))
    return fail("invalid program: " + error);
  double timeout;
  if (!commTimeoutFromEnv(timeout, error))
    return fail(error);

  pp::MeshShape mesh = meshShapeOf(program.mesh);
  int64_t n = mesh.numRanks();
  std::string compiled =
      "this program was compiled for " + describeMesh(program.mesh);
  LaunchEnv env = detectLaunch();
  bool launched = !env.launcher.empty() && env.size != 1;
  if (options.ranks > 0) {
    if (launched)
      return fail("--ranks cannot be combined with " + env.launcher +
                  ": start the ranks as threads or as processes");
    if (options.ranks != n)
      return fail(compiled + ", got --ranks " + std::to_string(options.ranks));
  } else if (launched) {
    if (env.size > 0 && env.size != n)
      return fail(compiled + ", got " + env.launcher + " with " +
                  std::to_string(env.size) + " processes");
    if (!processes)
      return fail("this runtime was linked without MPI and cannot run under " +
                  env.launcher + "; use --ranks " + std::to_string(n));
  } else if (n != 1) {
    return fail(compiled + ": start it with --ranks " + std::to_string(n) +
                " or mpirun -np " + std::to_string(n));
  }

  // Every process reads and checks the inputs before MPI starts, so bad
  // arguments end every process the same way.
  RunData data;
  if (!readRunData(program, options, data, error) ||
      !prepareOutputDir(options, error))
    return fail(error);

  Job job{program,
          options,
          device,
          data,
          mesh,
          {},
          std::move(producer),
          !options.weightsDir.empty() ? options.weightsDir
          : program.weightsDir        ? program.weightsDir
                                      : "",
          allAxesMask(program.mesh)};
  for (int64_t a = 0; a < mesh.numAxes(); ++a)
    job.axisSizes.push_back(mesh.axisSize(a));
  if (launched)
    return runProcess(job, *processes, env, timeout);
  return runThreads(job, timeout);
}

} // namespace pprt
