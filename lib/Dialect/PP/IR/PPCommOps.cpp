//===- PPCommOps.cpp - mesh and communication ops ------------------------===//
//
// Custom syntax and verification of pp.mesh and the communication ops. Rules
// that need the group size run in verifySymbolUses, once the mesh is known.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "CustomDirectives.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::pp;

//===----------------------------------------------------------------------===//
// `@mesh["axis", ...]`, shared by every communication op.
//===----------------------------------------------------------------------===//

ParseResult mlir::pp::parseMeshGroup(OpAsmParser &parser,
                                     FlatSymbolRefAttr &mesh, ArrayAttr &axes) {
  SmallVector<Attribute> names;
  if (parser.parseAttribute(mesh) ||
      parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square, [&] {
        std::string name;
        if (parser.parseString(&name))
          return failure();
        names.push_back(parser.getBuilder().getStringAttr(name));
        return success();
      }))
    return failure();
  axes = parser.getBuilder().getArrayAttr(names);
  return success();
}

void mlir::pp::printMeshGroup(OpAsmPrinter &printer, Operation *,
                              FlatSymbolRefAttr mesh, ArrayAttr axes) {
  printer << mesh << "[";
  llvm::interleaveComma(axes, printer, [&](Attribute axis) {
    printer.printString(llvm::cast<StringAttr>(axis).getValue());
  });
  printer << "]";
}

//===----------------------------------------------------------------------===//
// MeshOp
//===----------------------------------------------------------------------===//

// pp.mesh @name ["axis" = size, ...] attr-dict
ParseResult MeshOp::parse(OpAsmParser &parser, OperationState &result) {
  StringAttr name;
  SmallVector<Attribute> axes;
  SmallVector<int64_t> shape;
  if (parser.parseSymbolName(name, getSymNameAttrName(result.name),
                             result.attributes) ||
      parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square, [&] {
        std::string axis;
        int64_t size = 0;
        if (parser.parseString(&axis) || parser.parseEqual() ||
            parser.parseInteger(size))
          return failure();
        axes.push_back(parser.getBuilder().getStringAttr(axis));
        shape.push_back(size);
        return success();
      }) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  Builder &b = parser.getBuilder();
  result.addAttribute(getAxesAttrName(result.name), b.getArrayAttr(axes));
  result.addAttribute(getShapeAttrName(result.name),
                      b.getDenseI64ArrayAttr(shape));
  return success();
}

void MeshOp::print(OpAsmPrinter &printer) {
  printer << " ";
  printer.printSymbolName(getSymName());
  printer << " [";
  llvm::interleaveComma(llvm::zip(getAxes(), getShape()), printer,
                        [&](auto axisAndSize) {
                          auto [axis, size] = axisAndSize;
                          printer.printString(
                              llvm::cast<StringAttr>(axis).getValue());
                          printer << " = " << size;
                        });
  printer << "]";
  printer.printOptionalAttrDict((*this)->getAttrs(),
                                {getSymNameAttrName(), getAxesAttrName(),
                                 getShapeAttrName()});
}

LogicalResult MeshOp::verify() {
  if (getAxes().empty())
    return emitOpError("needs at least one axis");
  if (getAxes().size() != getShape().size())
    return emitOpError() << "has " << getAxes().size() << " axis names but "
                         << getShape().size() << " sizes";
  llvm::StringSet<> seen;
  for (auto [axis, size] : llvm::zip(getAxes(), getShape())) {
    StringRef name = llvm::cast<StringAttr>(axis).getValue();
    if (name.empty())
      return emitOpError("axis names must not be empty");
    if (!seen.insert(name).second)
      return emitOpError() << "axis '" << name << "' is declared twice";
    if (size < 1)
      return emitOpError() << "axis '" << name << "' has size " << size
                           << "; sizes must be at least 1";
  }
  return success();
}

int64_t MeshOp::getNumRanks() {
  int64_t n = 1;
  for (int64_t size : getShape())
    n *= size;
  return n;
}

int64_t MeshOp::getAxisIndex(StringRef name) {
  for (auto [index, axis] : llvm::enumerate(getAxes()))
    if (llvm::cast<StringAttr>(axis).getValue() == name)
      return index;
  return -1;
}

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

