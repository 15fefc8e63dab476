//===- OpsIndex.cpp - index-computing ONNX ops composed of pp ops ---------===//
//
// CumSum, ArgMax/ArgMin, TopK, OneHot, GatherElements, ScatterElements and
// ScatterND. pp has no scan, sort or scatter op: CumSum becomes shifted
// adds, the others compares against an index grid (a constant 0..n-1 along
// one dim), selects and reductions. Values are picked with select, never
// multiplied by 0/1 masks, so a NaN or inf elsewhere does not leak into a
// result. Index arithmetic that needs a reduction runs in f32 (exact below
// 2^24), since the cuda target reduces floats only; indices come out int64.
//
//===----------------------------------------------------------------------===//

#include "Compose.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Indices reduce in f32, whose integers are exact up to 2^24.
constexpr int64_t kMaxIndexedDim = int64_t(1) << 24;

RankedTensorType typeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

/// The identity of `kind` in `like`'s type; -0 for float sums, so that
/// x + identity is x for every x, -0 included.
Value identity(Math &m, Value like, ReduceKind kind) {
  switch (kind) {
  case ReduceKind::max:
    return m.n.extremeLike(like, false);
  case ReduceKind::min:
    return m.n.extremeLike(like, true);
  case ReduceKind::prod:
    return m.c(like, 1);
  default:
    return m.c(like, isFloat(like) ? -0.0 : 0.0);
  }
}

/// Drops the size-1 dim `axis` (for keepdims = 0).
Value dropDim(NodeImporter &n, Value v, int64_t axis) {
  SmallVector<int64_t> shape(typeOf(v).getShape());
  shape.erase(shape.begin() + axis);
  return n.reshape(v, shape);
}

/// Integer indices as i64, negative ones counted from `size`.
Value wrapIndices(Math &m, Value indices, int64_t size) {
  Value i64 = m.n.cast(indices, m.n.builder.getI64Type());
  Value negative = m.less(i64, m.c(i64, 0));
  return m.select(negative, m.add(i64, m.c(i64, double(size))), i64);
}

FailureOr<int64_t> checkIndexedDim(NodeImporter &n, int64_t size) {
  if (size > kMaxIndexedDim)
    return n.error() << n.node.opType << " over a dim of " << size
                     << " elements is not supported (at most 2^24)";
  return size;
}

/// `v` shifted by `count` along `axis`: `fill` enters at the front and the
/// last `count` elements drop off.
Value shiftAlong(NodeImporter &n, Value v, int64_t axis, int64_t count,
                 double fill) {
  RankedTensorType type = typeOf(v);
  SmallVector<int64_t> padShape(type.getShape());
  padShape[axis] = count;
  auto padType = n.tensorType(padShape, type.getElementType());
  Value pad = n.create<BroadcastOp>(padType, n.scalarLike(v, fill));
  Value kept = n.sliceDim(v, axis, 0, type.getDimSize(axis) - count);
  return n.create<ConcatOp>(type, ValueRange{pad, kept},
                            n.builder.getI64IntegerAttr(axis));
}

/// The elements of `v` in reverse order along `axis`.
Value flip(NodeImporter &n, Value v, int64_t axis) {
  RankedTensorType type = typeOf(v);
  SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
  starts[axis] = type.getDimSize(axis) - 1;
  steps[axis] = -1;
  return n.create<SliceOp>(type, v, n.builder.getDenseI64ArrayAttr(starts),
                           n.builder.getDenseI64ArrayAttr(steps));
}

/// A prefix sum in log2(n) rounds of shifted adds (Hillis-Steele): after
/// the round with shift s each element holds the sum of the 2s elements
/// ending at it. Only elementwise adds, slices and concats, so it is exact
/// for integers (position ids from attention masks are int64) and needs no
/// reduction kernel on either target. reverse flips before and after;
/// exclusive shifts the inclusive sums by one.
LogicalResult importCumSum(NodeImporter &n) {
  Math m{n};
  RankedTensorType type = n.inputType(0);
  FailureOr<SmallVector<int64_t>> axisValues = n.intsInput(1, "axis");
  if (failed(axisValues))
    return failure();
  if (axisValues->size() != 1)
    return n.error() << "CumSum's axis must be a scalar";
  FailureOr<int64_t> axis = n.normalizeAxis((*axisValues)[0], type.getRank());
  if (failed(axis))
    return failure();
  bool exclusive = n.intAttr("exclusive", 0) != 0;
  bool reverse = n.intAttr("reverse", 0) != 0;
  int64_t size = type.getDimSize(*axis);
  Value x = n.input(0);
  if (size == 0) {
    n.setOutput(0, x);
    return success();
  }
  if (reverse)
    x = flip(n, x, *axis);
  // -0 is the identity of float addition (x + -0 is x, -0 included).
  double zero = isFloat(x) ? -0.0 : 0.0;
  for (int64_t shift = 1; shift < size; shift *= 2)
    x = m.add(x, shiftAlong(n, x, *axis, shift, zero));
  if (exclusive)
    x = shiftAlong(n, x, *axis, 1, 0.0);
  if (reverse)
    x = flip(n, x, *axis);
  n.setOutput(0, x);
  return success();
}

