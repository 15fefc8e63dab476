//===- PPFolders.cpp - constant folding of the graph ops -----------------===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape) and build masks from constants. With static input
// shapes all of that is constant; these folders evaluate it on small
// tensors so the importer (through createOrFold) and canonicalisation leave
// only real computation behind. Tensors above kMaxFoldElements are left
// alone so that folding never blows up the IR.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::pp;

namespace {

constexpr int64_t kMaxFoldElements = 1 << 16;

/// The elements of a constant, widened to double (float types) or int64.
struct Scalars {
  bool isFloat = false;
  SmallVector<double> f;
  SmallVector<int64_t> i;
};

DenseElementsAttr asSmallDense(Attribute attr) {
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return {};
  return dense;
}

std::optional<Scalars> readScalars(Attribute attr) {
  DenseElementsAttr dense = asSmallDense(attr);
  if (!dense)
    return std::nullopt;
  Scalars s;
  Type type = dense.getElementType();
  if (llvm::isa<FloatType>(type)) {
    s.isFloat = true;
    for (APFloat v : dense.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      s.f.push_back(v.convertToDouble());
    }
    return s;
  }
  if (!llvm::isa<IntegerType>(type))
    return std::nullopt;
  bool isBool = type.isInteger(1);
  bool isUnsigned = type.isUnsignedInteger();
  for (APInt v : dense.getValues<APInt>())
    s.i.push_back(isBool || isUnsigned ? int64_t(v.getZExtValue())
                                       : v.getSExtValue());
  return s;
}

/// C++ float-to-integer conversion is undefined outside the target's range;
/// saturate instead (NaN becomes 0), as the fold must never crash.
int64_t toInt64(double v) {
  if (std::isnan(v))
    return 0;
  if (v >= 9223372036854775807.0)
    return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0)
    return std::numeric_limits<int64_t>::min();
  return int64_t(v);
}

