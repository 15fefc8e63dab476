//===- Trainability.h - which weights training updates ---------*- C++ -*-===//
//
// The default rule (docs/autodiff.md): a float pp.weight is trainable when
// it is used, directly or through slice/transpose/reshape views, as a
// matmul operand, a gather table, a normalization scale or bias, or a bias
// added to a matmul result. Every other weight (rotary tables, masks,
// constants an exporter stored as initializers) is frozen. Globs on the
// weight's name override the rule; `frozen` wins over `trainable`.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_TRANSFORMS_TRAINABILITY_H
#define PP_DIALECT_PP_TRANSFORMS_TRAINABILITY_H

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/GlobPattern.h"

#include <string>

namespace mlir::pp {

/// A weight's class, and why, for diagnostics and docs ("matmul operand",
/// "matches frozen glob 'wte*'").
struct Trainability {
  bool trainable;
  std::string reason;
};

class TrainabilityRule {
public:
  /// The rule with name globs that override it; fails on a bad glob.
  static llvm::Expected<TrainabilityRule>
  create(llvm::ArrayRef<std::string> trainableGlobs,
         llvm::ArrayRef<std::string> frozenGlobs);

  Trainability classify(WeightOp weight) const;

private:
  struct Glob {
    std::string text;
    llvm::GlobPattern pattern;
  };
  llvm::SmallVector<Glob> trainable, frozen;
};

} // namespace mlir::pp

#endif // PP_DIALECT_PP_TRANSFORMS_TRAINABILITY_H
