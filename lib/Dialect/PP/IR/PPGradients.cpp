//===- PPGradients.cpp - reverse-mode rules of the graph ops --------------===//
//
// GradientInterface for every graph op. Each rule maps the cotangent `dy`
// of the result to the cotangents of the operands, built from pp ops, and
// sums broadcast operands back to their shapes. Rules recompute cheap
// intermediates (a norm's mean and inverse deviation) from the saved
// operands instead of asking the forward to keep them. docs/autodiff.md
// has the table.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pp;

using Grads = SmallVector<Value>;

namespace {

/// Builders shared by the rules, at one location.
struct RuleBuilder {
  OpBuilder &b;
  Location loc;

  template <typename OpTy>
  Value ew(ValueRange operands) {
    return buildElementwise<OpTy>(b, loc, operands);
  }
  Value add(Value x, Value y) { return ew<AddOp>({x, y}); }
  Value sub(Value x, Value y) { return ew<SubOp>({x, y}); }
  Value mul(Value x, Value y) { return ew<MulOp>({x, y}); }
  Value div(Value x, Value y) { return ew<DivOp>({x, y}); }
  Value neg(Value x) { return NegOp::create(b, loc, x.getType(), x); }
  Value scalar(Value like, double value) {
    return buildScalar(b, loc, elementTypeOf(like), value);
  }
  /// `x` as a float of `like`'s element type (1.0 for true).
  Value toFloat(Value x, Value like) {
    auto type = RankedTensorType::get(shapeOf(x), elementTypeOf(like));
    return CastOp::create(b, loc, type, x);
  }
  Value select(Value condition, Value x, Value y) {
    return buildElementwise<SelectOp>(b, loc, {condition, x, y},
                                      elementTypeOf(x));
  }
  template <typename OpTy>
  Value cmp(Value x, Value y) {
    return buildElementwise<OpTy>(b, loc, {x, y}, b.getI1Type());
  }
  Value sumTo(Value v, Value like) {
    return buildSumToShape(b, loc, v, shapeOf(like));
  }
  Value reduce(ReduceKind kind, Value v, ArrayRef<int64_t> dims) {
    return buildReduce(b, loc, kind, v, dims, /*keepdims=*/true);
  }
};

RuleBuilder rules(OpBuilder &b, Operation *op) { return {b, op->getLoc()}; }

bool isFloat(Value v) { return isa<FloatType>(elementTypeOf(v)); }

/// Null for an operand that has no cotangent.
Value ifFloat(Value operand, Value cotangent) {
  return isFloat(operand) ? cotangent : Value();
}

SmallVector<int64_t> dimsFrom(int64_t first, int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(first, rank));
}

/// Rule of a unary op whose derivative is `scale(x, y)`: dx = dy * scale.
Grads unary(OpBuilder &b, Operation *op, ValueRange dys,
            function_ref<Value(RuleBuilder &, Value x, Value y)> scale) {
  RuleBuilder r = rules(b, op);
  Value x = op->getOperand(0), y = op->getResult(0);
  return {r.mul(dys[0], scale(r, x, y))};
}

/// The operands of an op that contribute nothing to the gradient.
Grads none(Operation *op) { return Grads(op->getNumOperands(), Value()); }

} // namespace

//===----------------------------------------------------------------------===//
// Unary elementwise
//===----------------------------------------------------------------------===//

Grads NegOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {rules(b, *this).neg(dys[0])};
}

Grads AbsOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // sign(x): +1 above zero, -1 below, 0 at zero.
  return unary(b, *this, dys, [](RuleBuilder &r, Value x, Value) {
    Value zero = r.scalar(x, 0.0);
    return r.sub(r.toFloat(r.cmp<GreaterOp>(x, zero), x),
                 r.toFloat(r.cmp<LessOp>(x, zero), x));
  });
}

Grads ExpOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &, Value, Value y) { return y; });
}

Grads LogOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {rules(b, *this).div(dys[0], getInput())};
}

