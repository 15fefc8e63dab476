//===- OpsElementwise.cpp - importers for elementwise ONNX ops -----------===//
//
// Unary math, casts, broadcasting binary ops (arithmetic, comparisons,
// logic), their variadic forms, Where, and ops that vanish at inference
// (Identity, Dropout). Composite activations (Gelu) expand into pp ops.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pp;

namespace {

template <typename OpTy>
LogicalResult importUnary(NodeImporter &n) {
  Value x = n.input(0);
  n.setOutput(0, n.create<OpTy>(x.getType(), x));
  return success();
}

template <typename OpTy>
LogicalResult importBinary(NodeImporter &n) {
  FailureOr<Value> result = n.binary<OpTy>(n.input(0), n.input(1));
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

/// a <= b as (a < b) or (a == b), so that NaN compares false; not(a > b)
/// would make it true.
template <typename OpTy>
LogicalResult importOrEqual(NodeImporter &n) {
  FailureOr<Value> strict = n.binary<OpTy>(n.input(0), n.input(1));
  FailureOr<Value> equal =
      failed(strict) ? strict : n.binary<EqualOp>(n.input(0), n.input(1));
  if (failed(equal))
    return failure();
  n.setOutput(0, *n.binary<OrOp>(*strict, *equal));
  return success();
}

/// Sum, Max, Min and Mean take any number of inputs.
template <typename OpTy>
FailureOr<Value> combineInputs(NodeImporter &n) {
  Value acc = n.input(0);
  for (size_t i = 1; i < n.numInputs(); ++i) {
    FailureOr<Value> next = n.binary<OpTy>(acc, n.input(i));
    if (failed(next))
      return failure();
    acc = *next;
  }
  return acc;
}

template <typename OpTy>
LogicalResult importVariadic(NodeImporter &n) {
  FailureOr<Value> result = combineInputs<OpTy>(n);
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

LogicalResult importMean(NodeImporter &n) {
  FailureOr<Value> sum = combineInputs<AddOp>(n);
  if (failed(sum))
    return failure();
  FailureOr<Value> mean =
      n.binary<DivOp>(*sum, n.scalarLike(*sum, double(n.numInputs())));
  if (failed(mean))
    return failure();
  n.setOutput(0, *mean);
  return success();
}

LogicalResult importPow(NodeImporter &n) {
  // ONNX lets the exponent have its own type (Pow(float, int64)).
  Value base = n.input(0);
  Type element = n.inputType(0).getElementType();
  FailureOr<Value> result =
      n.binary<PowOp>(base, n.cast(n.input(1), element));
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

LogicalResult importCast(NodeImporter &n) {
  const onnx::Attribute *to = n.attr("to");
  if (!to)
    return n.error() << "Cast needs the 'to' attribute";
  auto dtype = static_cast<onnx::DataType>(to->i);
  Type element = convertDataType(n.builder.getContext(), dtype);
  if (!element)
    return n.error() << "Cast to " << onnx::dataTypeName(dtype)
                     << " is not supported";
  n.setOutput(0, n.cast(n.input(0), element));
  return success();
}

LogicalResult importCastLike(NodeImporter &n) {
  n.setOutput(0, n.cast(n.input(0), n.inputType(1).getElementType()));
  return success();
}

LogicalResult importWhere(NodeImporter &n) {
  RankedTensorType cond = n.inputType(0), lhs = n.inputType(1),
                   rhs = n.inputType(2);
  if (!cond.getElementType().isInteger(1))
    return n.error() << "Where's condition must be bool, got "
                     << cond.getElementType();
  if (lhs.getElementType() != rhs.getElementType())
    return n.error() << "operand element types differ: "
                     << lhs.getElementType() << " and "
                     << rhs.getElementType();
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape());
  if (shape)
    shape = broadcastShapes(*shape, cond.getShape());
  if (!shape)
    return n.error() << "shapes " << shapeToString(cond.getShape()) << ", "
                     << shapeToString(lhs.getShape()) << " and "
                     << shapeToString(rhs.getShape()) << " do not broadcast";
  n.setOutput(0, n.create<SelectOp>(
                     n.tensorType(*shape, lhs.getElementType()), n.input(0),
                     n.input(1), n.input(2)));
  return success();
}

LogicalResult importIdentity(NodeImporter &n) {
  n.setOutput(0, n.input(0));
  return success();
}

/// Dropout is the identity at inference. Training mode (opset 12's
/// training_mode input) with a non-zero ratio draws random masks, which pp
/// does not compile. Opsets before 7 are read as inference whatever is_test
/// says, as exporters of that era meant.
LogicalResult importDropout(NodeImporter &n) {
  bool training = false;
  if (n.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> mode = n.intsInput(2, "training_mode");
    if (failed(mode))
      return failure();
    training = llvm::any_of(*mode, [](int64_t v) { return v != 0; });
  }
  if (training) {
    double ratio = n.floatAttr("ratio", 0.5f);
    if (n.hasInput(1)) {
      FailureOr<double> given = n.floatInput(1, "ratio");
      if (failed(given))
        return failure();
      ratio = *given;
    }
    if (ratio != 0)
      return n.error() << "Dropout in training mode (ratio "
                       << llvm::formatv("{0}", ratio).str()
                       << ") draws random masks; pp compiles inference "
                          "graphs only";
  }
  // The data passes through and the mask is all true.
  n.setOutput(0, n.input(0));
  if (n.wantsOutput(1)) {
    auto type = n.tensorType(n.inputType(0).getShape(), n.builder.getI1Type());
    n.setOutput(1, n.constant(DenseElementsAttr::get(type, true)));
  }
  return success();
}

/// Gelu (opset 20): 0.5 x (1 + erf(x / sqrt 2)), or the tanh approximation
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
LogicalResult importGelu(NodeImporter &n) {
  Value x = n.input(0);
  Type type = x.getType();
  auto mul = [&](Value a, Value b) { return *n.binary<MulOp>(a, b); };
  auto add = [&](Value a, Value b) { return *n.binary<AddOp>(a, b); };
  Value inner;
  if (n.stringAttr("approximate", "none") == "tanh") {
    Value cube = mul(mul(x, x), x);
    Value poly = add(x, mul(cube, n.scalarLike(x, 0.044715)));
    Value scaled = mul(poly, n.scalarLike(x, std::sqrt(2.0 / M_PI)));
    inner = n.create<TanhOp>(type, scaled);
  } else {
    inner = n.create<ErfOp>(type, mul(x, n.scalarLike(x, M_SQRT1_2)));
  }
  Value onePlus = add(inner, n.scalarLike(x, 1.0));
  n.setOutput(0, mul(mul(x, n.scalarLike(x, 0.5)), onePlus));
  return success();
}

} // namespace

void mlir::pp::registerElementwiseImporters(OpImporterTable &t) {
  t["Neg"] = requireInputs(1, importUnary<NegOp>);
  t["Abs"] = requireInputs(1, importUnary<AbsOp>);
  t["Exp"] = requireInputs(1, importUnary<ExpOp>);
  t["Log"] = requireInputs(1, importUnary<LogOp>);
  t["Sqrt"] = requireInputs(1, importUnary<SqrtOp>);
  t["Reciprocal"] = requireInputs(1, importUnary<ReciprocalOp>);
  t["Erf"] = requireInputs(1, importUnary<ErfOp>);
  t["Tanh"] = requireInputs(1, importUnary<TanhOp>);
  t["Sigmoid"] = requireInputs(1, importUnary<SigmoidOp>);
  t["Relu"] = requireInputs(1, importUnary<ReluOp>);
  t["Sin"] = requireInputs(1, importUnary<SinOp>);
  t["Cos"] = requireInputs(1, importUnary<CosOp>);
  t["Floor"] = requireInputs(1, importUnary<FloorOp>);
  t["Ceil"] = requireInputs(1, importUnary<CeilOp>);
  t["Not"] = requireInputs(1, importUnary<NotOp>);
  t["Cast"] = requireInputs(1, importCast);
  t["CastLike"] = requireInputs(2, importCastLike);
  t["Add"] = requireInputs(2, importBinary<AddOp>);
  t["Sub"] = requireInputs(2, importBinary<SubOp>);
  t["Mul"] = requireInputs(2, importBinary<MulOp>);
  t["Div"] = requireInputs(2, importBinary<DivOp>);
  t["Pow"] = requireInputs(2, importPow);
  t["Equal"] = requireInputs(2, importBinary<EqualOp>);
  t["Less"] = requireInputs(2, importBinary<LessOp>);
  t["Greater"] = requireInputs(2, importBinary<GreaterOp>);
  t["LessOrEqual"] = requireInputs(2, importOrEqual<LessOp>);
  t["GreaterOrEqual"] = requireInputs(2, importOrEqual<GreaterOp>);
  t["And"] = requireInputs(2, importBinary<AndOp>);
  t["Or"] = requireInputs(2, importBinary<OrOp>);
  t["Sum"] = requireInputs(1, importVariadic<AddOp>);
  t["Max"] = requireInputs(1, importVariadic<MaxOp>);
  t["Min"] = requireInputs(1, importVariadic<MinOp>);
  t["Mean"] = requireInputs(1, importMean);
  t["Where"] = requireInputs(3, importWhere);
  t["Identity"] = requireInputs(1, importIdentity);
  t["Dropout"] = requireInputs(1, importDropout);
  t["Gelu"] = requireInputs(1, importGelu);
}