/// The first (or last) index along `axis` where `hit` holds, as f32 with
/// the dim kept.
Value firstIndex(Math &m, Value hit, int64_t axis, bool last) {
  int64_t rank = typeOf(hit).getRank(), size = typeOf(hit).getDimSize(axis);
  Value grid = m.n.iota(rank, axis, size, m.n.builder.getF32Type());
  Value none = m.c(grid, last ? -1.0 : double(size));
  return m.reduce(last ? ReduceKind::max : ReduceKind::min,
                  m.select(hit, grid, none), {axis});
}

/// Where x holds the extreme along `axis`; a NaN counts as the extreme, as
/// in numpy.
Value atExtreme(Math &m, Value x, Value extreme) {
  Value hit = m.equal(x, extreme);
  if (isFloat(x))
    hit = m.bin<OrOp>(hit, m.un<NotOp>(m.equal(x, x)));
  return hit;
}

template <ReduceKind Kind> LogicalResult importArgExtreme(NodeImporter &n) {
  Math m{n};
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", 0), type.getRank());
  if (failed(axis) || failed(checkIndexedDim(n, type.getDimSize(*axis))))
    return failure();
  Value extreme = m.reduce(Kind, x, {*axis});
  Value index = firstIndex(m, atExtreme(m, x, extreme), *axis,
                           n.intAttr("select_last_index", 0) != 0);
  index = n.cast(index, n.builder.getI64Type());
  if (n.intAttr("keepdims", 1) == 0)
    index = dropDim(n, index, *axis);
  n.setOutput(0, index);
  return success();
}

/// k rounds, each taking the extreme of the elements not yet taken and its
/// lowest index; ties therefore keep the lower index first, as ONNX asks.
/// The outputs are always sorted, which sorted = 0 allows.
LogicalResult importTopK(NodeImporter &n) {
  Math m{n};
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  FailureOr<SmallVector<int64_t>> kValues = n.intsInput(1, "K");
  if (failed(kValues))
    return failure();
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t size = type.getDimSize(*axis);
  if (failed(checkIndexedDim(n, size)))
    return failure();
  int64_t k = kValues->empty() ? -1 : (*kValues)[0];
  if (kValues->size() != 1 || k < 0 || k > size)
    return n.error() << "TopK's K must be one value in 0.." << size
                     << " (the size of axis " << *axis << ")";
  bool largest = n.intAttr("largest", 1) != 0;
  ReduceKind kind = largest ? ReduceKind::max : ReduceKind::min;
  Value grid = n.iota(type.getRank(), *axis, size, n.builder.getF32Type());
  Value worst = n.extremeLike(x, !largest);
  Value taken = n.constant(DenseElementsAttr::get(
      n.tensorType(type.getShape(), n.builder.getI1Type()), false));
  SmallVector<Value> values, indices;
  for (int64_t round = 0; round < k; ++round) {
    Value candidates = m.select(taken, worst, x);
    Value extreme = m.reduce(kind, candidates, {*axis});
    Value hit = m.bin<AndOp>(atExtreme(m, candidates, extreme),
                             m.un<NotOp>(taken));
    Value index = firstIndex(m, hit, *axis, /*last=*/false);
    taken = m.bin<OrOp>(taken, m.equal(grid, index));
    values.push_back(extreme);
    indices.push_back(index);
  }
  SmallVector<int64_t> shape(type.getShape());
  shape[*axis] = k;
  auto join = [&](ArrayRef<Value> parts, Type element) -> Value {
    if (parts.empty())
      return n.constant(DenseElementsAttr::get(
          n.tensorType(shape, element), n.builder.getZeroAttr(element)));
    return n.create<ConcatOp>(n.tensorType(shape, element), parts,
                              n.builder.getI64IntegerAttr(*axis));
  };
  n.setOutput(0, join(values, type.getElementType()));
  n.setOutput(1, n.cast(join(indices, n.builder.getF32Type()),
                        n.builder.getI64Type()));
  return success();
}