Grads SqrtOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // dx = dy / (2 sqrt(x))
  RuleBuilder r = rules(b, *this);
  return {r.div(r.mul(dys[0], r.scalar(getResult(), 0.5)), getResult())};
}

Grads ReciprocalOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &r, Value, Value y) {
    return r.neg(r.mul(y, y));
  });
}

Grads ErfOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &r, Value x, Value) {
    Value gauss = r.ew<ExpOp>({r.neg(r.mul(x, x))});
    return r.mul(gauss, r.scalar(x, 2.0 / std::sqrt(M_PI)));
  });
}

Grads TanhOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &r, Value, Value y) {
    return r.sub(r.scalar(y, 1.0), r.mul(y, y));
  });
}

Grads SigmoidOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &r, Value, Value y) {
    return r.mul(y, r.sub(r.scalar(y, 1.0), y));
  });
}

Grads ReluOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  Value x = getInput();
  return {r.select(r.cmp<GreaterOp>(x, r.scalar(x, 0.0)), dys[0],
                   r.scalar(x, 0.0))};
}

Grads SinOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &r, Value x, Value) {
    return r.ew<CosOp>({x});
  });
}

Grads CosOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return unary(b, *this, dys, [](RuleBuilder &r, Value x, Value) {
    return r.neg(r.ew<SinOp>({x}));
  });
}

// Piecewise constant: zero derivative almost everywhere.
Grads FloorOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }
Grads CeilOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }
// Booleans carry no gradient.
Grads NotOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }

Grads CastOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // Between float types the cotangent is cast back; to or from an integer
  // type there is none.
  if (!isFloat(getInput()) || !isFloat(getResult()))
    return none(*this);
  return {CastOp::create(b, getLoc(), getInput().getType(), dys[0])};
}

//===----------------------------------------------------------------------===//
// Binary elementwise
//===----------------------------------------------------------------------===//

Grads AddOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  return {ifFloat(getLhs(), r.sumTo(dys[0], getLhs())),
          ifFloat(getRhs(), r.sumTo(dys[0], getRhs()))};
}

Grads SubOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  return {ifFloat(getLhs(), r.sumTo(dys[0], getLhs())),
          ifFloat(getRhs(), r.sumTo(r.neg(dys[0]), getRhs()))};
}

Grads MulOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  if (!isFloat(getResult()))
    return none(*this);
  return {r.sumTo(r.mul(dys[0], getRhs()), getLhs()),
          r.sumTo(r.mul(dys[0], getLhs()), getRhs())};
}

Grads DivOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // d(a/b) = da / b - db * (a/b) / b
  RuleBuilder r = rules(b, *this);
  if (!isFloat(getResult()))
    return none(*this);
  Value da = r.div(dys[0], getRhs());
  return {r.sumTo(da, getLhs()),
          r.sumTo(r.neg(r.mul(da, getResult())), getRhs())};
}

Grads PowOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // d(a^p) = p a^(p-1) da + a^p ln(a) dp; the exponent's term needs a > 0
  // and is only built when the exponent has a cotangent path.
  RuleBuilder r = rules(b, *this);
  if (!isFloat(getResult()))
    return none(*this);
  Value a = getLhs(), p = getRhs(), dy = dys[0];
  Value pMinusOne = r.sub(p, r.scalar(p, 1.0));
  Value da = r.mul(dy, r.mul(p, r.ew<PowOp>({a, pMinusOne})));
  Value dp = r.mul(dy, r.mul(getResult(), r.ew<LogOp>({a})));
  return {r.sumTo(da, a), r.sumTo(dp, p)};
}

/// max and min: the cotangent goes to the operand that was picked (the
/// lhs on ties).
template <typename LosesOp>
static Grads pickRule(Operation *op, OpBuilder &b, Value dy) {
  RuleBuilder r = rules(b, op);
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (!isFloat(lhs))
    return none(op);
  Value rhsPicked = r.cmp<LosesOp>(lhs, rhs);
  Value zero = r.scalar(dy, 0.0);
  return {r.sumTo(r.select(rhsPicked, zero, dy), lhs),
          r.sumTo(r.select(rhsPicked, dy, zero), rhs)};
}

