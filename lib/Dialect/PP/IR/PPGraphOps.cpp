//===- PPGraphOps.cpp - verification of the tensor graph ops -------------===//
//
// Shape and type rules of the graph ops. The importer computes result types
// itself and reports problems against ONNX node names; these verifiers keep
// every later pass honest.
//
//===----------------------------------------------------------------------===//

#include "CustomDirectives.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::pp;

static ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getShape();
}
static Type elementTypeOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getElementType();
}

static LogicalResult checkDimInRange(Operation *op, StringRef what,
                                     int64_t dim, int64_t rank) {
  if (dim < 0 || dim >= rank)
    return op->emitOpError() << what << " " << dim
                             << " out of range for a rank-" << rank
                             << " tensor";
  return success();
}

static LogicalResult checkShape(Operation *op, ArrayRef<int64_t> actual,
                                ArrayRef<int64_t> expected) {
  if (actual == expected)
    return success();
  return op->emitOpError() << "result shape " << shapeToString(actual)
                           << " should be " << shapeToString(expected);
}

static LogicalResult checkSameElementType(Operation *op, Value a, Value b) {
  if (elementTypeOf(a) == elementTypeOf(b))
    return success();
  return op->emitOpError() << "element types differ: " << elementTypeOf(a)
                           << " and " << elementTypeOf(b);
}

//===----------------------------------------------------------------------===//
// Elementwise trait
//===----------------------------------------------------------------------===//

LogicalResult mlir::pp::verifyElementwiseOp(Operation *op) {
  SmallVector<int64_t> shape;
  for (Value operand : op->getOperands()) {
    auto merged = broadcastShapes(shape, shapeOf(operand));
    if (!merged)
      return op->emitOpError()
             << "operand shapes " << shapeToString(shape) << " and "
             << shapeToString(shapeOf(operand)) << " do not broadcast";
    shape = *merged;
  }
  Value result = op->getResult(0);
  if (failed(checkShape(op, shapeOf(result), shape)))
    return failure();

  Type i1 = IntegerType::get(op->getContext(), 1);
  auto values = op->getOperands();
  if (isa<SelectOp>(op)) {
    if (elementTypeOf(values[0]) != i1)
      return op->emitOpError("condition must have i1 elements");
    values = values.drop_front();
  }
  if (isa<CastOp>(op))
    return success();
  for (Value v : values)
    if (failed(checkSameElementType(op, values[0], v)))
      return failure();
  bool logical = isa<AndOp, OrOp, NotOp>(op);
  if (logical && elementTypeOf(values[0]) != i1)
    return op->emitOpError("needs i1 operands");
  bool comparison = isa<EqualOp, LessOp, GreaterOp>(op);
  Type expected = comparison ? i1 : elementTypeOf(values[0]);
  if (elementTypeOf(result) != expected)
    return op->emitOpError() << "result element type should be " << expected;
  return success();
}

//===----------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  if (getOffsetAttr().getInt() < 0)
    return emitOpError() << "offset " << getOffsetAttr().getInt()
                         << " is negative";
  if (getFile().empty())
    return emitOpError("names no file");
  // The emitter sizes the bytes to read from this type.
  if (std::optional<Type> fileType = getFileElementType())
    if (!fileType->isIntOrFloat())
      return emitOpError() << "file element type must be an integer or "
                              "floating-point type, got "
                           << *fileType;
  std::optional<ArrayRef<int64_t>> fileShape = getFileShape();
  std::optional<ArrayRef<int64_t>> starts = getRegionStarts();
  if (!fileShape && !starts)
    return success();
  if (!fileShape || !starts)
    return emitOpError("needs both file_shape and region_starts, or neither");
  int64_t rank = shapeOf(getResult()).size();
  if (int64_t(fileShape->size()) != rank || int64_t(starts->size()) != rank)
    return emitOpError() << "file_shape has " << fileShape->size()
                         << " dims and region_starts " << starts->size()
                         << "; both need the result's rank " << rank;
  for (int64_t d = 0; d < rank; ++d) {
    if ((*fileShape)[d] < 0)
      return emitOpError() << "file_shape dim " << d << " is negative";
    if ((*starts)[d] < 0)
      return emitOpError() << "region_starts dim " << d << " is negative";
  }
  // A sharded weight's global shape needs the mesh: verifySymbolUses.
  if (getSharding())
    return success();
  return verifyRegion(shapeOf(getResult()));
}

/// The block at region_starts with shape `global` must lie inside the file
/// tensor.
LogicalResult WeightOp::verifyRegion(ArrayRef<int64_t> global) {
  ArrayRef<int64_t> fileShape = *getFileShape(), starts = *getRegionStarts();
  auto list = [](ArrayRef<int64_t> values) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "[";
    llvm::interleaveComma(values, os);
    os << "]";
    return text;
  };
  for (auto [d, size] : llvm::enumerate(global))
    if (starts[d] + size > fileShape[d])
      return emitOpError() << "region " << list(global) << " at "
                           << list(starts)
                           << " does not fit in the file tensor "
                           << list(fileShape) << " (dim " << d << ")";
  return success();
}

