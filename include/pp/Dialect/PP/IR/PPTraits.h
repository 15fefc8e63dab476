//===- PPTraits.h - traits of pp ops ----------------------------*- C++ -*-===//

#ifndef PP_DIALECT_PP_IR_PPTRAITS_H
#define PP_DIALECT_PP_IR_PPTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::pp {

/// Checks an elementwise op: the result shape is the numpy broadcast of the
/// operand shapes, and element types follow the op's rule.
LogicalResult verifyElementwiseOp(Operation *op);

namespace OpTrait {
/// Marks ops that compute each result element from the elements of the
/// operands at the same (broadcast) index.
template <typename ConcreteType>
class Elementwise
    : public mlir::OpTrait::TraitBase<ConcreteType, Elementwise> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyElementwiseOp(op);
  }
};
} // namespace OpTrait

} // namespace mlir::pp

#endif // PP_DIALECT_PP_IR_PPTRAITS_H