/// on where the (wrapped) index equals the position along the new axis,
/// off elsewhere; an index out of range gives a row of off.
LogicalResult importOneHot(NodeImporter &n) {
  Math m{n};
  RankedTensorType type = n.inputType(0);
  FailureOr<double> depthValue = n.floatInput(1, "depth");
  if (failed(depthValue))
    return failure();
  int64_t depth = int64_t(*depthValue);
  if (depth < 1)
    return n.error() << "OneHot's depth must be at least 1, got " << depth;
  RankedTensorType valuesType = n.inputType(2);
  if (valuesType.getNumElements() != 2)
    return n.error() << "OneHot's values must hold 2 elements (off, on), got "
                     << shapeToString(valuesType.getShape());
  int64_t rank = type.getRank() + 1;
  FailureOr<int64_t> axis = n.normalizeAxis(n.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  Value indices = n.input(0);
  if (isFloat(indices))
    indices = m.trunc(indices);
  indices = wrapIndices(m, indices, depth);
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + *axis, 1);
  Value hit = m.equal(n.reshape(indices, shape),
                      n.iota(rank, *axis, depth, n.builder.getI64Type()));
  Value pair = n.reshape(n.input(2), {2});
  Value off = n.reshape(n.sliceDim(pair, 0, 0, 1), {});
  Value on = n.reshape(n.sliceDim(pair, 0, 1, 1), {});
  n.setOutput(0, m.select(hit, on, off));
  return success();
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The flat offset into `dataShape` of each element of `indices` (already
/// wrapped) read along `axis`: indices * stride[axis] + the offset of the
/// element's own position in every other dim.
Value flatOffsets(NodeImporter &n, Math &m, Value indices,
                  ArrayRef<int64_t> dataShape, int64_t axis) {
  ArrayRef<int64_t> shape = typeOf(indices).getShape();
  SmallVector<int64_t> strides = stridesOf(dataShape);
  SmallVector<int64_t> own = stridesOf(shape), base;
  for (int64_t i = 0, e = numElements(shape); i < e; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      if (int64_t(d) != axis)
        offset += (i / own[d]) % shape[d] * strides[d];
    base.push_back(offset);
  }
  Value baseValue = n.constant(DenseElementsAttr::get(
      n.tensorType(shape, n.builder.getI64Type()), ArrayRef(base)));
  return m.add(m.mul(indices, m.c(indices, strides[axis])), baseValue);
}

/// Checks GatherElements/ScatterElements operands: same rank, integer
/// indices, and returns the normalised axis.
FailureOr<int64_t> elementsAxis(NodeImporter &n) {
  RankedTensorType data = n.inputType(0), indices = n.inputType(1);
  if (!indices.getElementType().isSignlessInteger(32) &&
      !indices.getElementType().isSignlessInteger(64))
    return n.error() << n.node.opType << " indices must be int32 or int64, got "
                     << indices.getElementType();
  if (data.getRank() != indices.getRank() || data.getRank() == 0)
    return n.error() << n.node.opType << " needs data and indices of one rank "
                     << "(at least 1), got " << shapeToString(data.getShape())
                     << " and " << shapeToString(indices.getShape());
  return n.normalizeAxis(n.intAttr("axis", 0), data.getRank());
}

/// A gather from the flattened data at each element's flat offset.
LogicalResult importGatherElements(NodeImporter &n) {
  Math m{n};
  FailureOr<int64_t> axis = elementsAxis(n);
  if (failed(axis))
    return failure();
  RankedTensorType data = n.inputType(0);
  Value indices = wrapIndices(m, n.input(1), data.getDimSize(*axis));
  Value offsets = flatOffsets(n, m, indices, data.getShape(), *axis);
  Value flat = n.reshape(n.input(0), {data.getNumElements()});
  n.setOutput(0, n.create<GatherOp>(
                     n.tensorType(typeOf(offsets).getShape(),
                                  data.getElementType()),
                     flat, offsets, n.builder.getI64IntegerAttr(0)));
  return success();
}

/// Combines `updates` [U, R] into `data` [N, R] at the rows `targets` [U]
/// (i64) name: every row of data compares with every target, the matching
/// updates are selected and reduced, and rows no target names keep data.
FailureOr<Value> scatterRows(NodeImporter &n, Math &m, Value data,
                             Value targets, Value updates) {
  std::string reduction = n.stringAttr("reduction", "none");
  ReduceKind kind;
  if (reduction == "none" || reduction == "add")
    kind = ReduceKind::sum;
  else if (reduction == "mul")
    kind = ReduceKind::prod;
  else if (reduction == "max")
    kind = ReduceKind::max;
  else if (reduction == "min")
    kind = ReduceKind::min;
  else
    return n.error() << n.node.opType << " reduction '" << reduction
                     << "' is not one of none, add, mul, max, min";
  int64_t rows = typeOf(data).getDimSize(0);
  int64_t count = typeOf(targets).getDimSize(0);
  int64_t width = typeOf(data).getDimSize(1);
  Value hit = m.equal(n.iota(2, 0, rows, n.builder.getI64Type()),
                      n.reshape(targets, {1, count})); // [N, U]
  Value picked = m.select(n.reshape(hit, {rows, count, 1}),
                          n.reshape(updates, {1, count, width}),
                          identity(m, data, kind)); // [N, U, R]
  Value combined = n.reshape(m.reduce(kind, picked, {1}), {rows, width});
  if (reduction == "add")
    return m.add(data, combined);
  if (reduction == "mul")
    return m.mul(data, combined);
  if (reduction == "max")
    return m.max(data, combined);
  if (reduction == "min")
    return m.min(data, combined);
  Value ones = m.select(hit, n.constant(DenseElementsAttr::get(
                                 n.tensorType({}, n.builder.getF32Type()),
                                 1.0f)),
                        n.constant(DenseElementsAttr::get(
                            n.tensorType({}, n.builder.getF32Type()), 0.0f)));
  Value named = m.greater(m.reduce(ReduceKind::sum, ones, {1}),
                          n.scalarLike(ones, 0)); // [N, 1]
  return m.select(named, combined, data);
}

LogicalResult importScatterElements(NodeImporter &n) {
  Math m{n};
  FailureOr<int64_t> axis = elementsAxis(n);
  if (failed(axis))
    return failure();
  RankedTensorType data = n.inputType(0), updates = n.inputType(2);
  if (updates.getShape() != n.inputType(1).getShape() ||
      updates.getElementType() != data.getElementType())
    return n.error() << "ScatterElements updates must have the indices' shape "
                     << shapeToString(n.inputType(1).getShape())
                     << " and the data's element type";
  Value offsets =
      flatOffsets(n, m, wrapIndices(m, n.input(1), data.getDimSize(*axis)),
                  data.getShape(), *axis);
  int64_t count = updates.getNumElements();
  FailureOr<Value> result =
      scatterRows(n, m, n.reshape(n.input(0), {data.getNumElements(), 1}),
                  n.reshape(offsets, {count}),
                  n.reshape(n.input(2), {count, 1}));
  if (failed(result))
    return failure();
  n.setOutput(0, n.reshape(*result, data.getShape()));
  return success();
}

/// Index tuples of length q address the first q dims of data; each update
/// replaces (or combines into) the slice there.
LogicalResult importScatterND(NodeImporter &n) {
  Math m{n};
  RankedTensorType data = n.inputType(0), indices = n.inputType(1),
                   updates = n.inputType(2);
  if (!indices.getElementType().isSignlessInteger(64) || indices.getRank() < 1)
    return n.error() << "ScatterND indices must be int64 of rank >= 1, got "
                     << indices;
  int64_t q = indices.getShape().back();
  if (q < 1 || q > data.getRank())
    return n.error() << "ScatterND index tuples of length " << q
                     << " do not fit data of rank " << data.getRank();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(q));
  if (updates.getShape() != ArrayRef(expected) ||
      updates.getElementType() != data.getElementType())
    return n.error() << "ScatterND updates must have shape "
                     << shapeToString(expected)
                     << " and the data's element type";
  int64_t count = numElements(indices.getShape().drop_back());
  int64_t rows = numElements(data.getShape().take_front(q));
  int64_t width = numElements(data.getShape().drop_front(q));
  Value tuples = n.reshape(n.input(1), {count, q});
  SmallVector<int64_t> strides = stridesOf(data.getShape().take_front(q));
  Value targets;
  for (int64_t j = 0; j < q; ++j) {
    Value column = n.reshape(n.sliceDim(tuples, 1, j, 1), {count});
    column = wrapIndices(m, column, data.getDimSize(j));
    Value term = m.mul(column, m.c(column, strides[j]));
    targets = targets ? m.add(targets, term) : term;
  }
  FailureOr<Value> result =
      scatterRows(n, m, n.reshape(n.input(0), {rows, width}), targets,
                  n.reshape(n.input(2), {count, width}));
  if (failed(result))
    return failure();
  n.setOutput(0, n.reshape(*result, data.getShape()));
  return success();
}

} // namespace

void mlir::pp::registerIndexImporters(OpImporterTable &t) {
  t["CumSum"] = requireInputs(2, importCumSum);
  t["ArgMax"] = requireInputs(1, importArgExtreme<ReduceKind::max>);
  t["ArgMin"] = requireInputs(1, importArgExtreme<ReduceKind::min>);
  t["TopK"] = requireInputs(2, importTopK);
  t["OneHot"] = requireInputs(3, importOneHot);
  t["GatherElements"] = requireInputs(2, importGatherElements);
  t["ScatterElements"] = requireInputs(3, importScatterElements);
  t["Scatter"] = requireInputs(3, importScatterElements);
  t["ScatterND"] = requireInputs(3, importScatterND);
}
