//===- RankSetup.cpp - what one rank runs, and its buffers ----------------===//
//
// Every rank runs the stages the program's StageMap puts on its coordinate
// of the stage axis, with only those stages' weights, and of a sharded
// weight only its block, read straight from the mapped file. Inputs are
// read whole (once per process) and each rank uploads its block. Before the
// first step a rank also turns the schedule table into its action list,
// checking that it runs, sends and receives every micro-batch of each of
// its stages exactly once.
//
//===----------------------------------------------------------------------===//

#include "RankSetup.h"
#include "pprt/DType.h"
#include "pprt/Weights.h"
#include "pp/Schedule/StashSlots.h"

#include <algorithm>

namespace pprt {

/// The part of a tensor that micro-batch `mb` of `m` covers within `block`.
Block microBlock(Block block, int batchDim, int mb, int m) {
  if (batchDim < 0 || m == 1)
    return block;
  block.sizes[batchDim] /= m;
  block.starts[batchDim] += mb * block.sizes[batchDim];
  return block;
}

namespace {

const char *kindName(ActionKind kind) {
  switch (kind) {
  case ActionKind::Forward:
    return "forward";
  case ActionKind::BackwardInput:
    return "B";
  case ActionKind::BackwardWeight:
    return "W";
  case ActionKind::Send:
    return "send";
  case ActionKind::Recv:
    return "recv";
  case ActionKind::SendGradient:
    return "cotangent send";
  case ActionKind::RecvGradient:
    return "cotangent recv";
  }
  return "?";
}

} // namespace

/// The schedule library's action for a runtime action (chunks and peers
/// from the StageMap), so traces name actions as the text format does.
::pp::schedule::Action scheduleAction(const Job &job, const Action &a) {
  namespace sched = ::pp::schedule;
  const sched::StageMap &stages = job.stages;
  // A message names the activation by the sending stage's pass.
  auto activation = [&](int sender) {
    return sched::TensorId{sched::TensorKind::Activation, a.microbatch,
                           stages.chunkOf(sender)};
  };
  auto gradient = [&](int sender) {
    return sched::TensorId{sched::TensorKind::Gradient, a.microbatch,
                           stages.chunkOf(sender)};
  };
  switch (a.kind) {
  case ActionKind::Send:
    return sched::Action::send(stages.rankOf(a.stage + 1), activation(a.stage));
  case ActionKind::Recv:
    return sched::Action::recv(stages.rankOf(a.stage - 1),
                               activation(a.stage - 1));
  case ActionKind::SendGradient:
    return sched::Action::send(stages.rankOf(a.stage - 1), gradient(a.stage));
  case ActionKind::RecvGradient:
    return sched::Action::recv(stages.rankOf(a.stage + 1),
                               gradient(a.stage + 1));
  case ActionKind::BackwardInput:
    return sched::Action::inputGrad(a.microbatch, stages.chunkOf(a.stage));
  case ActionKind::BackwardWeight:
    return sched::Action::weightGrad(a.microbatch, stages.chunkOf(a.stage));
  case ActionKind::Forward:
    break;
  }
  return sched::Action::forward(a.microbatch, stages.chunkOf(a.stage));
}

bool isTraining(const Program &program) {
  return program.numStages > 0 && program.stages[0].update;
}

int pipelineCoord(const Job &job, const std::vector<int64_t> &coords) {
  return job.program.stageAxis < 0 ? 0 : int(coords[job.program.stageAxis]);
}

std::vector<int> stagesOf(const Job &job, const std::vector<int64_t> &coords) {
  std::vector<int> stages;
  int coord = pipelineCoord(job, coords);
  for (int s = 0; s < job.program.numStages; ++s)
    if (job.stages.rankOf(s) == coord)
      stages.push_back(s);
  return stages;
}

bool sendsToPeer(const Job &job, int stage) {
  return job.program.stages[stage].sendBytes &&
         stage + 1 < job.program.numStages &&
         job.stages.rankOf(stage + 1) != job.stages.rankOf(stage);
}

bool receivesFromPeer(const Job &job, int stage) {
  return job.program.stages[stage].recvBytes && stage > 0 &&
         job.stages.rankOf(stage - 1) != job.stages.rankOf(stage);
}

bool setUpRank(const Job &job, RankState &state, const std::vector<int> &stages,
               const std::vector<int64_t> &coords,
               const std::vector<Action> &actions, RankBuffers &buffers,
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
  buffers.stash.assign(program.numStages, std::vector<char *>(m, nullptr));
  buffers.gradReceived.assign(program.numStages,
                              std::vector<void *>(m, nullptr));
  buffers.gradSent.assign(program.numStages, std::vector<void *>(m, nullptr));

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
        if (spec.role == TensorRole::State)
          buffers.optimizerBytes += host.size();
      }
    }
    for (int k = 0; k < stage.numOutputs; ++k) {
      int o = stage.outputs[k];
      const TensorSpec &spec = program.outputs[o];
      Block block = microBlock(shardBlock(spec.shape, spec.rank, spec.shardAxes,
                                          coords, job.axisSizes),
                               spec.batchDim, 0, m);
      size_t bytes = block.numElements() * dtypeSize(spec.dtype);
      for (int mb = 0; mb < m; ++mb)
        buffers.outputs[mb][o] = spec.batchDim < 0 && mb > 0
                                     ? buffers.outputs[0][o]
                                     : state.alloc(bytes);
      if (spec.role == TensorRole::Gradient)
        buffers.gradBytes += bytes;
      else if (spec.role == TensorRole::State ||
               spec.role == TensorRole::Update)
        buffers.optimizerBytes += bytes;
    }
    buffers.arenas[s] = static_cast<char *>(state.alloc(stage.arenaBytes));
    buffers.arenaBytes += stage.arenaBytes;
    // One slot per micro-batch: a schedule may receive several before it
    // runs them (inference keeps no other per-micro-batch state). A stage
    // whose previous stage runs here too (the turn of a V) reads that
    // stage's output slot: `stages` is ascending, so it exists already.
    for (int mb = 0; mb < m; ++mb) {
      if (stage.recvBytes)
        buffers.received[s][mb] = receivesFromPeer(job, s)
                                      ? state.alloc(stage.recvBytes)
                                      : buffers.sent[s - 1][mb];
      if (stage.sendBytes)
        buffers.sent[s][mb] = state.alloc(stage.sendBytes);
      // Training: the cotangent travelling back.
      if (stage.update && stage.recvBytes)
        buffers.gradSent[s][mb] = state.alloc(stage.recvBytes);
    }
  }
  // Training: the stash slots the rank's list needs, as the plan says.
  std::vector<::pp::schedule::Action> listed;
  for (const Action &a : actions)
    listed.push_back(scheduleAction(job, a));
  ::pp::schedule::StashPlan stash =
      ::pp::schedule::planStash(listed, job.stages.numChunks());
  for (int s : stages) {
    const StageSpec &stage = program.stages[s];
    int chunk = job.stages.chunkOf(s);
    if (!stage.stashBytes)
      continue;
    std::vector<char *> slots;
    for (int k = 0; k < stash.slots[chunk]; ++k)
      slots.push_back(static_cast<char *>(state.alloc(stage.stashBytes)));
    buffers.arenaBytes += stage.stashBytes * slots.size();
    for (int mb = 0; mb < m; ++mb)
      if (auto it = stash.slotOf.find({chunk, mb}); it != stash.slotOf.end())
        buffers.stash[s][mb] = slots[it->second];
  }
  // The cotangent a stage receives is what the next stage sent back; at the
  // turn of a V both run here and hand it over in memory.
  for (int s : stages)
    for (int mb = 0; mb < m; ++mb)
      if (program.stages[s].update && program.stages[s].sendBytes)
        buffers.gradReceived[s][mb] =
            sendsToPeer(job, s) ? state.alloc(program.stages[s].sendBytes)
                                : buffers.gradSent[s + 1][mb];

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
      if (!isTraining(program))
        device.markConstant(buffers.weights[w], bytes);
    }
  }
  return true;
}