Grads MaxOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return pickRule<LessOp>(*this, b, dys[0]);
}

Grads MinOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return pickRule<GreaterOp>(*this, b, dys[0]);
}

// Comparisons and logic produce booleans: nothing flows back.
Grads EqualOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }
Grads LessOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }
Grads GreaterOp::buildGradients(OpBuilder &, ValueRange) {
  return none(*this);
}
Grads AndOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }
Grads OrOp::buildGradients(OpBuilder &, ValueRange) { return none(*this); }

Grads SelectOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  Value dy = dys[0];
  if (!isFloat(getResult()))
    return none(*this);
  Value zero = r.scalar(dy, 0.0);
  return {Value(), r.sumTo(r.select(getCondition(), dy, zero), getLhs()),
          r.sumTo(r.select(getCondition(), zero, dy), getRhs())};
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalisation
//===----------------------------------------------------------------------===//

Grads MatMulOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // dA = dY B^T, dB = A^T dY, each summed over the batch dims it was
  // broadcast along.
  RuleBuilder r = rules(b, *this);
  Value a = getLhs(), bm = getRhs(), dy = dys[0];
  auto product = [&](Value x, Value y) {
    SmallVector<int64_t> shape = *broadcastShapes(shapeOf(x).drop_back(2),
                                                  shapeOf(y).drop_back(2));
    shape.push_back(shapeOf(x).drop_back().back());
    shape.push_back(shapeOf(y).back());
    return MatMulOp::create(b, getLoc(),
                            RankedTensorType::get(shape, elementTypeOf(x)), x,
                            y)
        .getResult();
  };
  Value da = product(dy, buildSwapLastTwo(b, getLoc(), bm));
  ArrayRef<int64_t> aShape = shapeOf(a), dyShape = shapeOf(dy);
  if (shapeOf(bm).size() == 2 && aShape.size() > 2) {
    // A shared [k, n] weight: one [k, rows] x [rows, n] product over all
    // rows instead of one per batch entry summed afterwards.
    int64_t rows = numElements(aShape.drop_back());
    Value flatA = buildReshape(b, getLoc(), a, {rows, aShape.back()});
    Value flatDy = buildReshape(b, getLoc(), dy, {rows, dyShape.back()});
    return {r.sumTo(da, a),
            product(buildSwapLastTwo(b, getLoc(), flatA), flatDy)};
  }
  Value db = product(buildSwapLastTwo(b, getLoc(), a), dy);
  return {r.sumTo(da, a), r.sumTo(db, bm)};
}

Grads SoftmaxOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  Value y = getResult(), dy = dys[0];
  int64_t dim = getDim();
  if (getLog()) {
    // y = x - logsumexp(x): dx = dy - softmax(x) * sum(dy)
    Value probs = r.ew<ExpOp>({y});
    return {r.sub(dy, r.mul(probs, r.reduce(ReduceKind::sum, dy, dim)))};
  }
  // dx = y * (dy - sum(dy * y))
  Value dot = r.reduce(ReduceKind::sum, r.mul(dy, y), dim);
  return {r.mul(y, r.sub(dy, dot))};
}

