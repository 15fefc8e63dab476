//===- TokenChoice.h - the next token from a row of logits ------*- C++ -*-===//
//
// Every way of choosing is a maximum over the vocabulary, so that a rank
// holding one block of it (a vocabulary-parallel head) finds its block's
// best candidate and a maximum over the group finds the token:
//
// - greedy: the largest logit, the first on ties (torch.argmax's choice);
// - sampling: the largest logit / temperature + Gumbel noise, which draws
//   from softmax(logits / temperature) (the Gumbel-max trick). The noise of
//   each token comes from a counter-based random number of (seed, step,
//   sequence, token id), so the same seed gives the same tokens whatever
//   the plan and however the vocabulary is split.
//
// Top-k and top-p restrict the draw to the k most likely tokens, then to
// the fewest whose probability reaches p; they need the whole row.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_LIB_TOKENCHOICE_H
#define PPRT_LIB_TOKENCHOICE_H

#include <cstdint>
#include <vector>

namespace pprt {

struct Sampling {
  double temperature = 0; ///< 0: greedy
  int topK = 0;           ///< 0: every token
  double topP = 1;
  uint64_t seed = 0;

  /// Whether the draw needs the whole row (top-k or top-p).
  bool filters() const { return temperature > 0 && (topK > 0 || topP < 1); }
};

/// A token and the score it is chosen by (the larger wins; then the
/// smaller token).
struct Candidate {
  double score;
  int64_t token;
};

/// The best candidate among tokens [first, first + n) of sequence `row` at
/// generation step `step`, `logits` holding their logits; with `keep`
/// (indexed by token), only the tokens it allows.
Candidate bestCandidate(const float *logits, int64_t first, int64_t n,
                        const Sampling &s, uint64_t step, uint64_t row,
                        const std::vector<bool> *keep = nullptr);

/// The tokens top-k and top-p allow, from a whole row of `vocab` logits.
std::vector<bool> keptTokens(const float *logits, int64_t vocab,
                             const Sampling &s);

} // namespace pprt

#endif // PPRT_LIB_TOKENCHOICE_H
