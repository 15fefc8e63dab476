//===- ProgramChecks.cpp - can the runtime run this program? --------------===//
//
// A multi-rank program's tables are checked once, before any rank starts:
// the mesh, the stage axis and the stage table (indices in range, each
// output produced by exactly one stage, the placement), and the shardings
// and micro-batch cuts of every input, output and weight. Each problem is
// one line naming the table entry.
//
//===----------------------------------------------------------------------===//

#include "ProgramChecks.h"
#include "Shard.h"

namespace pprt {

namespace {

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

} // namespace

::pp::schedule::StageMap stageMapOf(const Program &program) {
  int pipeline = program.stageAxis < 0
                     ? 1
                     : int(program.mesh.axisSizes[program.stageAxis]);
  return ::pp::schedule::StageMap(pipeline, program.numStages / pipeline,
                                  program.placement);
}

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
  if (program.placement != ::pp::schedule::Placement::Loop &&
      program.placement != ::pp::schedule::Placement::V) {
    error = "placement " + std::to_string(int(program.placement)) +
            " is neither loop nor v";
    return false;
  }
  // Consecutive stages on one pipeline rank (the turn of a V) share the
  // activation's buffer, so they must agree on its size.
  ::pp::schedule::StageMap stages = stageMapOf(program);
  for (int s = 1; s < program.numStages; ++s)
    if (stages.rankOf(s) == stages.rankOf(s - 1) &&
        program.stages[s].recvBytes != program.stages[s - 1].sendBytes) {
      error = "stage " + std::to_string(s) + " takes " +
              std::to_string(program.stages[s].recvBytes) +
              " bytes in memory from stage " + std::to_string(s - 1) +
              ", which hands on " +
              std::to_string(program.stages[s - 1].sendBytes);
      return false;
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

} // namespace pprt
