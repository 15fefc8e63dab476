//===- OpsShape.cpp - importers for shape and data-movement ONNX ops -----===//
//
// Shape, Size, Constant, ConstantOfShape and Range become constants (shapes
// are static); Reshape, Flatten, Squeeze and Unsqueeze become pp.reshape;
// Split becomes pp.slice ops; Slice is normalised to explicit starts and
// steps; Expand and Tile become pp.broadcast. Inputs that ONNX passes as
// tensors (shapes, axes, starts) must fold to constants.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

/// A shape read from an input must be one pp can hold.
/// A constant the importer fills (ConstantOfShape) is bounded by
/// kMaxConstantElements, any other result by kMaxTensorElements.
LogicalResult checkShapeInput(NodeImporter &n, ArrayRef<int64_t> shape,
                              StringRef what, bool materialized = false) {
  for (int64_t d : shape)
    if (d < 0)
      return n.error() << what << " has a negative dim: "
                       << shapeToString(shape);
  int64_t limit = materialized ? kMaxConstantElements : kMaxTensorElements;
  if (numElements(shape) > limit)
    return n.error() << what << " " << shapeToString(shape)
                     << " has more than 2^" << llvm::Log2_64(limit)
                     << " elements";
  return success();
}

Value i64Constant(NodeImporter &n, ArrayRef<int64_t> values,
                  ArrayRef<int64_t> shape) {
  auto type = n.tensorType(shape, n.builder.getI64Type());
  return n.constant(DenseElementsAttr::get(type, values));
}

/// Axes from the `axes` input (newer opsets) or attribute (older ones).
FailureOr<std::optional<SmallVector<int64_t>>> axesOf(NodeImporter &n,
                                                       size_t inputIndex) {
  if (n.hasInput(inputIndex)) {
    FailureOr<SmallVector<int64_t>> axes = n.intsInput(inputIndex, "axes");
    if (failed(axes))
      return failure();
    return std::optional<SmallVector<int64_t>>(*axes);
  }
  return n.intsAttr("axes");
}

LogicalResult importShape(NodeImporter &n) {
  ArrayRef<int64_t> shape = n.inputType(0).getShape();
  int64_t rank = shape.size();
  auto clampIndex = [&](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank);
  };
  int64_t start = clampIndex(n.intAttr("start", 0));
  int64_t end = clampIndex(n.intAttr("end", rank));
  SmallVector<int64_t> dims(shape.begin() + start,
                            shape.begin() + std::max(start, end));
  n.setOutput(0, i64Constant(n, dims, {int64_t(dims.size())}));
  return success();
}

LogicalResult importSize(NodeImporter &n) {
  n.setOutput(0, i64Constant(n, {numElements(n.inputType(0).getShape())}, {}));
  return success();
}

LogicalResult importConstant(NodeImporter &n) {
  MLIRContext *context = n.builder.getContext();
  const onnx::Node &node = n.node;
  if (node.attributes.size() != 1)
    return n.error() << "Constant needs exactly one value attribute";
  const onnx::Attribute &a = node.attributes.front();
  Value value;
  if (a.name == "value") {
    FailureOr<DenseElementsAttr> attr = loadConstant(context, a.t, n.loc);
    if (failed(attr))
      return failure();
    value = n.constant(*attr);
  } else if (a.name == "value_float" || a.name == "value_floats") {
    bool scalar = a.name == "value_float";
    SmallVector<float> floats =
        scalar ? SmallVector<float>{a.f}
               : SmallVector<float>(a.floats.begin(), a.floats.end());
    auto type = n.tensorType(scalar ? ArrayRef<int64_t>{}
                                    : ArrayRef<int64_t>{int64_t(floats.size())},
                             n.builder.getF32Type());
    value = n.constant(DenseElementsAttr::get(type, ArrayRef<float>(floats)));
  } else if (a.name == "value_int" || a.name == "value_ints") {
    bool scalar = a.name == "value_int";
    SmallVector<int64_t> ints =
        scalar ? SmallVector<int64_t>{a.i}
               : SmallVector<int64_t>(a.ints.begin(), a.ints.end());
    value = i64Constant(n, ints,
                        scalar ? ArrayRef<int64_t>{}
                               : ArrayRef<int64_t>{int64_t(ints.size())});
  } else {
    return n.error() << "Constant attribute '" << a.name
                     << "' is not supported";
  }
  n.setOutput(0, value);
  return success();
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> shape = n.intsInput(0, "shape");
  if (failed(shape) ||
      failed(checkShapeInput(n, *shape, "shape", /*materialized=*/true)))
    return failure();
  DenseElementsAttr fill;
  if (const onnx::Attribute *a = n.attr("value")) {
    FailureOr<DenseElementsAttr> attr =
        loadConstant(n.builder.getContext(), a->t, n.loc);
    if (failed(attr))
      return failure();
    fill = *attr;
  } else {
    fill = DenseElementsAttr::get(
        RankedTensorType::get({1}, n.builder.getF32Type()), 0.0f);
  }
  auto type = n.tensorType(*shape, fill.getElementType());
  n.setOutput(0, n.constant(DenseElementsAttr::get(
                     type, *fill.getValues<Attribute>().begin())));
  return success();
}

