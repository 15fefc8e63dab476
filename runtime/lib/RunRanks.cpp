//===- RunRanks.cpp - runMain for programs with a stage table -------------===//
//
// The program is checked (ProgramChecks.cpp), then every rank, a thread or
// an MPI process, sets up its stages (RankSetup.cpp) and runs its actions.
// After the run, the ranks that hold distinct blocks of an output send them
// to rank 0, which pastes the whole tensor together and writes or compares
// it exactly as a single-rank run does, so the files do not depend on how
// the ranks were started. --trace times one more step (RankTrace.cpp).
//
// All ranks agree that setup succeeded before any runs: a rank that failed
// to load its weights must not leave its peers waiting in a recv.
//
//===----------------------------------------------------------------------===//

#include "RunRanks.h"
#include "Checkpoint.h"
#include "ProgramChecks.h"
#include "RankGenerateLoop.h"
#include "RankSetup.h"
#include "RankTrainLoop.h"
#include "RankTrace.h"
#include "pprt/DType.h"
#include "pprt/LocalComm.h"
#include "pprt/Timer.h"
#include "pprt/Watchdog.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

namespace pprt {

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

using CommMaker = std::function<std::unique_ptr<Comm>(Context &)>;

/// What a rank hands back: its status, and on rank 0 the whole outputs.
struct Outcome {
  int status = 0;
  std::vector<HostArray> outputs;
};

/// The ranks holding distinct blocks of output `o`, in rank order: those of
/// the producing stage at coordinate 0 on every axis that does not split it.
std::vector<int64_t> contributors(const Job &job, int o) {
  const TensorSpec &spec = job.program.outputs[o];
  std::vector<bool> splits(job.mesh.numAxes(), false);
  for (int d = 0; spec.shardAxes && d < spec.rank; ++d)
    if (spec.shardAxes[d] >= 0)
      splits[spec.shardAxes[d]] = true;
  int producerCoord = job.stages.rankOf(job.producer[o]);
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
            setUpRank(job, state, stages, coords, actions, buffers, error);
  if (!ok)
    std::fprintf(stderr, "error: rank %d: %s\n", rank, error.c_str());

  // Runtime buffers, allocated before the first run like everything else.
  int32_t flag = ok ? 0 : 1;
  void *flagBuf = state.alloc(sizeof(flag));
  // Each rank's weight, activation, gradient and optimizer bytes, for
  // --report-memory.
  constexpr int kFigures = 4;
  void *bytesBuf = state.alloc(kFigures * sizeof(uint64_t));
  void *allBytesBuf = state.alloc(kFigures * sizeof(uint64_t) * n);
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
    uint64_t mine[kFigures] = {buffers.weightBytes, buffers.arenaBytes,
                               buffers.gradBytes, buffers.optimizerBytes};
    device.upload(bytesBuf, mine, sizeof(mine));
    comm->allGather(allBytesBuf, bytesBuf, sizeof(mine), job.world,
                    "runtime: --report-memory");
    device.synchronize(ctx);
    if (rank == 0) {
      std::vector<uint64_t> all(kFigures * n);
      device.download(all.data(), allBytesBuf, sizeof(mine) * n);
      for (int r = 0; r < n; ++r) {
        std::string list;
        for (int s : stagesOf(job, job.mesh.coordsOf(r)))
          list += (list.empty() ? "" : ",") + std::to_string(s);
        const uint64_t *f = &all[kFigures * r];
        printRankMemory(r, list, f[0], f[1], f[2], f[3]);
      }
      std::fflush(stdout);
    }
  }

