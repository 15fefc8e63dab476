//===- RankSetup.h - what one rank runs, and its buffers --------*- C++ -*-===//
//
// Shared by the rank loop (RunRanks.cpp) and the trace (RankTrace.cpp):
// the run's read-only Job, which stages and actions a rank runs (from the
// program's StageMap and schedule table), and the buffers it allocates and
// fills before the first step.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_RANKSETUP_H
#define PPRT_LIB_RANKSETUP_H

#include "RunIO.h"
#include "RunOptions.h"
#include "Shard.h"
#include "pprt/CommGroups.h"
#include "pprt/Device.h"
#include "pp/Schedule/Action.h"

#include <string>
#include <vector>

namespace pprt {

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
  /// Which coordinate of the stage axis runs each stage.
  ::pp::schedule::StageMap stages;
  /// Training: the steps a --resume checkpoint has done.
  int64_t firstStep = 0;
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
int pipelineCoord(const Job &job, const std::vector<int64_t> &coords);

/// The stages a rank runs, ascending: those the StageMap puts on its
/// coordinate.
std::vector<int> stagesOf(const Job &job, const std::vector<int64_t> &coords);

/// Whether `stage`'s activation travels by Send to the next stage, and
/// whether it arrives by Recv from the previous one: false when there is
/// none, and when both stages run on one rank (the turn of a V), which
/// hand over in memory.
bool sendsToPeer(const Job &job, int stage);
bool receivesFromPeer(const Job &job, int stage);

/// The schedule library's action for a runtime action (chunks and peers
/// from the StageMap), so traces name actions as the text format does and
/// the stash is planned as the compiler planned it.
::pp::schedule::Action scheduleAction(const Job &job, const Action &a);

/// Whether the program trains (pp-stage-training's functions).
bool isTraining(const Program &program);

/// The part of a tensor that micro-batch `mb` of `m` covers within `block`.
Block microBlock(Block block, int batchDim, int mb, int m);

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
  /// Training, by stage then micro-batch: the stash slot, the cotangent of
  /// the stage's output (from the next stage) and that of its input (for
  /// the previous one).
  std::vector<std::vector<char *>> stash;
  std::vector<std::vector<void *>> gradReceived, gradSent;
  uint64_t weightBytes = 0;
  uint64_t arenaBytes = 0;  ///< every intermediate of this rank's stages
  /// Training: the gradient accumulators, and the optimizer's state, next
  /// state and new weights (as plan.json counts them).
  uint64_t gradBytes = 0;
  uint64_t optimizerBytes = 0;
};

/// Allocates and fills this rank's inputs, outputs, weights and arenas;
/// false with `error` when a weight cannot be loaded.
/// A training program's stash slots are those its `actions` need
/// (pp::schedule::planStash).
bool setUpRank(const Job &job, RankState &state, const std::vector<int> &stages,
               const std::vector<int64_t> &coords,
               const std::vector<Action> &actions, RankBuffers &buffers,
               std::string &error);

/// The rank's actions: the compiler's schedule, or each micro-batch
/// through the rank's stages in turn. False with `error` when the schedule
/// table names an action the rank cannot run or misses one.
bool actionsOf(const Job &job, const std::vector<int64_t> &coords,
               const std::vector<int> &stages, std::vector<Action> &actions,
               std::string &error);

} // namespace pprt

#endif // PPRT_LIB_RANKSETUP_H