LogicalResult importRange(NodeImporter &n) {
  FailureOr<double> start = n.floatInput(0, "start");
  FailureOr<double> limit = n.floatInput(1, "limit");
  FailureOr<double> delta = n.floatInput(2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0)
    return n.error() << "Range delta is zero";
  double steps = std::ceil((*limit - *start) / *delta);
  if (!(steps < double(kMaxConstantElements)))
    return n.error() << "Range would have " << steps
                     << " elements, more than 2^40";
  int64_t count = std::max<int64_t>(int64_t(steps), 0);
  Type element = n.inputType(0).getElementType();
  auto type = n.tensorType({count}, element);
  DenseElementsAttr value;
  if (llvm::isa<FloatType>(element)) {
    SmallVector<APFloat> items;
    for (int64_t i = 0; i < count; ++i) {
      APFloat v(*start + i * *delta);
      bool lost;
      v.convert(llvm::cast<FloatType>(element).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      items.push_back(v);
    }
    value = DenseElementsAttr::get(type, items);
  } else {
    SmallVector<APInt> items;
    for (int64_t i = 0; i < count; ++i)
      items.push_back(APInt(element.getIntOrFloatBitWidth(),
                            int64_t(*start) + i * int64_t(*delta), true));
    value = DenseElementsAttr::get(type, items);
  }
  n.setOutput(0, n.constant(value));
  return success();
}

LogicalResult importReshape(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> target = n.intsInput(1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> in = n.inputType(0).getShape();
  bool allowZero = n.intAttr("allowzero", 0) != 0;
  SmallVector<int64_t> shape(*target);
  int64_t inferred = -1, known = 1;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (size == 0 && !allowZero) {
      if (d >= in.size())
        return n.error() << "shape entry " << d
                         << " copies a dim the input does not have";
      size = in[d];
    }
    if (size == -1) {
      if (inferred >= 0)
        return n.error() << "shape has more than one -1";
      inferred = d;
      continue;
    }
    if (size < 0)
      return n.error() << "shape entry " << d << " is " << size;
    known = numElements({known, size});
  }
  int64_t total = numElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return n.error() << "cannot reshape " << shapeToString(in) << " into "
                       << shapeToString(*target);
    shape[inferred] = total / known;
  } else if (known != total) {
    return n.error() << "cannot reshape " << shapeToString(in) << " ("
                     << total << " elements) into " << shapeToString(shape);
  }
  n.setOutput(0, n.reshape(n.input(0), shape));
  return success();
}

LogicalResult importFlatten(NodeImporter &n) {
  ArrayRef<int64_t> in = n.inputType(0).getShape();
  int64_t axis = n.intAttr("axis", 1);
  if (axis < 0)
    axis += in.size();
  if (axis < 0 || axis > int64_t(in.size()))
    return n.error() << "axis " << n.intAttr("axis", 1)
                     << " is out of range for rank " << in.size();
  n.setOutput(0, n.reshape(n.input(0), {numElements(in.take_front(axis)),
                                        numElements(in.drop_front(axis))}));
  return success();
}

