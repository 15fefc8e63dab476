//===- CTypes.h - C spelling of pp element types and literals ---*- C++ -*-===//

#ifndef PP_LIB_TARGET_CTYPES_H
#define PP_LIB_TARGET_CTYPES_H

#include "pprt/Program.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Types.h"

#include <optional>
#include <string>

namespace mlir::pp {

/// The C/C++ type that stores an element ("float", "int64_t", "bool",
/// "__half", "__nv_bfloat16"), or "" when pp cannot emit it.
std::string storageCType(Type element);
/// The type elementwise code computes in: float for the 16-bit floats,
/// the storage type otherwise.
std::string computeCType(Type element);
/// The runtime's element type, or nothing when the runtime cannot read or
/// write `element`.
std::optional<pprt::DType> runtimeDType(Type element);
/// Bytes per stored element.
unsigned elementBytes(Type element);

/// Element `index` of a constant, as a literal of its compute type.
std::string literal(DenseElementsAttr value, int64_t index);
/// A double as a literal of `element`'s compute type.
std::string literal(double value, Type element);

} // namespace mlir::pp

#endif // PP_LIB_TARGET_CTYPES_H
