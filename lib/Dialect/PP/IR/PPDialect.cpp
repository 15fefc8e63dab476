//===- PPDialect.cpp - pp dialect registration ---------------------------===//
//
// Registers attributes and ops, and holds the ODS-generated definitions.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "CustomDirectives.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::pp;

#include "pp/Dialect/PP/IR/PPDialect.cpp.inc"
#include "pp/Dialect/PP/IR/PPEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "pp/Dialect/PP/IR/PPAttrs.cpp.inc"

#include "pp/Dialect/PP/IR/PPDimRulesInterface.cpp.inc"
#include "pp/Dialect/PP/IR/PPGradientInterface.cpp.inc"

#define GET_OP_CLASSES
#include "pp/Dialect/PP/IR/PPOps.cpp.inc"

void PPDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "pp/Dialect/PP/IR/PPAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "pp/Dialect/PP/IR/PPOps.cpp.inc"
      >();
}

Operation *PPDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