LogicalResult importSqueeze(NodeImporter &n) {
  ArrayRef<int64_t> in = n.inputType(0).getShape();
  auto axes = axesOf(n, 1);
  if (failed(axes))
    return failure();
  SmallVector<bool> drop(in.size(), false);
  if (*axes) {
    for (int64_t axis : **axes) {
      FailureOr<int64_t> a = n.normalizeAxis(axis, in.size());
      if (failed(a))
        return failure();
      if (in[*a] != 1)
        return n.error() << "cannot squeeze dim " << *a << " of size "
                         << in[*a];
      drop[*a] = true;
    }
  } else {
    for (auto [d, size] : llvm::enumerate(in))
      drop[d] = size == 1;
  }
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(in))
    if (!drop[d])
      shape.push_back(size);
  n.setOutput(0, n.reshape(n.input(0), shape));
  return success();
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  ArrayRef<int64_t> in = n.inputType(0).getShape();
  auto axes = axesOf(n, 1);
  if (failed(axes))
    return failure();
  if (!*axes)
    return n.error() << "Unsqueeze needs axes";
  int64_t rank = in.size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> a = n.normalizeAxis(axis, rank);
    if (failed(a))
      return failure();
    if (inserted[*a])
      return n.error() << "axis " << axis << " is listed twice";
    inserted[*a] = true;
  }
  SmallVector<int64_t> shape;
  const int64_t *next = in.begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : *next++);
  n.setOutput(0, n.reshape(n.input(0), shape));
  return success();
}

LogicalResult importTranspose(NodeImporter &n) {
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> perm;
  if (auto given = n.intsAttr("perm"))
    perm = *given;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<bool> seen(rank, false);
  if (int64_t(perm.size()) != rank)
    return n.error() << "perm has " << perm.size() << " entries for rank "
                     << rank;
  for (int64_t &p : perm) {
    FailureOr<int64_t> a = n.normalizeAxis(p, rank, "perm entry");
    if (failed(a))
      return failure();
    if (seen[*a])
      return n.error() << "perm lists dim " << *a << " twice";
    p = *a;
    seen[p] = true;
  }
  n.setOutput(0, n.transpose(n.input(0), perm));
  return success();
}

LogicalResult importConcat(NodeImporter &n) {
  RankedTensorType first = n.inputType(0);
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", 0), first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> inputs;
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    RankedTensorType type = n.inputType(i);
    if (type.getElementType() != first.getElementType())
      return n.error() << "inputs have element types "
                       << first.getElementType() << " and "
                       << type.getElementType();
    if (type.getRank() != first.getRank())
      return n.error() << "inputs have ranks " << first.getRank() << " and "
                       << type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != *axis && type.getDimSize(d) != first.getDimSize(d))
        return n.error() << "inputs differ in dim " << d << ": "
                         << shapeToString(first.getShape()) << " and "
                         << shapeToString(type.getShape());
    shape[*axis] += type.getDimSize(*axis);
    if (type.getDimSize(*axis) > 0)
      inputs.push_back(n.input(i));
  }
  if (inputs.empty())
    inputs.push_back(n.input(0));
  n.setOutput(0, n.create<ConcatOp>(
                     n.tensorType(shape, first.getElementType()), inputs,
                     n.builder.getI64IntegerAttr(*axis)));
  return success();
}