DenseElementsAttr writeScalars(Type resultType, const Scalars &s) {
  auto shaped = llvm::cast<ShapedType>(resultType);
  Type type = shaped.getElementType();
  if (auto floatType = llvm::dyn_cast<FloatType>(type)) {
    SmallVector<APFloat> values;
    for (size_t k = 0, e = s.isFloat ? s.f.size() : s.i.size(); k < e; ++k) {
      APFloat v(s.isFloat ? s.f[k] : double(s.i[k]));
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(shaped, values);
  }
  unsigned width = type.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (size_t k = 0, e = s.isFloat ? s.f.size() : s.i.size(); k < e; ++k) {
    // To i1 is `x != 0`, also for floats such as 0.5.
    int64_t v = width == 1 ? (s.isFloat ? s.f[k] != 0 : s.i[k] != 0)
                           : (s.isFloat ? toInt64(s.f[k]) : s.i[k]);
    values.push_back(APInt(width, uint64_t(v), /*isSigned=*/width > 1,
                           /*implicitTrunc=*/true));
  }
  return DenseElementsAttr::get(shaped, values);
}

/// For every element of `to` (row-major), the index of the element of `from`
/// it reads under numpy broadcasting.
SmallVector<int64_t> broadcastIndices(ArrayRef<int64_t> from,
                                      ArrayRef<int64_t> to) {
  SmallVector<int64_t> strides = broadcastStrides(from, to);
  int64_t n = numElements(to);
  SmallVector<int64_t> indices(n);
  for (int64_t linear = 0; linear < n; ++linear) {
    int64_t rest = linear, index = 0;
    for (size_t d = to.size(); d-- > 0;) {
      index += (rest % to[d]) * strides[d];
      rest /= to[d];
    }
    indices[linear] = index;
  }
  return indices;
}

/// Evaluates an elementwise op on constant operands. `floatFn` and `intFn`
/// compute one element from the operands' elements; either may be null
/// when the op has no meaning for that kind.
OpFoldResult
foldElementwise(Operation *op, ArrayRef<Attribute> operands,
                function_ref<double(ArrayRef<double>)> floatFn,
                function_ref<int64_t(ArrayRef<int64_t>)> intFn) {
  Type resultType = op->getResult(0).getType();
  ArrayRef<int64_t> shape = llvm::cast<ShapedType>(resultType).getShape();
  if (numElements(shape) > kMaxFoldElements)
    return {};
  SmallVector<Scalars> inputs;
  for (Attribute attr : operands) {
    std::optional<Scalars> s = readScalars(attr);
    if (!s)
      return {};
    inputs.push_back(std::move(*s));
  }
  SmallVector<SmallVector<int64_t>> maps;
  for (Value value : op->getOperands())
    maps.push_back(broadcastIndices(
        llvm::cast<ShapedType>(value.getType()).getShape(), shape));
  // Select's condition is integral; its value operands decide the kind.
  bool isFloat = inputs.back().isFloat;
  if ((isFloat && !floatFn) || (!isFloat && !intFn))
    return {};
  Scalars out;
  out.isFloat = isFloat;
  SmallVector<double> fargs(inputs.size());
  SmallVector<int64_t> iargs(inputs.size());
  for (int64_t k = 0, n = numElements(shape); k < n; ++k) {
    for (size_t a = 0; a < inputs.size(); ++a) {
      int64_t index = maps[a][k];
      fargs[a] = inputs[a].isFloat ? inputs[a].f[index] : inputs[a].i[index];
      iargs[a] = inputs[a].isFloat ? toInt64(inputs[a].f[index])
                                   : inputs[a].i[index];
    }
    if (isFloat)
      out.f.push_back(floatFn(fargs));
    else
      out.i.push_back(intFn(iargs));
  }
  return writeScalars(resultType, out);
}

/// Comparisons read either kind and produce i1 (as integers).
OpFoldResult foldComparison(Operation *op, ArrayRef<Attribute> operands,
                            function_ref<bool(double, double)> floatCmp,
                            function_ref<bool(int64_t, int64_t)> intCmp) {
  Type resultType = op->getResult(0).getType();
  ArrayRef<int64_t> shape = llvm::cast<ShapedType>(resultType).getShape();
  if (numElements(shape) > kMaxFoldElements)
    return {};
  std::optional<Scalars> a = readScalars(operands[0]);
  std::optional<Scalars> b = readScalars(operands[1]);
  if (!a || !b || a->isFloat != b->isFloat)
    return {};
  SmallVector<int64_t> mapA = broadcastIndices(
      llvm::cast<ShapedType>(op->getOperand(0).getType()).getShape(), shape);
  SmallVector<int64_t> mapB = broadcastIndices(
      llvm::cast<ShapedType>(op->getOperand(1).getType()).getShape(), shape);
  // Integers compare exactly: i64 values above 2^53 do not survive double.
  Scalars out;
  for (int64_t k = 0, n = numElements(shape); k < n; ++k)
    out.i.push_back(a->isFloat ? floatCmp(a->f[mapA[k]], b->f[mapB[k]])
                               : intCmp(a->i[mapA[k]], b->i[mapB[k]]));
  return writeScalars(resultType, out);
}

/// Builds the result of a data-movement op element by element:
/// `sourceOf(linear result index)` names the source element.
OpFoldResult moveElements(Attribute input, Type resultType,
                          function_ref<int64_t(int64_t)> sourceOf) {
  DenseElementsAttr dense = asSmallDense(input);
  if (!dense)
    return {};
  auto shaped = llvm::cast<ShapedType>(resultType);
  if (numElements(shaped.getShape()) > kMaxFoldElements)
    return {};
  if (dense.isSplat())
    return DenseElementsAttr::get(shaped, dense.getSplatValue<Attribute>());
  SmallVector<Attribute> source(dense.getValues<Attribute>());
  SmallVector<Attribute> result;
  for (int64_t k = 0, n = numElements(shaped.getShape()); k < n; ++k)
    result.push_back(source[sourceOf(k)]);
  return DenseElementsAttr::get(shaped, result);
}

/// Row-major multi-index of `linear` in `shape`.
SmallVector<int64_t> unflatten(int64_t linear, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = linear % shape[d];
    linear /= shape[d];
  }
  return index;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getShape();
}

} // namespace

//===----------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

#define PP_FOLD_UNARY(OP, FLOAT_EXPR, INT_EXPR)                               \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                               \
    return foldElementwise(                                                  \
        *this, adaptor.getOperands(),                                        \
        [](ArrayRef<double> v) -> double {                                   \
          double x = v[0];                                                   \
          (void)x;                                                           \
          return FLOAT_EXPR;                                                 \
        },                                                                   \
        [](ArrayRef<int64_t> v) -> int64_t {                                 \
          int64_t x = v[0];                                                  \
          (void)x;                                                           \
          return INT_EXPR;                                                   \
        });                                                                  \
  }

