//===- ShapeUtils.h - static shape arithmetic -------------------*- C++ -*-===//

#ifndef PP_DIALECT_PP_IR_SHAPEUTILS_H
#define PP_DIALECT_PP_IR_SHAPEUTILS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mlir::pp {

/// The numpy broadcast of two shapes, or nullopt when they are
/// incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Product of the dims (1 for a scalar); INT64_MAX when a dim is negative
/// or the product overflows, so hostile shapes never cause undefined
/// behaviour.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// The most elements pp accepts in one tensor of the graph (2^56): a
/// 1T-parameter GPT's attention scores at its global batch (3072 x 160
/// heads x 2048 x 2048, about 2^51) fit, which the planner reads without
/// running them, and bytes and strides (8 bytes an element) stay far below
/// int64 overflow.
constexpr int64_t kMaxTensorElements = int64_t(1) << 56;

/// The most elements the importer materialises in one constant it computes
/// (Range, ConstantOfShape): 2^40, i.e. terabytes, so a hostile shape fails
/// with a diagnostic instead of an allocation.
constexpr int64_t kMaxConstantElements = int64_t(1) << 40;

/// Row-major strides of `shape`, in elements.
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

/// Strides for reading `shape` as if broadcast to `target` (0 on stretched
/// and missing leading dims).
llvm::SmallVector<int64_t> broadcastStrides(llvm::ArrayRef<int64_t> shape,
                                            llvm::ArrayRef<int64_t> target);

/// "8x16x64", and "scalar" for rank 0.
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_IR_SHAPEUTILS_H