/// Resolves `mesh` and `axes` of a communication op to the size of its group,
/// then runs the op's own group-size rules.
template <typename CommOp>
static LogicalResult verifyGroup(CommOp op, SymbolTableCollection &tables) {
  auto mesh = tables.lookupNearestSymbolFrom<MeshOp>(op, op.getMeshAttr());
  if (!mesh)
    return op.emitOpError() << "'@" << op.getMesh()
                            << "' does not name a pp.mesh";
  if (op.getAxes().empty())
    return op.emitOpError("names no mesh axes to form a group over");
  int64_t groupSize = 1;
  llvm::StringSet<> seen;
  for (Attribute axis : op.getAxes()) {
    StringRef name = llvm::cast<StringAttr>(axis).getValue();
    int64_t index = mesh.getAxisIndex(name);
    if (index < 0) {
      InFlightDiagnostic diag = op.emitOpError()
                                << "mesh @" << mesh.getSymName()
                                << " has no axis '" << name << "' (axes: ";
      llvm::interleaveComma(mesh.getAxes(), diag, [&](Attribute a) {
        diag << llvm::cast<StringAttr>(a).getValue();
      });
      return diag << ")";
    }
    if (!seen.insert(name).second)
      return op.emitOpError() << "axis '" << name << "' is listed twice";
    groupSize *= mesh.getShape()[index];
  }
  return op.verifyWithGroup(groupSize);
}

static LogicalResult checkDim(Operation *op, StringRef what, int64_t dim,
                              RankedTensorType type) {
  if (dim < 0 || dim >= type.getRank())
    return op->emitOpError() << what << " " << dim
                             << " out of range for a rank-" << type.getRank()
                             << " tensor";
  return success();
}

static LogicalResult checkSameElementType(Operation *op, Type input,
                                          Type result) {
  Type in = llvm::cast<ShapedType>(input).getElementType();
  Type out = llvm::cast<ShapedType>(result).getElementType();
  if (in != out)
    return op->emitOpError() << "result element type " << out
                             << " differs from input element type " << in;
  return success();
}

static LogicalResult checkReductionType(Operation *op, ReductionKind kind,
                                        Type input) {
  Type element = llvm::cast<ShapedType>(input).getElementType();
  if (kind == ReductionKind::avg && !llvm::isa<FloatType>(element))
    return op->emitOpError()
           << "reduction 'avg' needs a floating-point element type, got "
           << element;
  return success();
}

/// The result must have `expected` as its shape; `why` explains the rule.
static LogicalResult checkResultShape(Operation *op, Type result,
                                      ArrayRef<int64_t> expected,
                                      const Twine &why) {
  ArrayRef<int64_t> actual = llvm::cast<ShapedType>(result).getShape();
  if (actual == expected)
    return success();
  return op->emitOpError() << "result shape " << shapeToString(actual)
                           << " should be " << shapeToString(expected) << " ("
                           << why << ")";
}

static LogicalResult checkDivisible(Operation *op, RankedTensorType type,
                                    int64_t dim, int64_t groupSize) {
  if (type.getDimSize(dim) % groupSize != 0)
    return op->emitOpError()
           << "dim " << dim << " of size " << type.getDimSize(dim)
           << " does not divide by the group size " << groupSize;
  return success();
}

static LogicalResult checkPeer(Operation *op, int64_t peer,
                               int64_t groupSize) {
  if (peer < 0 || peer >= groupSize)
    return op->emitOpError() << "peer " << peer
                             << " out of range for group of " << groupSize;
  return success();
}

static LogicalResult checkTag(Operation *op, int64_t tag) {
  if (tag < 0)
    return op->emitOpError() << "tag " << tag << " is negative";
  return success();
}

//===----------------------------------------------------------------------===//
// SendOp / RecvOp
//===----------------------------------------------------------------------===//

LogicalResult SendOp::verify() {
  return checkTag(*this, getTagAttr().getInt());
}
LogicalResult SendOp::verifyWithGroup(int64_t groupSize) {
  return checkPeer(*this, getPeerAttr().getInt(), groupSize);
}
LogicalResult SendOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

LogicalResult RecvOp::verify() {
  return checkTag(*this, getTagAttr().getInt());
}
LogicalResult RecvOp::verifyWithGroup(int64_t groupSize) {
  return checkPeer(*this, getPeerAttr().getInt(), groupSize);
}
LogicalResult RecvOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

//===----------------------------------------------------------------------===//
// AllReduceOp
//===----------------------------------------------------------------------===//

