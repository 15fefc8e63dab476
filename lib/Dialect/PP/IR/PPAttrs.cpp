//===- PPAttrs.cpp - pp dialect attributes -------------------------------===//
//
// Parsing, printing and verification of #pp.sharding and #pp.stage.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::pp;

//===----------------------------------------------------------------------===//
// ShardingAttr
//===----------------------------------------------------------------------===//

// #pp.sharding<@mesh, [[axes of dim 0], ...] (, partial KIND [axes])?>
Attribute ShardingAttr::parse(AsmParser &parser, Type) {
  FlatSymbolRefAttr mesh;
  ArrayAttr dims;
  if (parser.parseLess() || parser.parseAttribute(mesh) ||
      parser.parseComma() || parser.parseAttribute(dims))
    return {};
  SmallVector<ArrayAttr> dimAxes;
  for (Attribute dim : dims) {
    auto axes = llvm::dyn_cast<ArrayAttr>(dim);
    if (!axes) {
      parser.emitError(parser.getCurrentLocation(),
                       "each dimension needs a list of mesh axes");
      return {};
    }
    dimAxes.push_back(axes);
  }
  ArrayAttr partialAxes;
  ReductionKind kind = ReductionKind::sum;
  if (succeeded(parser.parseOptionalComma())) {
    StringRef kindName;
    if (parser.parseKeyword("partial") || parser.parseKeyword(&kindName))
      return {};
    std::optional<ReductionKind> parsed = symbolizeReductionKind(kindName);
    if (!parsed) {
      parser.emitError(parser.getCurrentLocation(), "unknown reduction '")
          << kindName << "'";
      return {};
    }
    kind = *parsed;
    if (parser.parseAttribute(partialAxes))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<ShardingAttr>(parser.getContext(), mesh,
                                         ArrayRef<ArrayAttr>(dimAxes),
                                         partialAxes, kind);
}

void ShardingAttr::print(AsmPrinter &printer) const {
  printer << "<" << getMesh() << ", [";
  llvm::interleaveComma(getDimAxes(), printer,
                        [&](ArrayAttr axes) { printer.printAttribute(axes); });
  printer << "]";
  if (getPartialAxes() && !getPartialAxes().empty()) {
    printer << ", partial " << stringifyReductionKind(getPartialKind()) << " ";
    printer.printAttribute(getPartialAxes());
  }
  printer << ">";
}

LogicalResult
ShardingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     FlatSymbolRefAttr mesh, ArrayRef<ArrayAttr> dimAxes,
                     ArrayAttr partialAxes, ReductionKind) {
  llvm::StringSet<> seen;
  auto checkAxes = [&](ArrayAttr axes) -> LogicalResult {
    for (Attribute axis : axes) {
      auto name = llvm::dyn_cast<StringAttr>(axis);
      if (!name)
        return emitError() << "mesh axes must be strings, got " << axis;
      if (!seen.insert(name.getValue()).second)
        return emitError() << "mesh axis '" << name.getValue()
                           << "' is used more than once in a sharding";
    }
    return success();
  };
  for (ArrayAttr axes : dimAxes)
    if (failed(checkAxes(axes)))
      return failure();
  if (partialAxes && failed(checkAxes(partialAxes)))
    return failure();
  return success();
}

bool ShardingAttr::isReplicated() const {
  if (getPartialAxes() && !getPartialAxes().empty())
    return false;
  return llvm::all_of(getDimAxes(), [](ArrayAttr a) { return a.empty(); });
}

SmallVector<StringRef> ShardingAttr::getAxesOfDim(unsigned dim) const {
  SmallVector<StringRef> names;
  for (Attribute axis : getDimAxes()[dim])
    names.push_back(llvm::cast<StringAttr>(axis).getValue());
  return names;
}

//===----------------------------------------------------------------------===//
// StageAttr
//===----------------------------------------------------------------------===//

LogicalResult StageAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t index) {
  if (index < 0)
    return emitError() << "stage index " << index << " is negative";
  return success();
}
