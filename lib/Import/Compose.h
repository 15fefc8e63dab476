//===- Compose.h - shorthands for ONNX ops built from pp ops ----*- C++ -*-===//
//
// Importers that expand one ONNX op into a chain of pp ops (OpsMath.cpp,
// OpsIndex.cpp, OpsTransformer.cpp) build values whose types they already
// know agree; these shorthands build them without re-checking each step.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_IMPORT_COMPOSE_H
#define PP_LIB_IMPORT_COMPOSE_H

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

namespace mlir::pp {

inline bool isFloat(Value v) {
  return llvm::isa<FloatType>(
      llvm::cast<ShapedType>(v.getType()).getElementType());
}

/// Shorthands over values the importer built itself, whose types agree.
struct Math {
  NodeImporter &n;
  template <typename OpTy> Value bin(Value a, Value b) {
    return *n.binary<OpTy>(a, b);
  }
  Value add(Value a, Value b) { return bin<AddOp>(a, b); }
  Value sub(Value a, Value b) { return bin<SubOp>(a, b); }
  Value mul(Value a, Value b) { return bin<MulOp>(a, b); }
  Value max(Value a, Value b) { return bin<MaxOp>(a, b); }
  Value min(Value a, Value b) { return bin<MinOp>(a, b); }
  Value less(Value a, Value b) { return bin<LessOp>(a, b); }
  Value greater(Value a, Value b) { return bin<GreaterOp>(a, b); }
  Value equal(Value a, Value b) { return bin<EqualOp>(a, b); }
  Value c(Value like, double v) { return n.scalarLike(like, v); }
  template <typename OpTy> Value un(Value a) {
    return n.create<OpTy>(a.getType(), a);
  }
  Value select(Value cond, Value a, Value b) {
    auto ta = llvm::cast<RankedTensorType>(a.getType());
    auto tb = llvm::cast<RankedTensorType>(b.getType());
    auto tc = llvm::cast<RankedTensorType>(cond.getType());
    auto shape = *broadcastShapes(*broadcastShapes(ta.getShape(),
                                                   tb.getShape()),
                                  tc.getShape());
    return n.create<SelectOp>(n.tensorType(shape, ta.getElementType()), cond,
                              a, b);
  }
  /// Rounds toward zero (floats).
  Value trunc(Value x) {
    return select(less(x, c(x, 0)), un<CeilOp>(x), un<FloorOp>(x));
  }
  /// Reduces `dims` of `x` with `kind`, keeping them as size 1.
  Value reduce(ReduceKind kind, Value x, ArrayRef<int64_t> dims) {
    auto type = llvm::cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(type.getShape());
    for (int64_t d : dims)
      shape[d] = 1;
    return n.create<ReduceOp>(n.tensorType(shape, type.getElementType()), kind,
                              x, dims, /*keepdims=*/true);
  }
};

} // namespace mlir::pp

#endif // PP_LIB_IMPORT_COMPOSE_H
