//===- Legalize.h - reshape the IR into what the kernels take ---*- C++ -*-===//

#ifndef PP_LIB_TARGET_LEGALIZE_H
#define PP_LIB_TARGET_LEGALIZE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pp {

/// Rewrites ops whose form the runtime kernels cannot take directly:
/// matmul operands whose batch dims broadcast only partly get an explicit
/// pp.broadcast; reductions over non-adjacent dims transpose those dims
/// next to each other first; all_gather and reduce_scatter on an inner
/// dim run between transposes on the leading dim (the runtime moves
/// contiguous chunks); all_to_all becomes all_gather + all_slice.
void legalizeForKernels(func::FuncOp func);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_LEGALIZE_H