namespace {
/// A norm's input, normalised: xhat = (x - shift) * rstd over `dims`.
struct Normalized {
  Value xhat, rstd;
};

/// For a normalised xhat = x' * rstd (x' the input, less its mean for
/// layer norm) and the cotangent g of xhat, the cotangent of the input:
/// rstd * (g - [mean(g)] - xhat * mean(g * xhat)).
Value normInputGradient(RuleBuilder &r, Normalized n, Value g,
                        ArrayRef<int64_t> dims, bool centered) {
  Value inner = g;
  if (centered)
    inner = r.sub(inner, r.reduce(ReduceKind::mean, g, dims));
  Value proj = r.reduce(ReduceKind::mean, r.mul(g, n.xhat), dims);
  return r.mul(n.rstd, r.sub(inner, r.mul(n.xhat, proj)));
}

Value rsqrtPlus(RuleBuilder &r, Value variance, double epsilon) {
  Value v = r.add(variance, r.scalar(variance, epsilon));
  return r.ew<ReciprocalOp>({r.ew<SqrtOp>({v})});
}
} // namespace

Grads LayerNormOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  Value x = getInput(), dy = dys[0];
  int64_t rank = shapeOf(x).size();
  SmallVector<int64_t> normDims = dimsFrom(getDim(), rank);
  SmallVector<int64_t> leading = dimsFrom(0, getDim());
  Value centered = r.sub(x, r.reduce(ReduceKind::mean, x, normDims));
  Value variance =
      r.reduce(ReduceKind::mean, r.mul(centered, centered), normDims);
  Normalized n;
  n.rstd = rsqrtPlus(r, variance, getEpsilon().convertToDouble());
  n.xhat = r.mul(centered, n.rstd);
  Value dx = normInputGradient(r, n, r.mul(dy, getScale()), normDims,
                               /*centered=*/true);
  auto sumLeading = [&](Value v) {
    return buildReduce(b, getLoc(), ReduceKind::sum, v, leading,
                       /*keepdims=*/false);
  };
  Grads grads = {dx, sumLeading(r.mul(dy, n.xhat))};
  if (getBias())
    grads.push_back(sumLeading(dy));
  return grads;
}

Grads RmsNormOp::buildGradients(OpBuilder &b, ValueRange dys) {
  RuleBuilder r = rules(b, *this);
  Value x = getInput(), dy = dys[0];
  int64_t rank = shapeOf(x).size();
  SmallVector<int64_t> last = {rank - 1};
  Normalized n;
  n.rstd = rsqrtPlus(r, r.reduce(ReduceKind::mean, r.mul(x, x), last),
                     getEpsilon().convertToDouble());
  n.xhat = r.mul(x, n.rstd);
  Value dx = normInputGradient(r, n, r.mul(dy, getScale()), last,
                               /*centered=*/false);
  Value dscale = buildReduce(b, getLoc(), ReduceKind::sum, r.mul(dy, n.xhat),
                             dimsFrom(0, rank - 1), /*keepdims=*/false);
  return {dx, dscale};
}

Grads ReduceOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // The cotangent, with the reduced dims back as 1, broadcast to the input;
  // max and min send it to every element equal to the result.
  RuleBuilder r = rules(b, *this);
  Value x = getInput();
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> kept(in);
  int64_t count = 1;
  for (int64_t d : getDims()) {
    kept[d] = 1;
    count *= in[d];
  }
  Value dy = buildReshape(b, getLoc(), dys[0], kept);
  Value y = buildReshape(b, getLoc(), getResult(), kept);
  switch (getKind()) {
  case ReduceKind::sum:
    return {buildBroadcast(b, getLoc(), dy, in)};
  case ReduceKind::mean:
    return {buildBroadcast(b, getLoc(),
                           r.mul(dy, r.scalar(dy, 1.0 / double(count))), in)};
  case ReduceKind::max:
  case ReduceKind::min:
    return {buildBroadcast(
        b, getLoc(),
        r.select(r.cmp<EqualOp>(x, y), dy, r.scalar(dy, 0.0)), in)};
  case ReduceKind::prod:
    // Needs every element nonzero.
    return {buildBroadcast(b, getLoc(), r.div(r.mul(dy, y), x), in)};
  }
  llvm_unreachable("unknown reduce kind");
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Grads ReshapeOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {buildReshape(b, getLoc(), dys[0], shapeOf(getInput()))};
}

