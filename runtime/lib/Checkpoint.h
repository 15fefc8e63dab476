//===- Checkpoint.h - trained weights and optimizer state on disk -*- C++ -*-===//
//
// `run --save-weights DIR` and `--resume DIR`: see Checkpoint.cpp and
// docs/training.md.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_CHECKPOINT_H
#define PPRT_LIB_CHECKPOINT_H

#include "RunIO.h"
#include "pprt/Device.h"

#include <string>
#include <utility>
#include <vector>

namespace pprt {

/// Writes DIR: the model's files from `weightsDir` with `weights` (each
/// weight's whole value, in the program's dtype) written over their bytes, optimizer/<state>.npy for each
/// (name, value) of `states`, and step.txt holding `step` (the steps done).
bool saveCheckpoint(const Program &program, const std::string &weightsDir,
                    const std::vector<std::vector<char>> &weights,
                    const std::vector<std::pair<std::string, HostArray>> &states,
                    int64_t step, const std::string &dir, std::string &error);

/// Reads DIR's step count and fills the state inputs of `inputs` (already
/// sized) from optimizer/<input name>.npy. The weights come from DIR's
/// model files: the caller reads them with DIR as the weights folder.
bool loadCheckpointState(const std::string &dir, const Program &program,
                         std::vector<HostArray> &inputs, int64_t &step,
                         std::string &error);

} // namespace pprt

#endif // PPRT_LIB_CHECKPOINT_H
