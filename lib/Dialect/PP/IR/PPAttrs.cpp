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

/// How many ranks share each dim of a rank-`rank` result: the product of
/// the sizes of the mesh axes that split it.
static FailureOr<SmallVector<int64_t>>
shardCounts(ShardingAttr sharding, size_t rank, MeshOp mesh,
            function_ref<InFlightDiagnostic()> emitError) {
  if (sharding.getDimAxes().size() != rank)
    return emitError() << "sharding has " << sharding.getDimAxes().size()
                       << " dims for a rank-" << rank << " result";
  SmallVector<int64_t> counts(rank, 1);
  for (size_t d = 0; d < rank; ++d)
    for (StringRef axis : sharding.getAxesOfDim(d)) {
      int64_t index = mesh.getAxisIndex(axis);
      if (index < 0)
        return emitError() << "sharding names axis '" << axis
                           << "', which mesh @" << mesh.getSymName()
                           << " does not have";
      counts[d] *= mesh.getShape()[index];
    }
  return counts;
}

/// `shape` with each dim multiplied (to the global shape) or divided (to
/// one rank's block) by the number of ranks that share it.
static FailureOr<SmallVector<int64_t>>
rescale(ShardingAttr sharding, ArrayRef<int64_t> shape, MeshOp mesh,
        function_ref<InFlightDiagnostic()> emitError, bool toGlobal) {
  FailureOr<SmallVector<int64_t>> counts =
      shardCounts(sharding, shape.size(), mesh, emitError);
  if (failed(counts))
    return failure();
  SmallVector<int64_t> result(shape);
  for (auto [d, count] : llvm::enumerate(*counts)) {
    if (toGlobal) {
      result[d] *= count;
      continue;
    }
    if (result[d] % count != 0)
      return emitError() << "cannot split dim " << d << " of size "
                         << result[d] << " over " << count << " ranks";
    result[d] /= count;
  }
  return result;
}

FailureOr<SmallVector<int64_t>> ShardingAttr::getGlobalShape(
    ArrayRef<int64_t> local, MeshOp mesh,
    function_ref<InFlightDiagnostic()> emitError) const {
  return rescale(*this, local, mesh, emitError, /*toGlobal=*/true);
}

FailureOr<SmallVector<int64_t>> ShardingAttr::getLocalShape(
    ArrayRef<int64_t> global, MeshOp mesh,
    function_ref<InFlightDiagnostic()> emitError) const {
  return rescale(*this, global, mesh, emitError, /*toGlobal=*/false);
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