PP_FOLD_UNARY(NegOp, -x, int64_t(0 - uint64_t(x)))
PP_FOLD_UNARY(AbsOp, std::fabs(x), x < 0 ? int64_t(0 - uint64_t(x)) : x)
PP_FOLD_UNARY(ExpOp, std::exp(x), std::exp(double(x)))
PP_FOLD_UNARY(LogOp, std::log(x), std::log(double(x)))
PP_FOLD_UNARY(SqrtOp, std::sqrt(x), std::sqrt(double(x)))
PP_FOLD_UNARY(ReciprocalOp, 1.0 / x, x != 0 ? 1 / x : 0)
PP_FOLD_UNARY(ErfOp, std::erf(x), std::erf(double(x)))
PP_FOLD_UNARY(TanhOp, std::tanh(x), std::tanh(double(x)))
PP_FOLD_UNARY(SigmoidOp, 1.0 / (1.0 + std::exp(-x)), 0)
PP_FOLD_UNARY(ReluOp, x > 0 ? x : 0.0, x > 0 ? x : 0)
PP_FOLD_UNARY(SinOp, std::sin(x), std::sin(double(x)))
PP_FOLD_UNARY(CosOp, std::cos(x), std::cos(double(x)))
PP_FOLD_UNARY(FloorOp, std::floor(x), x)
PP_FOLD_UNARY(CeilOp, std::ceil(x), x)
PP_FOLD_UNARY(NotOp, x == 0, x == 0)

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  std::optional<Scalars> s = readScalars(adaptor.getInput());
  if (!s)
    return {};
  return writeScalars(getType(), *s);
}

#define PP_FOLD_BINARY(OP, FLOAT_EXPR, INT_EXPR)                              \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                               \
    return foldElementwise(                                                  \
        *this, adaptor.getOperands(),                                        \
        [](ArrayRef<double> v) -> double {                                   \
          double a = v[0], b = v[1];                                         \
          (void)a, (void)b;                                                  \
          return FLOAT_EXPR;                                                 \
        },                                                                   \
        [](ArrayRef<int64_t> v) -> int64_t {                                 \
          int64_t a = v[0], b = v[1];                                        \
          (void)a, (void)b;                                                  \
          return INT_EXPR;                                                   \
        });                                                                  \
  }

