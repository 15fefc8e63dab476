//===- FuseNorms.cpp - RMSNorm and LayerNorm from primitive ops ----------===//
//
// Matches from the last op of each chain (the scale multiply, or the bias
// add) back to the normalised input, checking that every intermediate
// reduces over the last dim only and that the numerator and the reduced
// value are the same SSA value. Intermediates with other users stay; the
// greedy driver erases the ones left dead.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::pp {
#define GEN_PASS_DEF_FUSENORMSPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getShape();
}

/// The value of a splat float constant.
std::optional<double> scalarOf(Value v) {
  DenseElementsAttr value;
  if (!matchPattern(v, m_Constant(&value)) || !value.isSplat() ||
      !llvm::isa<FloatType>(value.getElementType()))
    return std::nullopt;
  return value.getSplatValue<APFloat>().convertToDouble();
}

template <typename OpTy>
OpTy defOf(Value v) {
  return v ? v.getDefiningOp<OpTy>() : OpTy();
}

/// For a commutative binary op, the operand other than `known`, if `known`
/// satisfies `match`.
template <typename OpTy, typename Fn>
std::pair<Value, Value> splitOperands(OpTy op, Fn match) {
  if (match(op.getLhs()))
    return {op.getLhs(), op.getRhs()};
  if (match(op.getRhs()))
    return {op.getRhs(), op.getLhs()};
  return {};
}

/// `mean(v)` over the last dim with keepdims.
Value meanOverLastDim(Value v) {
  auto reduce = defOf<ReduceOp>(v);
  if (!reduce || reduce.getKind() != ReduceKind::mean || !reduce.getKeepdims())
    return {};
  int64_t rank = shapeOf(reduce.getInput()).size();
  if (reduce.getDims() != ArrayRef<int64_t>{rank - 1})
    return {};
  return reduce.getInput();
}

/// `v^2` written as pow(v, 2) or v * v.
Value squared(Value v) {
  if (auto pow = defOf<PowOp>(v))
    if (scalarOf(pow.getRhs()) == 2.0)
      return pow.getLhs();
  if (auto mul = defOf<MulOp>(v))
    if (mul.getLhs() == mul.getRhs())
      return mul.getLhs();
  return {};
}

/// `sqrt(var + eps)`: returns var and eps.
std::pair<Value, double> sqrtPlusEpsilon(Value v) {
  auto sqrt = defOf<SqrtOp>(v);
  auto add = sqrt ? defOf<AddOp>(sqrt.getInput()) : AddOp();
  if (!add)
    return {};
  auto [eps, var] = splitOperands(add, [](Value x) { return scalarOf(x); });
  if (!eps)
    return {};
  return {var, *scalarOf(eps)};
}

/// `n / s`, `n * reciprocal(s)` or `n * (1 / s)`: returns n and s.
std::pair<Value, Value> quotient(Value v) {
  if (auto div = defOf<DivOp>(v))
    return {div.getLhs(), div.getRhs()};
  if (auto mul = defOf<MulOp>(v)) {
    auto [recip, n] = splitOperands(
        mul, [](Value x) { return bool(defOf<ReciprocalOp>(x)); });
    if (recip)
      return {n, defOf<ReciprocalOp>(recip).getInput()};
    // n * (1 / s), as torch exports rsqrt.
    auto [inverse, m] = splitOperands(mul, [](Value x) {
      auto div = defOf<DivOp>(x);
      return div && scalarOf(div.getLhs()) == 1.0;
    });
    if (inverse)
      return {m, defOf<DivOp>(inverse).getRhs()};
  }
  return {};
}

/// The scale as a tensor of the last dim's shape, or null when `scale` has
/// another shape (a scale that varies over other dims is no norm's scale).
Value asLastDimVector(PatternRewriter &rewriter, Location loc, Value scale,
                      Value x) {
  ArrayRef<int64_t> s = shapeOf(scale);
  int64_t last = shapeOf(x).back();
  if (s.empty() || s.back() != last ||
      llvm::any_of(s.drop_back(), [](int64_t d) { return d != 1; }))
    return {};
  if (s.size() == 1)
    return scale;
  auto type = RankedTensorType::get(
      {last}, llvm::cast<ShapedType>(scale.getType()).getElementType());
  return ReshapeOp::create(rewriter, loc, type, scale);
}

/// x / sqrt(mean(x^2) + eps) * w  ->  pp.rms_norm x, w
struct RmsNormPattern : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [normalized, scale] :
         {std::pair(mul.getLhs(), mul.getRhs()),
          std::pair(mul.getRhs(), mul.getLhs())}) {
      auto [x, denominator] = quotient(normalized);
      if (!x || shapeOf(mul.getResult()) != shapeOf(x))
        continue;
      auto [var, eps] = sqrtPlusEpsilon(denominator);
      if (!var || squared(meanOverLastDim(var)) != x)
        continue;
      Value w = asLastDimVector(rewriter, mul.getLoc(), scale, x);
      if (!w)
        continue;
      rewriter.replaceOpWithNewOp<RmsNormOp>(
          mul, mul.getType(), x, w, rewriter.getF32FloatAttr(eps));
      return success();
    }
    return failure();
  }
};

/// (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * w + b
///   ->  pp.layer_norm x, w, b over the last dim
struct LayerNormPattern : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (auto [scaled, bias] : {std::pair(add.getLhs(), add.getRhs()),
                                std::pair(add.getRhs(), add.getLhs())}) {
      auto mul = defOf<MulOp>(scaled);
      if (!mul)
        continue;
      for (auto [normalized, scale] :
           {std::pair(mul.getLhs(), mul.getRhs()),
            std::pair(mul.getRhs(), mul.getLhs())}) {
        auto [centered, denominator] = quotient(normalized);
        auto sub = defOf<SubOp>(centered);
        if (!sub || meanOverLastDim(sub.getRhs()) != sub.getLhs())
          continue;
        Value x = sub.getLhs();
        if (shapeOf(add.getResult()) != shapeOf(x))
          continue;
        auto [var, eps] = sqrtPlusEpsilon(denominator);
        if (!var || squared(meanOverLastDim(var)) != centered)
          continue;
        Value w = asLastDimVector(rewriter, add.getLoc(), scale, x);
        Value b = asLastDimVector(rewriter, add.getLoc(), bias, x);
        if (!w || !b)
          continue;
        int64_t dim = shapeOf(x).size() - 1;
        rewriter.replaceOpWithNewOp<LayerNormOp>(
            add, add.getType(), x, w, b, rewriter.getI64IntegerAttr(dim),
            rewriter.getF32FloatAttr(eps));
        return success();
      }
    }
    return failure();
  }
};

struct FuseNormsPass : public mlir::pp::impl::FuseNormsPassBase<FuseNormsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RmsNormPattern, LayerNormPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