LogicalResult AllReduceOp::verify() {
  return checkReductionType(*this, getKind(), getInput().getType());
}
LogicalResult AllReduceOp::verifyWithGroup(int64_t) { return success(); }
LogicalResult AllReduceOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

//===----------------------------------------------------------------------===//
// AllGatherOp
//===----------------------------------------------------------------------===//

LogicalResult AllGatherOp::verify() {
  auto type = llvm::cast<RankedTensorType>(getInput().getType());
  return failure(
      failed(checkDim(*this, "dim", getDimAttr().getInt(), type)) ||
      failed(checkSameElementType(*this, type, getResult().getType())));
}
LogicalResult AllGatherOp::verifyWithGroup(int64_t groupSize) {
  auto type = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t dim = getDimAttr().getInt();
  SmallVector<int64_t> expected(type.getShape());
  expected[dim] *= groupSize;
  return checkResultShape(*this, getResult().getType(), expected,
                          "gathering dim " + Twine(dim) + " over a group of " +
                              Twine(groupSize));
}
LogicalResult AllGatherOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

//===----------------------------------------------------------------------===//
// ReduceScatterOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceScatterOp::verify() {
  auto type = llvm::cast<RankedTensorType>(getInput().getType());
  return failure(
      failed(checkDim(*this, "dim", getDimAttr().getInt(), type)) ||
      failed(checkSameElementType(*this, type, getResult().getType())) ||
      failed(checkReductionType(*this, getKind(), type)));
}
/// Ops that leave each rank 1/groupSize of dim `dim` (reduce_scatter,
/// all_slice): the dim must divide, and the result is the input shrunk.
static LogicalResult checkShrunkDim(Operation *op, Value input, Value result,
                                    int64_t dim, int64_t groupSize,
                                    StringRef verb) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  if (failed(checkDivisible(op, type, dim, groupSize)))
    return failure();
  SmallVector<int64_t> expected(type.getShape());
  expected[dim] /= groupSize;
  return checkResultShape(op, result.getType(), expected,
                          verb + " dim " + Twine(dim) + " over a group of " +
                              Twine(groupSize));
}

LogicalResult ReduceScatterOp::verifyWithGroup(int64_t groupSize) {
  return checkShrunkDim(*this, getInput(), getResult(),
                        getDimAttr().getInt(), groupSize, "scattering");
}
LogicalResult
ReduceScatterOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

//===----------------------------------------------------------------------===//
// AllToAllOp
//===----------------------------------------------------------------------===//

LogicalResult AllToAllOp::verify() {
  auto type = llvm::cast<RankedTensorType>(getInput().getType());
  return failure(
      failed(checkDim(*this, "split dim", getSplitDimAttr().getInt(), type)) ||
      failed(
          checkDim(*this, "concat dim", getConcatDimAttr().getInt(), type)) ||
      failed(checkSameElementType(*this, type, getResult().getType())));
}
LogicalResult AllToAllOp::verifyWithGroup(int64_t groupSize) {
  auto type = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t split = getSplitDimAttr().getInt();
  int64_t concat = getConcatDimAttr().getInt();
  if (failed(checkDivisible(*this, type, split, groupSize)))
    return failure();
  SmallVector<int64_t> expected(type.getShape());
  expected[split] /= groupSize;
  expected[concat] *= groupSize;
  return checkResultShape(*this, getResult().getType(), expected,
                          "moving a split of dim " + Twine(split) +
                              " to dim " + Twine(concat) + " over a group of " +
                              Twine(groupSize));
}
LogicalResult AllToAllOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

//===----------------------------------------------------------------------===//
// AllSliceOp
//===----------------------------------------------------------------------===//

LogicalResult AllSliceOp::verify() {
  auto type = llvm::cast<RankedTensorType>(getInput().getType());
  return failure(
      failed(checkDim(*this, "dim", getDimAttr().getInt(), type)) ||
      failed(checkSameElementType(*this, type, getResult().getType())));
}
LogicalResult AllSliceOp::verifyWithGroup(int64_t groupSize) {
  return checkShrunkDim(*this, getInput(), getResult(),
                        getDimAttr().getInt(), groupSize, "slicing");
}
LogicalResult AllSliceOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}

//===----------------------------------------------------------------------===//
// GroupIndexOp
//===----------------------------------------------------------------------===//

LogicalResult GroupIndexOp::verifyWithGroup(int64_t) { return success(); }
LogicalResult GroupIndexOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyGroup(*this, tables);
}