FailureOr<SmallVector<int64_t>>
WeightOp::getGlobalShape(SymbolTableCollection &tables) {
  ShardingAttr sharding = getShardingAttr();
  if (!sharding)
    return SmallVector<int64_t>(shapeOf(getResult()));
  auto mesh = tables.lookupNearestSymbolFrom<MeshOp>(*this, sharding.getMesh());
  if (!mesh)
    return emitOpError() << "sharding names '" << sharding.getMesh()
                         << "', which is not a pp.mesh";
  return sharding.getGlobalShape(shapeOf(getResult()), mesh,
                                 [&] { return emitOpError(); });
}

/// A sharded weight needs the mesh for its global shape, and a sharded
/// region must fit in the file at that shape.
LogicalResult WeightOp::verifySymbolUses(SymbolTableCollection &tables) {
  if (!getSharding())
    return success();
  FailureOr<SmallVector<int64_t>> global = getGlobalShape(tables);
  if (failed(global))
    return failure();
  if (!getFileShape() || !getRegionStarts())
    return success();
  return verifyRegion(*global);
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalisation
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  ArrayRef<int64_t> a = shapeOf(getLhs()), b = shapeOf(getRhs());
  if (a.size() < 2 || b.size() < 2)
    return emitOpError("operands need rank 2 or more");
  if (failed(checkSameElementType(*this, getLhs(), getRhs())) ||
      failed(checkSameElementType(*this, getLhs(), getResult())))
    return failure();
  int64_t k = a.back(), kb = b[b.size() - 2];
  if (k != kb)
    return emitOpError() << "inner dims " << k << " and " << kb
                         << " do not match";
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (!batch)
    return emitOpError("batch dims do not broadcast");
  SmallVector<int64_t> expected = *batch;
  expected.push_back(a[a.size() - 2]);
  expected.push_back(b.back());
  return checkShape(*this, shapeOf(getResult()), expected);
}

LogicalResult SoftmaxOp::verify() {
  return checkDimInRange(*this, "dim", getDimAttr().getInt(),
                         shapeOf(getInput()).size());
}

LogicalResult LayerNormOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  int64_t dim = getDimAttr().getInt();
  if (failed(checkDimInRange(*this, "dim", dim, shape.size())) ||
      failed(checkSameElementType(*this, getInput(), getScale())) ||
      (getBias() &&
       failed(checkSameElementType(*this, getInput(), getBias()))) ||
      failed(checkSameElementType(*this, getInput(), getResult())) ||
      failed(checkShape(*this, shapeOf(getResult()), shape)))
    return failure();
  ArrayRef<int64_t> normalized = shape.drop_front(dim);
  if (shapeOf(getScale()) != normalized ||
      (getBias() && shapeOf(getBias()) != normalized))
    return emitOpError() << "scale and bias must have shape "
                         << shapeToString(normalized);
  return success();
}

LogicalResult ReduceOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  ArrayRef<int64_t> dims = getDims();
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (failed(checkDimInRange(*this, "dim", dim, shape.size())))
      return failure();
    if (i > 0 && dims[i - 1] >= dim)
      return emitOpError("dims must be sorted and unique");
  }
  SmallVector<int64_t> expected;
  for (auto [i, size] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(dims, int64_t(i)))
      expected.push_back(size);
    else if (getKeepdims())
      expected.push_back(1);
  }
  if (failed(checkSameElementType(*this, getInput(), getResult())))
    return failure();
  return checkShape(*this, shapeOf(getResult()), expected);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (failed(checkSameElementType(*this, getInput(), getResult())))
    return failure();
  int64_t in = numElements(shapeOf(getInput()));
  int64_t out = numElements(shapeOf(getResult()));
  if (in != out)
    return emitOpError() << "cannot reshape " << in << " elements into "
                         << out;
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != shape.size())
    return emitOpError() << "perm has " << perm.size()
                         << " entries for a rank-" << shape.size()
                         << " tensor";
  SmallVector<bool> seen(shape.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(shape.size()) || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    expected.push_back(shape[p]);
  }
  if (failed(checkSameElementType(*this, getInput(), getResult())))
    return failure();
  return checkShape(*this, shapeOf(getResult()), expected);
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  if (getStarts().size() != in.size() || getSteps().size() != in.size() ||
      out.size() != in.size())
    return emitOpError("starts, steps and result need the input's rank");
  if (failed(checkSameElementType(*this, getInput(), getResult())))
    return failure();
  for (size_t d = 0; d < in.size(); ++d) {
    int64_t start = getStarts()[d], step = getSteps()[d];
    if (step == 0)
      return emitOpError() << "step of dim " << d << " is zero";
    if (out[d] == 0)
      continue;
    // Huge steps must not wrap around into range: every element between
    // the first and the last is read, not just those two.
    int64_t offset, last;
    if (llvm::MulOverflow(out[d] - 1, step, offset) ||
        llvm::AddOverflow(start, offset, last))
      return emitOpError() << "dim " << d << " overflows 64-bit indices (start "
                           << start << ", step " << step << ", " << out[d]
                           << " elements)";
    if (start < 0 || start >= in[d] || last < 0 || last >= in[d])
      return emitOpError() << "dim " << d << " reads elements " << start
                           << ".." << last << " of " << in[d];
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  ArrayRef<int64_t> first = shapeOf(getInputs()[0]);
  int64_t dim = getDimAttr().getInt();
  if (failed(checkDimInRange(*this, "dim", dim, first.size())))
    return failure();
  SmallVector<int64_t> expected(first);
  expected[dim] = 0;
  for (Value input : getInputs()) {
    ArrayRef<int64_t> shape = shapeOf(input);
    if (failed(checkSameElementType(*this, getInputs()[0], input)))
      return failure();
    if (shape.size() != first.size())
      return emitOpError("inputs have different ranks");
    for (size_t d = 0; d < shape.size(); ++d)
      if (int64_t(d) != dim && shape[d] != first[d])
        return emitOpError() << "inputs differ in dim " << d << " ("
                             << first[d] << " vs " << shape[d] << ")";
    expected[dim] += shape[dim];
  }
  if (failed(checkSameElementType(*this, getInputs()[0], getResult())))
    return failure();
  return checkShape(*this, shapeOf(getResult()), expected);
}

