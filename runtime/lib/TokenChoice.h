//===- TokenChoice.h - the next token from a row of logits ------*- C++ -*-===//
//
// Greedy decoding takes the first largest logit (torch.argmax's choice).
// Sampling draws from softmax(logits / temperature), restricted to the
// top-k tokens and then to the fewest whose probability reaches top-p,
// with a counter-based random number of (seed, step, row): the same seed
// gives the same tokens whatever the plan, since every plan computes the
// same logits.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_TOKENCHOICE_H
#define PPRT_LIB_TOKENCHOICE_H

#include <cstdint>

namespace pprt {

struct Sampling {
  double temperature = 0; ///< 0: greedy
  int topK = 0;           ///< 0: every token
  double topP = 1;
  uint64_t seed = 0;
};

/// The token for sequence `row` at generation step `step` (0 for the first
/// new token) from its `vocab` logits.
int64_t chooseToken(const float *logits, int64_t vocab, const Sampling &s,
                    uint64_t step, uint64_t row);

} // namespace pprt

#endif // PPRT_LIB_TOKENCHOICE_H