Grads TransposeOp::buildGradients(OpBuilder &b, ValueRange dys) {
  SmallVector<int64_t> inverse(getPerm().size());
  for (auto [i, p] : llvm::enumerate(getPerm()))
    inverse[p] = i;
  return {buildTranspose(b, getLoc(), dys[0], inverse)};
}

Grads BroadcastOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {buildSumToShape(b, getLoc(), dys[0], shapeOf(getInput()))};
}

Grads SliceOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // Per dim the slice cuts: a contiguous window gets zeros concatenated on
  // either side; a strided or reversed one scatters result index i back to
  // input index starts[d] + i * steps[d].
  ArrayRef<int64_t> in = shapeOf(getInput());
  Location loc = getLoc();
  Value grad = dys[0];
  for (int64_t d = 0; d < int64_t(in.size()); ++d) {
    SmallVector<int64_t> shape(shapeOf(grad));
    int64_t start = getStarts()[d], step = getSteps()[d], size = shape[d];
    if (size == in[d] && start == 0 && step == 1)
      continue;
    auto withDim = [&](int64_t extent) {
      SmallVector<int64_t> s(shape);
      s[d] = extent;
      return RankedTensorType::get(s, elementTypeOf(grad));
    };
    if (step == 1) {
      SmallVector<Value> parts;
      if (start > 0)
        parts.push_back(buildZeros(b, loc, withDim(start)));
      parts.push_back(grad);
      if (int64_t after = in[d] - start - size; after > 0)
        parts.push_back(buildZeros(b, loc, withDim(after)));
      grad = ConcatOp::create(b, loc, withDim(in[d]), parts, d);
      continue;
    }
    SmallVector<int64_t> positions;
    for (int64_t i = 0; i < size; ++i)
      positions.push_back(start + i * step);
    grad = ScatterAddOp::create(b, loc, withDim(in[d]), grad,
                                buildIndices(b, loc, positions), d);
  }
  return {grad};
}

Grads ConcatOp::buildGradients(OpBuilder &b, ValueRange dys) {
  int64_t dim = getDim(), offset = 0;
  Grads grads;
  for (Value input : getInputs()) {
    SmallVector<int64_t> starts(shapeOf(input).size(), 0);
    SmallVector<int64_t> steps(starts.size(), 1);
    starts[dim] = offset;
    offset += shapeOf(input)[dim];
    grads.push_back(ifFloat(input, SliceOp::create(b, getLoc(),
                                                   input.getType(), dys[0],
                                                   starts, steps)));
  }
  return grads;
}

Grads GatherOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // Rows picked twice get both cotangents; indices have none.
  return {ifFloat(getInput(),
                  ScatterAddOp::create(b, getLoc(), getInput().getType(),
                                       dys[0], getIndices(), getDim())),
          Value()};
}

Grads ScatterAddOp::buildGradients(OpBuilder &b, ValueRange dys) {
  return {GatherOp::create(b, getLoc(), getUpdates().getType(), dys[0],
                           getIndices(), getDim()),
          Value()};
}

Grads TriluOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // Linear: the kept triangle of the cotangent.
  if (!isFloat(getInput()))
    return none(*this);
  return {TriluOp::create(b, getLoc(), getInput().getType(), dys[0],
                          getUpper(), getK())};
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

Grads CrossEntropyOp::buildGradients(OpBuilder &b, ValueRange dys) {
  // dlogits = dy * (softmax(logits) - onehot(label)) / count, zero on the
  // ignored positions; count is at least 1 so that no NaN appears. The
  // softmax is over the whole vocabulary (PPCrossEntropy.cpp).
  RuleBuilder r = rules(b, *this);
  Value onehot = buildOnehot(b);
  Value valid = buildValid(b);
  Value count = buildCount(b, valid);
  Value probs = buildSoftmax(b).first;
  Value scale = r.div(dys[0], count);
  return {r.mul(r.mul(r.sub(probs, onehot), valid), scale), Value()};
}