/// What gather and scatter_add share: `dim` in range for `table`, i64
/// indices, and `picked` (gather's result, scatter's updates) of the
/// table's element type. Returns the shape `picked` must have,
/// table[:dim] ++ indices ++ table[dim+1:].
static FailureOr<SmallVector<int64_t>>
verifyIndexed(Operation *op, Value table, Value indices, Value picked,
              int64_t dim) {
  ArrayRef<int64_t> shape = shapeOf(table);
  if (failed(checkDimInRange(op, "dim", dim, shape.size())))
    return failure();
  if (!elementTypeOf(indices).isInteger(64))
    return op->emitOpError("indices must be i64");
  if (failed(checkSameElementType(op, table, picked)))
    return failure();
  SmallVector<int64_t> expected(shape.take_front(dim));
  llvm::append_range(expected, shapeOf(indices));
  llvm::append_range(expected, shape.drop_front(dim + 1));
  return expected;
}

LogicalResult GatherOp::verify() {
  auto expected = verifyIndexed(*this, getInput(), getIndices(), getResult(),
                                getDimAttr().getInt());
  if (failed(expected))
    return failure();
  return checkShape(*this, shapeOf(getResult()), *expected);
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  auto merged = broadcastShapes(in, out);
  if (!merged || ArrayRef<int64_t>(*merged) != out)
    return emitOpError() << "cannot broadcast " << shapeToString(in)
                         << " to " << shapeToString(out);
  return checkSameElementType(*this, getInput(), getResult());
}

LogicalResult TriluOp::verify() {
  if (shapeOf(getInput()).size() < 2)
    return emitOpError("needs rank 2 or more");
  return success();
}

ParseResult mlir::pp::parseTriangleKind(OpAsmParser &parser, UnitAttr &upper) {
  if (succeeded(parser.parseOptionalKeyword("upper"))) {
    upper = parser.getBuilder().getUnitAttr();
    return success();
  }
  return parser.parseKeyword("lower");
}

void mlir::pp::printTriangleKind(OpAsmPrinter &printer, Operation *,
                                 UnitAttr upper) {
  printer << (upper ? "upper" : "lower");
}

LogicalResult RmsNormOp::verify() {
  ArrayRef<int64_t> shape = shapeOf(getInput());
  if (shape.empty())
    return emitOpError("needs rank 1 or more");
  if (failed(checkSameElementType(*this, getInput(), getScale())) ||
      failed(checkShape(*this, shapeOf(getResult()), shape)))
    return failure();
  if (shapeOf(getScale()) != shape.take_back())
    return emitOpError() << "scale must have shape "
                         << shapeToString(shape.take_back());
  return success();
}

LogicalResult ScatterAddOp::verify() {
  auto expected = verifyIndexed(*this, getResult(), getIndices(), getUpdates(),
                                getDimAttr().getInt());
  if (failed(expected))
    return failure();
  if (shapeOf(getUpdates()) != ArrayRef<int64_t>(*expected))
    return emitOpError() << "updates shape "
                         << shapeToString(shapeOf(getUpdates()))
                         << " should be " << shapeToString(*expected);
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  ArrayRef<int64_t> logits = shapeOf(getLogits());
  if (logits.empty())
    return emitOpError("logits need rank 1 or more");
  if (!isa<FloatType>(elementTypeOf(getLogits())))
    return emitOpError("logits must be floats");
  if (!elementTypeOf(getLabels()).isInteger(64))
    return emitOpError("labels must be i64");
  if (shapeOf(getLabels()) != logits.drop_back())
    return emitOpError() << "labels shape "
                         << shapeToString(shapeOf(getLabels()))
                         << " should be "
                         << shapeToString(logits.drop_back());
  if (failed(checkSameElementType(*this, getLogits(), getResult())))
    return failure();
  return checkShape(*this, shapeOf(getResult()), {});
}