  // Pipeline partners differ only in the stage axis; a stage's peer is
  // its neighbour's coordinate on it.
  AxisMask stageGroup =
      program.stageAxis < 0 ? 0 : AxisMask(1) << program.stageAxis;
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
                      job.stages.rankOf(a.stage + 1), tag, names[k].c_str());
      break;
    case ActionKind::Recv:
      comm->recvStage(buffers.received[a.stage][mb], stage.recvBytes,
                      stageGroup, job.stages.rankOf(a.stage - 1), tag - 1,
                      names[k].c_str());
      break;
    // A cotangent goes back over the link its activation came by; tags
    // past the activations' keep the two directions apart.
    case ActionKind::SendGradient:
      comm->sendStage(buffers.gradSent[a.stage][mb], stage.recvBytes,
                      stageGroup, job.stages.rankOf(a.stage - 1),
                      program.numStages + a.stage, names[k].c_str());
      break;
    case ActionKind::RecvGradient:
      comm->recvStage(buffers.gradReceived[a.stage][mb], stage.sendBytes,
                      stageGroup, job.stages.rankOf(a.stage + 1),
                      program.numStages + a.stage + 1, names[k].c_str());
      break;
    case ActionKind::Forward:
    case ActionKind::BackwardInput:
    case ActionKind::BackwardWeight: {
      ctx.microbatch = mb;
      ctx.stash = buffers.stash[a.stage][mb];
      RunFn fn = stage.run;
      if (a.kind == ActionKind::Forward) {
        ctx.stageInput = buffers.received[a.stage][mb];
        ctx.stageOutput = buffers.sent[a.stage][mb];
      } else {
        ctx.stageInput = buffers.gradReceived[a.stage][mb];
        ctx.stageOutput = buffers.gradSent[a.stage][mb];
        fn = a.kind == ActionKind::BackwardInput ? stage.backwardInput
                                                 : stage.backwardWeight;
      }
      fn(ctx, buffers.inputs[mb].data(), buffers.outputs[mb].data(),
         buffers.weights.data(), buffers.arenas[a.stage]);
      break;
    }
    }
  };
  // Training: the action after which a stage's gradients are final (its
  // last W), with the stage.
  std::vector<int> finishes(actions.size(), -1);
  std::map<int, size_t> lastW;
  for (size_t k = 0; k < actions.size(); ++k)
    if (actions[k].kind == ActionKind::BackwardWeight)
      lastW[actions[k].stage] = k;
  for (auto [stage, k] : lastW)
    finishes[k] = stage;
  auto runSchedule = [&](const GradientsDone &gradientsDone) {
    for (size_t k = 0; k < actions.size(); ++k) {
      runAction(k);
      if (finishes[k] >= 0 && gradientsDone)
        gradientsDone(finishes[k]);
    }
    comm->drainStage("runtime: end of step");
    device.synchronize(ctx);
  };
  auto runOnce = [&] { runSchedule(nullptr); };
  if (isGenerationProgram(program)) {
    outcome.status = generateRank(job, coords, stages, state, buffers, *comm);
    return;
  }
  if (isTraining(program)) {
    outcome.status =
        trainRank(job, coords, stages, state, buffers, *comm, runSchedule);
    // --trace times the schedule's actions once more (F, B, W, messages;
    // the weights are already final, so nothing is updated).
    if (outcome.status == 0 && !job.options.trace.empty() &&
        !traceStep(job, rank, actions, runAction, state, *comm))
      outcome.status = 1;
    return;
  }
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
  job.device.setThreads(
      threadsPerRank(job.options, int(job.mesh.numRanks())));
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
  if (isTraining(job.program) || isGenerationProgram(job.program))
    return 0;
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
  job.device.setThreads(threadsPerRank(job.options, processes.localSize()));
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
  if (outcome.status || rank != 0 || isTraining(job.program) ||
      isGenerationProgram(job.program))
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
  // A checkpoint holds the weights (its model files), the optimizer state
  // and the step count, as on one rank.
  int64_t firstStep = 0;
  if (!options.resume.empty() && !options.weightsDir.empty())
    return fail("--resume reads the weights from its folder; drop "
                "--weights-dir");
  if (!options.resume.empty() &&
      !loadCheckpointState(options.resume, program, data.inputs, firstStep,
                           error))
    return fail(error);

  Job job{program,
          options,
          device,
          data,
          mesh,
          {},
          std::move(producer),
          !options.resume.empty()       ? options.resume
          : !options.weightsDir.empty() ? options.weightsDir
          : program.weightsDir          ? program.weightsDir
                                        : "",
          allAxesMask(program.mesh),
          stageMapOf(program),
          firstStep};
  for (int64_t a = 0; a < mesh.numAxes(); ++a)
    job.axisSizes.push_back(mesh.axisSize(a));
  if (launched)
    return runProcess(job, *processes, env, timeout);
  return runThreads(job, timeout);
}

} // namespace pprt