bool actionsOf(const Job &job, const std::vector<int64_t> &coords,
               const std::vector<int> &stages, std::vector<Action> &actions,
               std::string &error) {
  const Program &program = job.program;
  int coord = pipelineCoord(job, coords);
  if (!program.schedule) {
    for (int mb = 0; mb < program.numMicrobatches; ++mb)
      for (int s : stages) {
        if (receivesFromPeer(job, s))
          actions.push_back({ActionKind::Recv, s, mb});
        actions.push_back({ActionKind::Forward, s, mb});
        if (sendsToPeer(job, s))
          actions.push_back({ActionKind::Send, s, mb});
      }
    return true;
  }
  const RankSchedule &mine = program.schedule[coord];
  for (int k = 0; k < mine.numActions; ++k) {
    const Action &a = mine.actions[k];
    std::string what = "schedule of pipeline rank " + std::to_string(coord) +
                       ", action " + std::to_string(k);
    bool backward = a.kind == ActionKind::BackwardInput ||
                    a.kind == ActionKind::BackwardWeight ||
                    a.kind == ActionKind::SendGradient ||
                    a.kind == ActionKind::RecvGradient;
    if (backward && !isTraining(program)) {
      error = what + " is a backward action, but the program has no "
                     "backward functions";
      return false;
    }
    if (!backward && a.kind != ActionKind::Forward &&
        a.kind != ActionKind::Send && a.kind != ActionKind::Recv) {
      error = what + " has an unknown kind";
      return false;
    }
    if (a.stage < 0 || a.stage >= program.numStages ||
        job.stages.rankOf(a.stage) != coord || a.microbatch < 0 ||
        a.microbatch >= program.numMicrobatches) {
      error = what + " names stage " + std::to_string(a.stage) +
              " micro-batch " + std::to_string(a.microbatch) +
              ", which this rank does not run";
      return false;
    }
    const StageSpec &stage = program.stages[a.stage];
    // A cotangent travels like the activation it belongs to, backwards:
    // stage s sends it to s-1 over the link s-1 -> s.
    if (a.kind == ActionKind::SendGradient ||
        a.kind == ActionKind::RecvGradient) {
      int link = a.kind == ActionKind::SendGradient ? a.stage - 1 : a.stage;
      if (link < 0 || link + 1 >= program.numStages || !sendsToPeer(job, link)) {
        error = what + ": stage " + std::to_string(a.stage) +
                " has no cotangent to move to or from another rank";
        return false;
      }
      actions.push_back(a);
      continue;
    }
    bool send = a.kind == ActionKind::Send, recv = a.kind == ActionKind::Recv;
    if ((send && (!stage.sendBytes || a.stage + 1 >= program.numStages)) ||
        (recv && (!stage.recvBytes || a.stage == 0))) {
      error = what + ": stage " + std::to_string(a.stage) + " has no " +
              (a.kind == ActionKind::Send ? "next" : "previous") + " stage";
      return false;
    }
    if ((send && !sendsToPeer(job, a.stage)) ||
        (recv && !receivesFromPeer(job, a.stage))) {
      int first = send ? a.stage : a.stage - 1;
      error = what + ": stages " + std::to_string(first) + " and " +
              std::to_string(first + 1) +
              " both run on this rank and hand over in memory";
      return false;
    }
    actions.push_back(a);
  }
  // Every stage of the rank runs, sends and receives each micro-batch
  // exactly once: a missing Forward would leave outputs unwritten.
  for (int s : stages)
    for (int mb = 0; mb < program.numMicrobatches; ++mb)
      for (ActionKind kind :
           {ActionKind::Recv, ActionKind::Forward, ActionKind::Send,
            ActionKind::BackwardInput, ActionKind::BackwardWeight,
            ActionKind::SendGradient, ActionKind::RecvGradient}) {
        bool training = isTraining(program);
        int want = 0;
        switch (kind) {
        case ActionKind::Forward:
          want = 1;
          break;
        case ActionKind::Send:
          want = sendsToPeer(job, s);
          break;
        case ActionKind::Recv:
          want = receivesFromPeer(job, s);
          break;
        case ActionKind::BackwardInput:
        case ActionKind::BackwardWeight:
          want = training;
          break;
        case ActionKind::SendGradient:
          want = training && receivesFromPeer(job, s);
          break;
        case ActionKind::RecvGradient:
          want = training && sendsToPeer(job, s);
          break;
        }
        int have = int(
            std::count_if(actions.begin(), actions.end(), [&](const Action &a) {
              return a.kind == kind && a.stage == s && a.microbatch == mb;
            }));
        if (have != want) {
          error = "schedule of pipeline rank " + std::to_string(coord) +
                  " has " + std::to_string(have) + " " +
                  kindName(kind) +
                  " actions for stage " + std::to_string(s) + " micro-batch " +
                  std::to_string(mb) + ", expected " + std::to_string(want);
          return false;
        }
      }
  return true;
}

} // namespace pprt
