//===- CustomDirectives.h - custom<...> pieces of pp op syntax --*- C++ -*-===//
//
// Shared by the op definitions generated into PPDialect.cpp; each is defined
// next to the ops that use it.
//
//===----------------------------------------------------------------------===//

#ifndef PP_LIB_DIALECT_PP_IR_CUSTOMDIRECTIVES_H
#define PP_LIB_DIALECT_PP_IR_CUSTOMDIRECTIVES_H

#include "mlir/IR/OpImplementation.h"

namespace mlir::pp {

/// `@mesh["axis", ...]` (PPCommOps.cpp).
ParseResult parseMeshGroup(OpAsmParser &parser, FlatSymbolRefAttr &mesh,
                           ArrayAttr &axes);
void printMeshGroup(OpAsmPrinter &printer, Operation *op,
                    FlatSymbolRefAttr mesh, ArrayAttr axes);

/// `lower` or `upper` (PPGraphOps.cpp).
ParseResult parseTriangleKind(OpAsmParser &parser, UnitAttr &upper);
void printTriangleKind(OpAsmPrinter &printer, Operation *op, UnitAttr upper);

} // namespace mlir::pp

#endif // PP_LIB_DIALECT_PP_IR_CUSTOMDIRECTIVES_H