// Integer arithmetic wraps (two's complement), as the emitted code does on
// every target pp supports, instead of overflowing in the compiler.
PP_FOLD_BINARY(AddOp, a + b, int64_t(uint64_t(a) + uint64_t(b)))
PP_FOLD_BINARY(SubOp, a - b, int64_t(uint64_t(a) - uint64_t(b)))
PP_FOLD_BINARY(MulOp, a * b, int64_t(uint64_t(a) * uint64_t(b)))
PP_FOLD_BINARY(PowOp, std::pow(a, b), toInt64(std::pow(double(a), double(b))))
// A NaN operand wins, as in the emitted code and numpy.
PP_FOLD_BINARY(MaxOp, a > b || std::isnan(a) ? a : b, std::max(a, b))
PP_FOLD_BINARY(MinOp, a < b || std::isnan(a) ? a : b, std::min(a, b))
PP_FOLD_BINARY(AndOp, a && b, a && b)
PP_FOLD_BINARY(OrOp, a || b, a || b)

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  // Integer division by zero is left to run time, where it is the user's.
  if (std::optional<Scalars> rhs = readScalars(adaptor.getRhs()))
    if (!rhs->isFloat && llvm::is_contained(rhs->i, 0))
      return {};
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> v) { return v[0] / v[1]; },
      // INT64_MIN / -1 overflows; wrap like the hardware would rather than
      // trap in the compiler.
      [](ArrayRef<int64_t> v) {
        return v[1] == -1 ? int64_t(0 - uint64_t(v[0])) : v[0] / v[1];
      });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldComparison(
      *this, adaptor.getOperands(), [](double a, double b) { return a == b; },
      [](int64_t a, int64_t b) { return a == b; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldComparison(
      *this, adaptor.getOperands(), [](double a, double b) { return a < b; },
      [](int64_t a, int64_t b) { return a < b; });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldComparison(
      *this, adaptor.getOperands(), [](double a, double b) { return a > b; },
      [](int64_t a, int64_t b) { return a > b; });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      *this, adaptor.getOperands(),
      [](ArrayRef<double> v) { return v[0] != 0 ? v[1] : v[2]; },
      [](ArrayRef<int64_t> v) { return v[0] != 0 ? v[1] : v[2]; });
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (DenseElementsAttr dense = asSmallDense(adaptor.getInput()))
    return dense.reshape(llvm::cast<ShapedType>(getType()));
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  ArrayRef<int64_t> out = shapeOf(getResult());
  SmallVector<int64_t> inStrides = rowMajorStrides(shapeOf(getInput()));
  ArrayRef<int64_t> perm = getPerm();
  return moveElements(adaptor.getInput(), getType(), [&](int64_t k) {
    SmallVector<int64_t> index = unflatten(k, out);
    int64_t source = 0;
    for (size_t d = 0; d < index.size(); ++d)
      source += index[d] * inStrides[perm[d]];
    return source;
  });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  ArrayRef<int64_t> out = shapeOf(getResult());
  SmallVector<int64_t> inStrides = rowMajorStrides(shapeOf(getInput()));
  return moveElements(adaptor.getInput(), getType(), [&](int64_t k) {
    SmallVector<int64_t> index = unflatten(k, out);
    int64_t source = 0;
    for (size_t d = 0; d < index.size(); ++d)
      source += (getStarts()[d] + index[d] * getSteps()[d]) * inStrides[d];
    return source;
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  auto type = llvm::cast<ShapedType>(getType());
  if (numElements(type.getShape()) > kMaxFoldElements)
    return {};
  int64_t dim = getDimAttr().getInt();
  SmallVector<SmallVector<Attribute>> parts;
  for (Attribute attr : adaptor.getInputs()) {
    DenseElementsAttr dense = asSmallDense(attr);
    if (!dense)
      return {};
    parts.emplace_back(dense.getValues<Attribute>());
  }
  // Each input contributes chunks of shape[dim:] elements per outer index.
  int64_t outer = numElements(type.getShape().take_front(dim));
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [part, value] : llvm::zip(parts, getInputs())) {
      int64_t chunk = numElements(shapeOf(value).drop_front(dim));
      llvm::append_range(result, ArrayRef(part).slice(o * chunk, chunk));
    }
  return DenseElementsAttr::get(type, result);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  std::optional<Scalars> indices = readScalars(adaptor.getIndices());
  if (!indices)
    return {};
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t dim = getDimAttr().getInt();
  int64_t axis = in[dim], inner = numElements(in.drop_front(dim + 1));
  int64_t count = indices->i.size();
  for (int64_t index : indices->i)
    if (index < -axis || index >= axis)
      return {}; // out of range: left for the run-time check to report
  return moveElements(adaptor.getInput(), getType(), [&](int64_t k) {
    int64_t i = k % inner, j = (k / inner) % count, o = k / inner / count;
    int64_t index = indices->i[j] < 0 ? indices->i[j] + axis : indices->i[j];
    return (o * axis + index) * inner + i;
  });
}

OpFoldResult TriluOp::fold(FoldAdaptor adaptor) {
  // A causal mask built in forward (torch.triu of -inf) becomes a constant
  // that generation's causality check can read.
  std::optional<Scalars> s = readScalars(adaptor.getInput());
  if (!s)
    return {};
  ArrayRef<int64_t> shape = shapeOf(getInput());
  int64_t cols = shape.back(), rows = shape[shape.size() - 2];
  size_t n = s->isFloat ? s->f.size() : s->i.size();
  for (size_t k = 0; k < n; ++k) {
    int64_t col = int64_t(k) % cols, row = (int64_t(k) / cols) % rows;
    int64_t k0 = int64_t(getK());
    bool kept = getUpper() ? col - row >= k0 : col - row <= k0;
    if (kept)
      continue;
    if (s->isFloat)
      s->f[k] = 0;
    else
      s->i[k] = 0;
  }
  return writeScalars(getType(), *s);
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (!asSmallDense(adaptor.getInput()) ||
      numElements(shapeOf(getResult())) > kMaxFoldElements)
    return {};
  SmallVector<int64_t> map =
      broadcastIndices(shapeOf(getInput()), shapeOf(getResult()));
  if (int64_t(map.size()) > kMaxFoldElements)
    return {};
  return moveElements(adaptor.getInput(), getType(),
                      [&](int64_t k) { return map[k]; });
}
