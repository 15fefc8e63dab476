//===- GenerationStep.h - a forward pass as one generation step -*- C++ -*-===//
//
// Rewrites a function that runs the model over all T positions into one
// that runs it over `chunk` positions starting at the step's position (a
// runtime value), with each attention's keys and values kept in a cache of
// `maxSeq` positions (docs/generation.md).
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_GENERATIONSTEP_H
#define PP_DIALECT_PP_TRANSFORMS_GENERATIONSTEP_H

#include "pp/Dialect/PP/Transforms/SequenceAnalysis.h"

#include <string>

namespace mlir::pp {

/// One cache the step reads and writes: a new argument of the function.
struct StepCache {
  /// "<scores node>.key" or ".value".
  std::string name;
  RankedTensorType type;
  /// The argument's index in the rewritten function.
  unsigned argument;
};

/// Rewrites `func` (analyzed as `a`) in place. Appends one argument per
/// cache, in attention order (each attention's key, then its value), and
/// describes them in `caches`. Fails with an error at the op that cannot
/// be rewritten.
LogicalResult buildGenerationStep(func::FuncOp func, const SequenceAnalysis &a,
                                  int64_t chunk, int64_t maxSeq,
                                  SmallVectorImpl<StepCache> &caches);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_GENERATIONSTEP_H