LogicalResult importSplit(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis = n.normalizeAxis(n.intAttr("axis", 0),
                                            type.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = type.getDimSize(*axis);
  SmallVector<int64_t> sizes;
  if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = n.intsInput(1, "split");
    if (failed(given))
      return failure();
    sizes = *given;
  } else if (auto given = n.intsAttr("split")) {
    sizes = *given;
  } else {
    int64_t parts = n.intAttr("num_outputs", n.numOutputs());
    if (parts <= 0)
      return n.error() << "Split into " << parts << " parts";
    // Opset 18 lets the last part be smaller; before, parts are equal.
    if (n.opset < 18 && dim % parts != 0)
      return n.error() << "dim " << *axis << " of size " << dim
                       << " does not split into " << parts
                       << " equal parts (opset " << n.opset << ")";
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  if (sizes.size() != n.numOutputs())
    return n.error() << "split gives " << sizes.size() << " sizes for "
                     << n.numOutputs() << " outputs";
  int64_t start = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (size < 0 || start + size > dim)
      return n.error() << "split sizes do not fit dim " << *axis
                       << " of size " << dim;
    n.setOutput(i, n.sliceDim(n.input(0), *axis, start, size));
    start += size;
  }
  if (start != dim)
    return n.error() << "split sizes add up to " << start << ", not " << dim;
  return success();
}

