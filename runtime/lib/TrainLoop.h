//===- TrainLoop.h - the step loop of a training program --------*- C++ -*-===//
//
// Runs `--steps N` of a program compiled with pp-opt --train on one rank:
// see TrainLoop.cpp and docs/training.md.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_TRAINLOOP_H
#define PPRT_LIB_TRAINLOOP_H

#include "RunIO.h"
#include "RunOptions.h"
#include "pprt/Device.h"

#include <functional>
#include <vector>

namespace pprt {

/// The device buffers of the program's tables, allocated by the caller.
/// After a step the loop swaps each weight with its update and each state
/// input with its new state (no copies), so these are the very vectors the
/// program runs on.
struct TrainBuffers {
  std::vector<void *> &inputs, &outputs, &weights;
};

/// The weight named `name`, or -1.
int weightNamed(const Program &program, const char *name);
/// The input of `role` named `name`, or -1.
int inputNamed(const Program &program, const char *name, TensorRole role);

/// Rows [part * n, (part + 1) * n) of `whole` along `dim`, where n is the
/// extent of `spec` there: one step's batch of a file holding several.
void copyBatch(const HostArray &whole, const TensorSpec &spec, int dim,
               int64_t part, std::vector<char> &out);

/// Runs options.steps steps (runOnce runs the program once and waits);
/// writes loss.npy to --output-dir and step 1's gradients to --dump-grads.
/// Returns the exit status.
/// `firstStep` steps were done before (--resume); `weightsDir` holds the
/// model files a --save-weights checkpoint copies.
int runTrainingSteps(const Program &program, const RunOptions &options,
                     Device &device, Context &ctx, const RunData &data,
                     TrainBuffers buffers,
                     const std::function<void()> &runOnce, int64_t firstStep,
                     const std::string &weightsDir);

} // namespace pprt

#endif // PPRT_LIB_TRAINLOOP_H
