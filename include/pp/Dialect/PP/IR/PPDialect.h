//===- PPDialect.h - pp dialect ---------------------------------*- C++ -*-===//
//
// The one header to include for the pp dialect, its attributes and ops.
//
//===----------------------------------------------------------------------===//

#ifndef PP_DIALECT_PP_IR_PPDIALECT_H
#define PP_DIALECT_PP_IR_PPDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "pp/Dialect/PP/IR/DimRules.h"
#include "pp/Dialect/PP/IR/PPTraits.h"

#include "pp/Dialect/PP/IR/PPEnums.h.inc"

namespace mlir::pp {
class MeshOp; // #pp.sharding computes shapes over a mesh
} // namespace mlir::pp

#define GET_ATTRDEF_CLASSES
#include "pp/Dialect/PP/IR/PPAttrs.h.inc"

// After the attributes: the dialect's typed helpers for its discardable
// attributes name them.
#include "pp/Dialect/PP/IR/PPDialect.h.inc"

#include "pp/Dialect/PP/IR/PPDimRulesInterface.h.inc"
#include "pp/Dialect/PP/IR/PPGradientInterface.h.inc"

#define GET_OP_CLASSES
#include "pp/Dialect/PP/IR/PPOps.h.inc"

#endif // PP_DIALECT_PP_IR_PPDIALECT_H