LogicalResult importSlice(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (n.opset < 10) {
    starts = n.intsAttr("starts").value_or(SmallVector<int64_t>());
    ends = n.intsAttr("ends").value_or(SmallVector<int64_t>());
    axes = n.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    auto s = n.intsInput(1, "starts");
    auto e = n.intsInput(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      auto a = n.intsInput(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (n.hasInput(4)) {
      auto st = n.intsInput(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return n.error() << "starts, ends, axes and steps differ in length";

  SmallVector<int64_t> outStarts(rank, 0), outSteps(rank, 1);
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    FailureOr<int64_t> axis = n.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return n.error() << "axis " << axes[i] << " is listed twice";
    seen[*axis] = true;
    int64_t dim = shape[*axis], step = steps[i];
    if (step == 0)
      return n.error() << "slice step is zero";
    auto clamp = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += dim;
      return std::clamp(v, lo, std::max(lo, hi)); // hi < lo when dim is 0
    };
    // ONNX clamps starts into [0, dim] going forward and [0, dim - 1]
    // going backward, ends into [0, dim] and [-1, dim - 1].
    int64_t start = step > 0 ? clamp(starts[i], 0, dim)
                             : clamp(starts[i], 0, dim - 1);
    int64_t end = step > 0 ? clamp(ends[i], 0, dim)
                           : clamp(ends[i], -1, dim - 1);
    // |step| may be 2^63: the distance is below that, so INT64_MAX divides
    // the same way.
    int64_t stride = step == INT64_MIN ? INT64_MAX : std::abs(step);
    int64_t distance = step > 0 ? end - start : start - end;
    int64_t count = dim > 0 && distance > 0 ? (distance - 1) / stride + 1 : 0;
    shape[*axis] = count;
    outStarts[*axis] = count > 0 ? start : 0;
    outSteps[*axis] = step;
  }
  n.setOutput(0, n.create<SliceOp>(n.tensorType(shape, type.getElementType()),
                                   n.input(0),
                                   n.builder.getDenseI64ArrayAttr(outStarts),
                                   n.builder.getDenseI64ArrayAttr(outSteps)));
  return success();
}

LogicalResult importExpand(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> target = n.intsInput(1, "shape");
  if (failed(target) || failed(checkShapeInput(n, *target, "shape")))
    return failure();
  RankedTensorType type = n.inputType(0);
  // Expand broadcasts both ways: a 1 in the target keeps the input's dim.
  auto shape = broadcastShapes(type.getShape(), *target);
  if (!shape)
    return n.error() << "cannot expand " << shapeToString(type.getShape())
                     << " to " << shapeToString(*target);
  n.setOutput(0, n.create<BroadcastOp>(
                     n.tensorType(*shape, type.getElementType()), n.input(0)));
  return success();
}

LogicalResult importTile(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> repeats = n.intsInput(1, "repeats");
  if (failed(repeats))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (int64_t(repeats->size()) != type.getRank())
    return n.error() << "repeats has " << repeats->size()
                     << " entries for rank " << type.getRank();
  if (failed(checkShapeInput(n, *repeats, "repeats")))
    return failure();
  // [d0, d1] tiled by [r0, r1] is [1, d0, 1, d1] broadcast to
  // [r0, d0, r1, d1], reshaped to [r0*d0, r1*d1].
  SmallVector<int64_t> spread, wide, out;
  for (auto [d, size] : llvm::enumerate(type.getShape())) {
    spread.append({1, size});
    wide.append({(*repeats)[d], size});
    out.push_back(numElements({(*repeats)[d], size}));
  }
  Value x = n.reshape(n.input(0), spread);
  x = n.create<BroadcastOp>(n.tensorType(wide, type.getElementType()), x);
  n.setOutput(0, n.reshape(x, out));
  return success();
}

LogicalResult importGather(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  RankedTensorType indicesType = n.inputType(1);
  if (!indicesType.getElementType().isSignlessInteger(32) &&
      !indicesType.getElementType().isSignlessInteger(64))
    return n.error() << "Gather indices must be int32 or int64, got "
                     << indicesType.getElementType();
  // A constant scalar index (timm's qkv[0], a CLS token's x[:, 0]) is a
  // slice: passes that follow slices (the batch split, fused projections
  // under tensor parallelism) then see through it.
  if (DenseElementsAttr index = n.constantInput(1);
      index && indicesType.getRank() == 0) {
    int64_t i = index.getSplatValue<APInt>().getSExtValue();
    int64_t extent = type.getDimSize(*axis);
    if (i < -extent || i >= extent)
      return n.error() << "Gather index " << i << " is out of range for dim "
                       << *axis << " of extent " << extent;
    SmallVector<int64_t> shape(type.getShape());
    shape.erase(shape.begin() + *axis);
    n.setOutput(0, n.reshape(n.sliceDim(n.input(0), *axis,
                                        i < 0 ? i + extent : i, 1),
                             shape));
    return success();
  }
  Value indices = n.cast(n.input(1), n.builder.getI64Type());
  SmallVector<int64_t> shape(type.getShape().take_front(*axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, type.getShape().drop_front(*axis + 1));
  n.setOutput(0, n.create<GatherOp>(n.tensorType(shape, type.getElementType()),
                                    n.input(0), indices,
                                    n.builder.getI64IntegerAttr(*axis)));
  return success();
}

LogicalResult importTrilu(NodeImporter &n) {
  int64_t k = 0;
  if (n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = n.intsInput(1, "k");
    if (failed(given))
      return failure();
    if (given->size() != 1)
      return n.error() << "k must be a scalar";
    k = given->front();
  }
  if (n.inputType(0).getRank() < 2)
    return n.error() << "Trilu needs rank 2 or more";
  bool upper = n.intAttr("upper", 1) != 0;
  n.setOutput(0, n.create<TriluOp>(n.input(0).getType(), n.input(0),
                                   upper ? n.builder.getUnitAttr() : UnitAttr(),
                                   n.builder.getI64IntegerAttr(k)));
  return success();
}

} // namespace

void mlir::pp::registerShapeImporters(OpImporterTable &t) {
  t["Shape"] = requireInputs(1, importShape);
  t["Size"] = requireInputs(1, importSize);
  t["Constant"] = importConstant;
  t["ConstantOfShape"] = requireInputs(1, importConstantOfShape);
  t["Range"] = requireInputs(3, importRange);
  t["Reshape"] = requireInputs(2, importReshape);
  t["Flatten"] = requireInputs(1, importFlatten);
  t["Squeeze"] = requireInputs(1, importSqueeze);
  t["Unsqueeze"] = requireInputs(1, importUnsqueeze);
  t["Transpose"] = requireInputs(1, importTranspose);
  t["Concat"] = requireInputs(1, importConcat);
  t["Split"] = requireInputs(1, importSplit);
  t["Slice"] = requireInputs(1, importSlice);
  t["Expand"] = requireInputs(2, importExpand);
  t["Tile"] = requireInputs(2, importTile);
  t["Gather"] = requireInputs(2, importGather);
  t["Trilu"] = requireInputs(1, importTrilu);
}
