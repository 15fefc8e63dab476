//===- PPDimRulesInterface.td - how dims pass through an op -*- tablegen -*-===//
//
// The one definition of how each dim of an op's operands relates to the
// dims of its results. Passes that follow a dim through the graph (the
// batch split, tensor parallelism) read it instead of knowing every op.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPDIMRULESINTERFACE_TD
#define PP_DIALECT_PP_IR_PPDIMRULESINTERFACE_TD

include "mlir/IR/OpBase.td"

def PP_DimRulesInterface : OpInterface<"DimRulesInterface"> {
  let description = [{
    Describes an op as a set of *factors*: named extents whose product
    makes up each dim of every operand and result, major to minor. A dim of
    extent 1 has no factor (it broadcasts, or a reduction kept it). A
    factor that appears in an operand and a result is the same index in
    both, so a dim that a reshape merges or splits (the batch inside the
    `(B·h)` of a `(T, B·h, d)` view) stays traceable. Each factor has a
    kind: *parallel* (the result along it only reads the operands at the
    same index), *reduction* (only operands have it; the op combines the
    elements along it, as a matmul's inner dim) or *whole* (the op reads
    across it: a softmax or norm dim, a gathered, sliced or concatenated
    dim, the rows and columns of `trilu`, a tangle of a reshape).

    Elementwise ops, `pp.broadcast`, weights and constants use the default:
    numpy broadcasting of every operand onto the result.
  }];
  let cppNamespace = "::mlir::pp";
  let methods = [
    InterfaceMethod<
      "The factors of this op and how its operand and result dims are "
      "made of them.",
      "::mlir::pp::DimRules", "getDimRules", (ins), [{}],
      [{ return ::mlir::pp::DimRules::broadcasting($_op); }]>
  ];
}

#endif // PP_DIALECT_PP_IR_PPDIMRULESINTERFACE_TD
