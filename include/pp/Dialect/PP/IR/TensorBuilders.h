//===- TensorBuilders.h - small pp op builders that infer types -*- C++ -*-===//
//
// Building a pp op takes its result type. Gradient rules and pp-autodiff
// build many ops whose result type follows from the operands (a broadcast,
// a reduction); these helpers compute it once.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_TENSORBUILDERS_H
#define PP_DIALECT_PP_IR_TENSORBUILDERS_H

#include "pp/Dialect/PP/IR/PPDialect.h"

namespace mlir::pp {

ArrayRef<int64_t> shapeOf(Value v);
Type elementTypeOf(Value v);

/// A scalar `tensor<T>` constant of float element type `type`.
Value buildScalar(OpBuilder &b, Location loc, Type elementType, double value);
/// A constant of `type` (a float or integer tensor) with every element 0.
Value buildZeros(OpBuilder &b, Location loc, Type type);
/// An i64 vector constant.
Value buildIndices(OpBuilder &b, Location loc, ArrayRef<int64_t> values);

/// The result type of an elementwise op on `operands`: their broadcast
/// shape, with `elementType` (the first operand's when null).
RankedTensorType broadcastType(ValueRange operands, Type elementType = {});

/// An elementwise op with numpy broadcasting and the inferred result type.
template <typename OpTy>
Value buildElementwise(OpBuilder &b, Location loc, ValueRange operands,
                       Type elementType = {}) {
  return OpTy::create(b, loc, TypeRange{broadcastType(operands, elementType)},
                      operands)
      .getResult();
}

/// `kind` of `v` over `dims` (any order); `keepdims` keeps them as 1.
Value buildReduce(OpBuilder &b, Location loc, ReduceKind kind, Value v,
                  ArrayRef<int64_t> dims, bool keepdims);
/// `v` reshaped to `shape` (no op when it has it already).
Value buildReshape(OpBuilder &b, Location loc, Value v,
                   ArrayRef<int64_t> shape);
/// `v` broadcast to `shape` (no op when it has it already).
Value buildBroadcast(OpBuilder &b, Location loc, Value v,
                     ArrayRef<int64_t> shape);
/// `v` with its dims permuted: result dim i is dim perm[i].
Value buildTranspose(OpBuilder &b, Location loc, Value v,
                     ArrayRef<int64_t> perm);
/// `v` with its last two dims swapped.
Value buildSwapLastTwo(OpBuilder &b, Location loc, Value v);
/// `v`, a cotangent of a value broadcast from `shape`, summed over the
/// dims the broadcast added or stretched and reshaped to `shape`: the
/// adjoint of numpy broadcasting.
Value buildSumToShape(OpBuilder &b, Location loc, Value v,
                      ArrayRef<int64_t> shape);

} // namespace mlir::pp

#endif // PP_DIALECT_PP_IR_TENSORBUILDERS_H
