//===- OpsReduction.cpp - importers for ONNX Reduce* ops -----------------===//
//
// Axes come from an attribute or, in newer opsets, an input; an empty axes
// list reduces everything unless noop_with_empty_axes says otherwise.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

template <ReduceKind Kind>
LogicalResult importReduce(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = n.intsInput(1, "axes");
    if (failed(given))
      return failure();
    axes = *given;
  } else if (auto given = n.intsAttr("axes")) {
    axes = *given;
  }
  if (axes.empty()) {
    if (n.intAttr("noop_with_empty_axes", 0)) {
      n.setOutput(0, n.input(0));
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &axis : axes) {
    FailureOr<int64_t> a = n.normalizeAxis(axis, rank);
    if (failed(a))
      return failure();
    axis = *a;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  bool keepdims = n.intAttr("keepdims", 1) != 0;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(type.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  n.setOutput(0, n.create<ReduceOp>(
                     n.tensorType(shape, type.getElementType()), Kind,
                     n.input(0), axes, keepdims));
  return success();
}

} // namespace

void mlir::pp::registerReductionImporters(OpImporterTable &t) {
  t["ReduceSum"] = requireInputs(1, importReduce<ReduceKind::sum>);
  t["ReduceMean"] = requireInputs(1, importReduce<ReduceKind::mean>);
  t["ReduceMax"] = requireInputs(1, importReduce<ReduceKind::max>);
  t["ReduceMin"] = requireInputs(1, importReduce<ReduceKind::min>);
  t["ReduceProd"] = requireInputs(1, importReduce<ReduceKind::prod>);
}
