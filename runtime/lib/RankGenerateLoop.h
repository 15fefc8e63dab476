//===- RankGenerateLoop.h - token generation on one rank --------*- C++ -*-===//

#ifndef PPRT_LIB_RANKGENERATELOOP_H
#define PPRT_LIB_RANKGENERATELOOP_H

#include "RankSetup.h"
#include "pprt/Comm.h"

namespace pprt {

/// Whether the program is a generation program (pp-stage-generation).
bool isGenerationProgram(const Program &program);

/// Runs --prompt through the prefill step, then --max-new-tokens decode
/// steps, on one rank of a generation program; the last stage's rank at
/// coordinate 0 of the other axes writes tokens.npy (and step_logits.npy).
/// Returns the exit status, the same on every rank.
int generateRank(const Job &job, const std::vector<int64_t> &coords,
                 const std::vector<int> &stages, RankState &state,
                 RankBuffers &buffers, Comm &comm);

} // namespace pprt

#endif // PPRT_LIB_RANKGENERATELOOP_H
