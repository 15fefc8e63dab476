//===- OpsMath.cpp - elementwise ONNX ops composed of pp ops --------------===//
//
// Activations (Softplus, LeakyRelu, HardSigmoid, HardSwish), Clip, Sign,
// Round, Mod, Xor, IsNaN and IsInf have no pp op of their own: each is a
// short chain of compares, selects and arithmetic, so every later pass and
// both targets handle them without new kernels. Picking with select (never
// multiplying by a 0/1 mask) keeps NaN and inf where ONNX puts them.
//
//===----------------------------------------------------------------------===//

#include "Compose.h"

#include "pp/Dialect/PP/IR/ShapeUtils.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

LogicalResult requireFloat(NodeImporter &n, size_t i) {
  if (isFloat(n.input(i)))
    return success();
  return n.error() << n.node.opType << " needs a floating-point input, got "
                   << n.inputType(i).getElementType();
}

/// log(1 + exp(x)) as max(x, 0) + log(1 + exp(-|x|)), which neither
/// overflows for large x nor loses small values for very negative x.
LogicalResult importSoftplus(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  Math m{n};
  Value x = n.input(0);
  Value tail = m.un<LogOp>(
      m.add(m.c(x, 1), m.un<ExpOp>(m.un<NegOp>(m.un<AbsOp>(x)))));
  n.setOutput(0, m.add(m.max(x, m.c(x, 0)), tail));
  return success();
}

LogicalResult importLeakyRelu(NodeImporter &n) {
  Math m{n};
  Value x = n.input(0);
  Value scaled = m.mul(x, m.c(x, n.floatAttr("alpha", 0.01f)));
  n.setOutput(0, m.select(m.less(x, m.c(x, 0)), scaled, x));
  return success();
}

/// max(0, min(1, alpha x + beta)).
Value hardSigmoid(Math &m, Value x, double alpha, double beta) {
  Value linear = m.add(m.mul(x, m.c(x, alpha)), m.c(x, beta));
  return m.max(m.min(linear, m.c(x, 1)), m.c(x, 0));
}

LogicalResult importHardSigmoid(NodeImporter &n) {
  Math m{n};
  n.setOutput(0, hardSigmoid(m, n.input(0), n.floatAttr("alpha", 0.2f),
                             n.floatAttr("beta", 0.5f)));
  return success();
}

LogicalResult importHardSwish(NodeImporter &n) {
  Math m{n};
  Value x = n.input(0);
  n.setOutput(0, m.mul(x, hardSigmoid(m, x, 1.0 / 6.0, 0.5)));
  return success();
}

/// Bounds from inputs 1 and 2 (opset 11+) or the min/max attributes; an
/// absent bound does not clip.
LogicalResult importClip(NodeImporter &n) {
  Math m{n};
  Value y = n.input(0);
  RankedTensorType type = n.inputType(0);
  auto bound = [&](size_t i, StringRef name, bool lower) -> FailureOr<Value> {
    if (n.opset < 11) {
      if (!n.attr(name))
        return Value();
      return m.c(y, n.floatAttr(name, 0));
    }
    if (!n.hasInput(i))
      return Value();
    RankedTensorType t = n.inputType(i);
    if (t.getRank() != 0 && t.getNumElements() != 1)
      return n.error() << "Clip's " << (lower ? "min" : "max")
                       << " must be a scalar, got shape "
                       << shapeToString(t.getShape());
    if (t.getElementType() != type.getElementType())
      return n.error() << "operand element types differ: "
                       << type.getElementType() << " and "
                       << t.getElementType();
    return n.reshape(n.input(i), {});
  };
  FailureOr<Value> lo = bound(1, "min", true);
  if (failed(lo))
    return failure();
  FailureOr<Value> hi = bound(2, "max", false);
  if (failed(hi))
    return failure();
  if (*lo)
    y = m.max(y, *lo);
  if (*hi)
    y = m.min(y, *hi);
  n.setOutput(0, y);
  return success();
}

/// 1, -1 or the input itself (0, -0 and NaN stay as they are).
LogicalResult importSign(NodeImporter &n) {
  Math m{n};
  Value x = n.input(0);
  Value zero = m.c(x, 0);
  Value negative = m.select(m.less(x, zero), m.c(x, -1), x);
  n.setOutput(0, m.select(m.greater(x, zero), m.c(x, 1), negative));
  return success();
}

