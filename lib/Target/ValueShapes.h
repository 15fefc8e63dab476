//===- ValueShapes.h - a tensor value's static shape and type ---*- C++ -*-===//
//
// The emitters see only statically shaped tensors (the importer and
// pp-legalize-for-kernels guarantee it), so these cast without checking.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_TARGET_VALUESHAPES_H
#define PP_LIB_TARGET_VALUESHAPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace mlir::pp {

inline ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getShape();
}

inline Type elementOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getElementType();
}

} // namespace mlir::pp

#endif // PP_LIB_TARGET_VALUESHAPES_H
