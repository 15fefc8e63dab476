//===- PPGenerationOps.cpp - a generation step's ops ---------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"

using namespace mlir;
using namespace mlir::pp;

/// `part` is `whole` with fewer rows of `dim`, the same elsewhere.
static LogicalResult checkRowsOf(Operation *op, Value whole, Value part,
                                 int64_t dim, StringRef wholeName,
                                 StringRef partName) {
  auto w = cast<RankedTensorType>(whole.getType());
  auto p = cast<RankedTensorType>(part.getType());
  if (w.getElementType() != p.getElementType() || w.getRank() != p.getRank())
    return op->emitOpError() << partName << " and " << wholeName
                             << " need one element type and rank";
  if (dim < 0 || dim >= w.getRank())
    return op->emitOpError() << "dim " << dim << " is outside rank "
                             << w.getRank();
  for (int64_t d = 0; d < w.getRank(); ++d)
    if (d != dim && w.getDimSize(d) != p.getDimSize(d))
      return op->emitOpError() << partName << " and " << wholeName
                               << " differ at dim " << d << ", not only at "
                               << dim;
  if (p.getDimSize(dim) > w.getDimSize(dim))
    return op->emitOpError() << partName << " has " << p.getDimSize(dim)
                             << " rows at dim " << dim << ", more than the "
                             << w.getDimSize(dim) << " of " << wholeName;
  return success();
}

LogicalResult StepSliceOp::verify() {
  return checkRowsOf(*this, getInput(), getResult(), getDim(), "input",
                     "result");
}

LogicalResult CacheWriteOp::verify() {
  if (getCache().getType() != getResult().getType())
    return emitOpError("result must have the cache's type");
  return checkRowsOf(*this, getCache(), getUpdate(), getDim(), "cache",
                     "update");
}
