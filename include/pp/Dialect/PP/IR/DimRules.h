//===- DimRules.h - how the dims of an op relate ---------------*- C++ -*-===//
//
// The value that DimRulesInterface returns: an op's dims as products of
// factors. A pass that follows one dim (or a part of one) through the graph
// locates it among the factors of the operand that holds it and finds the
// same factor in the result, instead of knowing the shape rules of every op.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_DIMRULES_H
#define PP_DIALECT_PP_IR_DIMRULES_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir::pp {

/// What an op does along one factor.
enum class FactorKind {
  /// Result elements read the operands at the same index along it.
  Parallel,
  /// Only operands have it; the op combines their elements along it.
  Reduction,
  /// The op reads across it: no result element can be computed from a part.
  Whole,
};

/// One factor: its extent, its kind and, for reduction and whole factors,
/// what the op does along it, worded to follow the op's name in a
/// diagnostic ("softmax" "over" dim 3, "matmul" "contracts over" dim 1).
struct DimFactor {
  int64_t extent;
  FactorKind kind;
  llvm::StringRef verb;
};

/// The factors of one dim, major to minor; empty for a dim of extent 1.
using DimFactors = llvm::SmallVector<unsigned, 2>;
/// The factors of each dim of one operand or result.
using TensorFactors = llvm::SmallVector<DimFactors, 4>;

/// Where a factor sits in a tensor: the dim, and the product of the extents
/// of the factors before it in that dim.
struct FactorPosition {
  int64_t dim;
  int64_t before;
  /// Whether it is the dim's major (first) factor.
  bool isMajor() const { return before == 1; }
};

/// The dims of an op's operands and results as products of factors.
class DimRules {
public:
  /// Numpy broadcasting of every operand onto the result (elementwise ops,
  /// pp.broadcast, leaves): one parallel factor per result dim of extent
  /// other than 1, and an operand dim has it when it has that extent.
  static DimRules broadcasting(Operation *op);

  unsigned addFactor(int64_t extent, FactorKind kind = FactorKind::Parallel,
                     llvm::StringRef verb = {});
  /// One new factor per dim of `shape` (none for a dim of 1, nor for dim
  /// `skip`, which the caller fills).
  TensorFactors freshDims(llvm::ArrayRef<int64_t> shape,
                          FactorKind kind = FactorKind::Parallel,
                          llvm::StringRef verb = {}, int64_t skip = -1);
  /// The factors of a row-major reshape from `in` to `out`, appended as one
  /// operand and one result. Dims are cut into their common factors while
  /// each boundary divides the next; a stretch where they do not (a
  /// [2, 3] -> [3, 2] tangle) gets one whole factor per dim part.
  void addReshape(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> out);

  const DimFactor &factor(unsigned f) const { return factors[f]; }
  unsigned numFactors() const { return factors.size(); }

  /// Where factor `f` sits in `tensor`, if it has it.
  std::optional<FactorPosition> find(const TensorFactors &tensor,
                                     unsigned f) const;
  /// The factor of `dim` of `tensor` that holds the part of extent
  /// `extent` starting `before` elements into the dim's major side, and its
  /// own `before` within that factor; nullopt when the part crosses a
  /// factor boundary.
  std::optional<std::pair<unsigned, int64_t>>
  locate(const TensorFactors &tensor, int64_t dim, int64_t before,
         int64_t extent) const;
  /// Whether no dim of `tensor` has a parallel factor.
  bool hasNoParallelDim(const TensorFactors &tensor) const;

  /// "(a, b*c), (c) -> (a, b) a=8 b=4 c=16:whole" with factors named by
  /// letters in order of appearance.
  void print(llvm::raw_ostream &os) const;

  llvm::SmallVector<TensorFactors, 3> operands;
  llvm::SmallVector<TensorFactors, 1> results;
  /// What diagnostics call each operand ("lhs"); empty when an operand is
  /// just the op's input.
  llvm::SmallVector<llvm::StringRef, 3> operandRoles;

private:
  llvm::SmallVector<DimFactor> factors;
};

} // namespace mlir::pp

#endif // PP_DIALECT_PP_IR_DIMRULES_H