/// Round half to even, exactly: with f = floor(x), x - f is exact; below
/// 0.5 gives f, above gives f + 1, and a tie gives whichever is even. NaN
/// and inf fall through to f.
LogicalResult importRound(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  Math m{n};
  Value x = n.input(0);
  Value f = m.un<FloorOp>(x);
  Value up = m.add(f, m.c(x, 1));
  Value fraction = m.sub(x, f);
  Value half = m.c(x, 0.5);
  Value halfF = m.mul(f, half);
  Value odd = m.less(m.un<FloorOp>(halfF), halfF);
  Value tie = m.select(odd, up, f);
  Value result = m.select(m.less(fraction, half), f,
                          m.select(m.greater(fraction, half), up, tie));
  n.setOutput(0, result);
  return success();
}

/// fmod = 1: the remainder has the dividend's sign (C fmod); fmod = 0: the
/// divisor's (Python %). Integers use pp.div, which truncates; floats
/// compute a - trunc(a / b) * b.
LogicalResult importMod(NodeImporter &n) {
  Math m{n};
  Value a = n.input(0), b = n.input(1);
  FailureOr<Value> quotient = n.binary<DivOp>(a, b);
  if (failed(quotient))
    return failure();
  Value q = isFloat(a) ? m.trunc(*quotient) : *quotient;
  Value r = m.sub(a, m.mul(q, b));
  if (n.intAttr("fmod", 0) == 0) {
    // A non-zero remainder whose sign differs from the divisor's.
    Value zero = m.c(r, 0);
    Value differ =
        m.bin<OrOp>(m.bin<AndOp>(m.less(r, zero), m.greater(b, zero)),
                    m.bin<AndOp>(m.greater(r, zero), m.less(b, zero)));
    r = m.select(differ, m.add(r, b), r);
  }
  n.setOutput(0, r);
  return success();
}

LogicalResult importXor(NodeImporter &n) {
  Math m{n};
  Value a = n.input(0), b = n.input(1);
  FailureOr<Value> both = n.binary<AndOp>(a, b);
  if (failed(both))
    return failure();
  n.setOutput(0, m.bin<AndOp>(m.bin<OrOp>(a, b), m.un<NotOp>(*both)));
  return success();
}

LogicalResult importIsNaN(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  Math m{n};
  Value x = n.input(0);
  n.setOutput(0, m.un<NotOp>(m.equal(x, x)));
  return success();
}

LogicalResult importIsInf(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  Math m{n};
  Value x = n.input(0);
  Value positive = m.equal(x, n.extremeLike(x, true));
  Value negative = m.equal(x, n.extremeLike(x, false));
  bool detectPositive = n.intAttr("detect_positive", 1) != 0;
  bool detectNegative = n.intAttr("detect_negative", 1) != 0;
  Value result;
  if (detectPositive && detectNegative)
    result = m.bin<OrOp>(positive, negative);
  else if (detectPositive)
    result = positive;
  else if (detectNegative)
    result = negative;
  else
    result = n.constant(DenseElementsAttr::get(
        n.tensorType(n.inputType(0).getShape(), n.builder.getI1Type()),
        false));
  n.setOutput(0, result);
  return success();
}

} // namespace

void mlir::pp::registerMathImporters(OpImporterTable &t) {
  t["Softplus"] = requireInputs(1, importSoftplus);
  t["LeakyRelu"] = requireInputs(1, importLeakyRelu);
  t["HardSigmoid"] = requireInputs(1, importHardSigmoid);
  t["HardSwish"] = requireInputs(1, importHardSwish);
  t["Clip"] = requireInputs(1, importClip);
  t["Sign"] = requireInputs(1, importSign);
  t["Round"] = requireInputs(1, importRound);
  t["Mod"] = requireInputs(2, importMod);
  t["Xor"] = requireInputs(2, importXor);
  t["IsNaN"] = requireInputs(1, importIsNaN);
  t["IsInf"] = requireInputs(1, importIsInf);
}
