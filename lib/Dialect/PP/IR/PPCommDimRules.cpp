//===- PPCommDimRules.cpp - how the collectives' dims relate --------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"

using namespace mlir;
using namespace mlir::pp;

/// One operand and one result that share every dim but `axis`, which each
/// holds whole (a gather joins the group's parts, a slice takes one).
static DimRules resizedAlong(Value input, Value result, int64_t axis,
                             StringRef verb) {
  auto in = cast<RankedTensorType>(input.getType()).getShape();
  auto out = cast<RankedTensorType>(result.getType()).getShape();
  DimRules rules;
  TensorFactors dims =
      rules.freshDims(out, FactorKind::Parallel, /*verb=*/{}, axis);
  TensorFactors operand(dims);
  operand[axis] = rules.freshDims(in[axis], FactorKind::Whole, verb)[0];
  dims[axis] = rules.freshDims(out[axis], FactorKind::Whole, verb)[0];
  rules.operands.push_back(operand);
  rules.results.push_back(dims);
  return rules;
}

DimRules AllReduceOp::getDimRules() { return DimRules::broadcasting(*this); }

DimRules AllGatherOp::getDimRules() {
  return resizedAlong(getInput(), getResult(), getDim(), "gathers along");
}

DimRules ReduceScatterOp::getDimRules() {
  return resizedAlong(getInput(), getResult(), getDim(), "scatters along");
}

DimRules AllSliceOp::getDimRules() {
  return resizedAlong(getInput(), getResult(), getDim(), "slices along");
}
