//===- SequenceAnalysis.h - where a model's token positions go -*- C++ -*-===//
//
// Generation (docs/generation.md) runs a model one token, or one chunk of
// tokens, at a time, with the keys and values of earlier positions kept in
// a cache. That is only the same computation as the whole forward pass when
// every op acts position by position, except causal attention: the scores
// of each query over the keys, a mask that hides the later keys, a softmax
// over the keys, and the sum of the values they weigh. This analysis proves
// that from the ops' dim rules (DimRules.h), following the positions of the
// token ids through the graph, and records what the rewrite into prefill
// and decode steps changes. Any other op that reads across positions is an
// error that names the node.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_SEQUENCEANALYSIS_H
#define PP_DIALECT_PP_TRANSFORMS_SEQUENCEANALYSIS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>

namespace mlir::pp {

/// Where a value holds positions: inside dim `dim`, after `before`
/// elements of other dims merged into it on its major side.
struct SeqAt {
  int64_t dim;
  int64_t before;
};

/// One causal attention.
struct Attention {
  /// Queries times keys: its lhs holds the queries' positions, its rhs the
  /// keys' (the key side), its result both.
  Operation *scores = nullptr;
  /// The op that hides the later keys from each query (a select of a fill
  /// or an add of a mask of at most -1e4), and its mask operand.
  Operation *mask = nullptr;
  unsigned maskOperand = 0;
  /// The softmax over the keys.
  Operation *softmax = nullptr;
  /// Probabilities times values: its rhs (the value side) holds the keys'
  /// positions where the probabilities hold the keys.
  Operation *values = nullptr;
};

/// An operand built only from constants and weights that lines up with
/// the positions (a position table, rotary cos/sin, a causal mask): the
/// rewrite takes its rows at the step's positions.
struct AlignedOperand {
  Operation *op;
  unsigned operand;
  /// The operand's dims that line up with the queries and with the keys.
  std::optional<int64_t> queryDim, keyDim;
};

class SequenceAnalysis {
public:
  /// Follows the `length` positions `seed` holds `at` through `func` (the
  /// token ids, or a later pipeline stage's received activation). Emits an
  /// error at the op that breaks generation and fails.
  static FailureOr<SequenceAnalysis> analyze(func::FuncOp func, Value seed,
                                             SeqAt at, int64_t length);
  /// The same for the model's token ids: its one integer argument, at
  /// `dim`, or (`dim` < 0) at the first dim, from the last, that analyzes
  /// with an attention in it.
  static FailureOr<SequenceAnalysis> analyze(func::FuncOp func,
                                             int64_t dim = -1);

  /// The token ids (or the received activation) and the dim of their
  /// positions.
  Value ids() const { return idsArg; }
  int64_t idsDim() const { return seqDim; }
  /// The number of positions the model was exported for.
  int64_t length() const { return seqLength; }

  /// Where `v` holds the positions of this step's tokens (queries), or of
  /// the keys they attend to.
  std::optional<SeqAt> queryAt(Value v) const;
  std::optional<SeqAt> keyAt(Value v) const;

  llvm::ArrayRef<Attention> attentions() const { return found; }
  llvm::ArrayRef<AlignedOperand> alignedOperands() const { return aligned; }

private:
  Value idsArg;
  SeqAt seedAt{0, 1};
  int64_t seqDim = 0, seqLength = 0;
  llvm::DenseMap<Value, SeqAt> queries, keys;
  /// The attention a value that holds keys belongs to.
  llvm::DenseMap<Value, unsigned> attentionOf;
  llvm::SmallVector<Attention> found;
  llvm::SmallVector<AlignedOperand> aligned;

  friend class SequenceWalker;
};

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_SEQUENCEANALYSIS_H
