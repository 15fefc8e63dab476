//===- PPGradientInterface.td - reverse-mode rules -----------*- tablegen -*-===//
//
// The one definition of each graph op's derivative, beside the op. The
// pp-autodiff pass walks a function backwards and asks every op on a path
// from a trainable value to the loss for the cotangents of its operands;
// it knows no op by name. docs/autodiff.md lists every rule.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPGRADIENTINTERFACE_TD
#define PP_DIALECT_PP_IR_PPGRADIENTINTERFACE_TD

include "mlir/IR/OpBase.td"

def PP_GradientInterface : OpInterface<"GradientInterface"> {
  let description = [{
    Reverse-mode derivative of an op. Given the cotangents of the op's
    results (the gradient of the loss with respect to each result, of the
    result's type; null for a result the loss does not depend on), builds
    pp ops at the builder's insertion point that compute the cotangent of
    each operand, in the operand's own shape and type (a broadcast operand
    gets the cotangent summed back to its shape).

    The returned vector has one entry per operand. A null entry means the
    operand has no cotangent: it is not a float (indices, conditions), or
    the op's derivative along it is zero almost everywhere (comparisons,
    floor, ceil). Ops that implement this interface with only null entries
    say explicitly that nothing flows back through them; an op without the
    interface on a path to the loss is an error in pp-autodiff.

    The rule may use the op's operands and results (the pass saves them
    from the forward) and may recompute cheap intermediates from them.
  }];
  let cppNamespace = "::mlir::pp";
  let methods = [
    InterfaceMethod<
      "Builds the cotangents of the operands from those of the results.",
      "::llvm::SmallVector<::mlir::Value>", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultCotangents)>
  ];
}

#endif // PP_DIALECT_PP_IR_PPGRADIENTINTERFACE_TD
