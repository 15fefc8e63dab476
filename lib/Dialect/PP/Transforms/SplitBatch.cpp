//===- SplitBatch.cpp - cut the batch into equal parts --------------------===//
//
// Two walks over @main:
// 1. Analysis, on the original shapes: where each value holds the batch
//    (one dim, extent B * r with the batch index outermost, or nowhere),
//    which operands must be rebuilt smaller, or why the batch cannot pass.
// 2. Rewrite: each value that holds the batch gets that dim divided by the
//    factor. Attributes (perms, dims, starts) stay valid as they are, since
//    the batch dim is never sliced, reduced or permuted differently; only
//    types change, plus the shrunk splat constants and broadcasts.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>
#include <optional>
#include <string>

namespace mlir::pp {
#define GEN_PASS_DEF_SPLITBATCHPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

#define DEBUG_TYPE "pp-split-batch"

namespace {

/// What one op does with the batch: the result dim that holds it (none:
/// the batch ends here), the operands that do not hold it but have its
/// extent and must be rebuilt smaller, or why the batch cannot pass.
struct Rule {
  std::optional<int64_t> resultDim;
  SmallVector<std::pair<unsigned, int64_t>> shrink; // operand, dim
  std::string error;

  static Rule at(int64_t dim) { return {dim, {}, {}}; }
  static Rule fail(const Twine &message) { return {{}, {}, message.str()}; }
};

class BatchSplitter {
public:
  BatchSplitter(func::FuncOp main, int64_t batch, int64_t factor)
      : main(main), batch(batch), factor(factor) {}

  /// Finds where every value holds the batch; false after an error.
  LogicalResult analyze();
  /// Divides the batch dims by the factor and writes the annotations.
  void rewrite();

private:
  ArrayRef<int64_t> shape(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  int64_t rank(Value v) { return shape(v).size(); }
  std::optional<int64_t> dimOf(Value v) {
    auto it = dims.find(v);
    if (it == dims.end())
      return std::nullopt;
    return it->second;
  }
  RankedTensorType shrunk(Type type, int64_t dim) {
    auto ranked = cast<RankedTensorType>(type);
    SmallVector<int64_t> sizes(ranked.getShape());
    sizes[dim] /= factor;
    return RankedTensorType::get(sizes, ranked.getElementType(),
                                 ranked.getEncoding());
  }

  void requireUniform(Operation *op, unsigned operand, int64_t dim, Rule &rule);
  Rule elementwise(Operation *op);
  Rule matmul(MatMulOp op);
  Rule reshape(ReshapeOp op);
  Rule concat(ConcatOp op);
  Rule gather(GatherOp op);
  Rule decide(Operation *op);
  Value shrinkUniform(Value v, int64_t dim, Operation *user);

  func::FuncOp main;
  int64_t batch, factor;
  llvm::DenseMap<Value, int64_t> dims;
  llvm::DenseMap<Operation *, SmallVector<std::pair<unsigned, int64_t>>>
      shrinks;
  std::map<std::pair<void *, int64_t>, Value> shrunkValues;
};

/// A value every slice of which along `dim` is the same, so a smaller one
/// built the same way stands in for it: a splat constant, or a broadcast
/// that stretches `dim` from 1 (or from nothing).
bool isUniformAlong(Value v, int64_t dim) {
  if (auto constant = v.getDefiningOp<ConstantOp>()) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    return dense && dense.isSplat();
  }
  if (auto broadcast = v.getDefiningOp<BroadcastOp>()) {
    auto in = cast<RankedTensorType>(broadcast.getInput().getType());
    int64_t inDim =
        dim - (cast<RankedTensorType>(v.getType()).getRank() - in.getRank());
    return inDim < 0 || in.getDimSize(inDim) == 1;
  }
  return false;
}

/// An operand that does not hold the batch but spans the batch extent at
/// `dim` would pair every part with the whole: it must shrink with it.
void BatchSplitter::requireUniform(Operation *op, unsigned operand, int64_t dim,
                                   Rule &rule) {
  Value v = op->getOperand(operand);
  if (isUniformAlong(v, dim)) {
    rule.shrink.push_back({operand, dim});
    return;
  }
  rule = Rule::fail("operand " + Twine(operand) + " has the batch extent " +
                    Twine(shape(v)[dim]) + " at dim " + Twine(dim) +
                    " but does not hold the batch; only a splat constant or "
                    "a broadcast from size 1 can be shrunk");
}

/// Numpy broadcasting: operands align on the right, so an operand's dim d
/// is result dim d + (result rank - operand rank).
Rule BatchSplitter::elementwise(Operation *op) {
  int64_t rr = rank(op->getResult(0));
  std::optional<int64_t> rd;
  for (Value operand : op->getOperands()) {
    std::optional<int64_t> d = dimOf(operand);
    if (!d)
      continue;
    int64_t r = *d + rr - rank(operand);
    if (rd && *rd != r)
      return Rule::fail("operands hold the batch at different dims (" +
                        Twine(*rd) + " and " + Twine(r) + " of the result)");
    rd = r;
  }
  Rule rule = Rule::at(*rd);
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    int64_t od = *rd - (rr - rank(operand));
    if (!dimOf(operand) && od >= 0 && shape(operand)[od] != 1) {
      requireUniform(op, i, od, rule);
      if (!rule.error.empty())
        return rule;
    }
  }
  return rule;
}

/// The last two dims multiply (rows of lhs, columns of rhs, contraction in
/// between); the leading dims broadcast like elementwise operands.
Rule BatchSplitter::matmul(MatMulOp op) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  int64_t rc = rank(op.getResult());
  Value operands[] = {lhs, rhs};
  std::optional<int64_t> rd;
  for (auto [index, v] : llvm::enumerate(operands)) {
    std::optional<int64_t> d = dimOf(v);
    if (!d)
      continue;
    int64_t r = rank(v);
    bool isLhs = index == 0;
    int64_t contracted = isLhs ? r - 1 : r - 2;
    if (*d == contracted)
      return Rule::fail("matmul contracts over dim " + Twine(*d) + " of its " +
                        (isLhs ? "lhs" : "rhs") + ", which holds the batch");
    int64_t out = *d < r - 2 ? *d + rc - r : (isLhs ? rc - 2 : rc - 1);
    if (rd && *rd != out)
      return Rule::fail("matmul operands hold the batch at different dims (" +
                        Twine(*rd) + " and " + Twine(out) + " of the result)");
    rd = out;
  }
  Rule rule = Rule::at(*rd);
  if (*rd < rc - 2) {
    // A broadcast batch dim: the other operand, if it has that dim, must
    // follow.
    for (auto [index, v] : llvm::enumerate(operands)) {
      int64_t od = *rd - (rc - rank(v));
      if (!dimOf(v) && od >= 0 && shape(v)[od] != 1) {
        requireUniform(op, index, od, rule);
        if (!rule.error.empty())
          return rule;
      }
    }
  }
  return rule;
}

/// The batch moves to the output dim with as many elements before it as
/// before the input's batch dim; that dim must still start with the whole
/// batch (be a multiple of B), or the reshape mixes the batch with inner
/// dims.
Rule BatchSplitter::reshape(ReshapeOp op) {
  ArrayRef<int64_t> in = shape(op.getInput());
  ArrayRef<int64_t> out = shape(op.getResult());
  int64_t d = *dimOf(op.getInput());
  int64_t before = 1;
  for (int64_t i = 0; i < d; ++i)
    before *= in[i];
  int64_t product = 1;
  for (size_t e = 0; e < out.size() && product <= before; ++e) {
    if (product == before && out[e] != 0 && out[e] % batch == 0)
      return Rule::at(e);
    product *= out[e];
  }
  return Rule::fail("reshape " + shapeToString(in) + " -> " +
                    shapeToString(out) + " mixes dim " + Twine(d) +
                    ", which holds the batch, with other dims");
}

Rule BatchSplitter::concat(ConcatOp op) {
  int64_t axis = op.getDimAttr().getInt();
  std::optional<int64_t> d;
  for (Value input : op.getInputs()) {
    std::optional<int64_t> di = dimOf(input);
    if (!di)
      continue;
    if (d && *d != *di)
      return Rule::fail("concat inputs hold the batch at different dims (" +
                        Twine(*d) + " and " + Twine(*di) + ")");
    d = di;
  }
  if (*d == axis)
    return Rule::fail("concat along dim " + Twine(axis) +
                      ", which holds the batch");
  Rule rule = Rule::at(*d);
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    if (!dimOf(input)) {
      requireUniform(op, i, *d, rule);
      if (!rule.error.empty())
        return rule;
    }
  }
  return rule;
}

/// The result is input[:dim] ++ indices ++ input[dim+1:].
Rule BatchSplitter::gather(GatherOp op) {
  int64_t axis = op.getDimAttr().getInt();
  std::optional<int64_t> din = dimOf(op.getInput());
  std::optional<int64_t> dix = dimOf(op.getIndices());
  if (din && dix)
    return Rule::fail("gather indexes with the batch (indices dim " +
                      Twine(*dix) + ") into a tensor that holds it at dim " +
                      Twine(*din));
  if (dix)
    return Rule::at(axis + *dix);
  if (*din == axis)
    return Rule::fail("gather along dim " + Twine(axis) +
                      ", which holds the batch");
  return Rule::at(*din < axis ? *din : *din + rank(op.getIndices()) - 1);
}

Rule BatchSplitter::decide(Operation *op) {
  if (op->hasTrait<mlir::pp::OpTrait::Elementwise>())
    return elementwise(op);
  // Ops below read the batch through their first operand, except where
  // noted; a batch in any other operand (a norm's scale) is refused.
  auto onlyFirst = [&](StringRef what) -> std::optional<Rule> {
    for (Value operand : op->getOperands().drop_front())
      if (dimOf(operand))
        return Rule::fail(op->getName().stripDialect() + " " + what +
                          " holds the batch");
    if (!dimOf(op->getOperand(0)))
      return Rule{};
    return std::nullopt;
  };
  return llvm::TypeSwitch<Operation *, Rule>(op)
      .Case([&](MatMulOp m) { return matmul(m); })
      .Case([&](ReshapeOp r) { return reshape(r); })
      .Case([&](ConcatOp c) { return concat(c); })
      .Case([&](GatherOp g) { return gather(g); })
      .Case([&](TransposeOp t) {
        ArrayRef<int64_t> perm = t.getPerm();
        return Rule::at(llvm::find(perm, *dimOf(t.getInput())) - perm.begin());
      })
      .Case([&](SoftmaxOp s) {
        int64_t d = *dimOf(s.getInput());
        if (d == s.getDimAttr().getInt())
          return Rule::fail("softmax over dim " + Twine(d) +
                            ", which holds the batch");
        return Rule::at(d);
      })
      .Case([&](LayerNormOp n) {
        if (std::optional<Rule> r = onlyFirst("scale or bias"))
          return *r;
        int64_t d = *dimOf(n.getInput());
        if (d >= n.getDimAttr().getInt())
          return Rule::fail("layer_norm normalizes over dim " + Twine(d) +
                            ", which holds the batch");
        return Rule::at(d);
      })
      .Case([&](RmsNormOp n) {
        if (std::optional<Rule> r = onlyFirst("scale"))
          return *r;
        int64_t d = *dimOf(n.getInput());
        if (d == rank(n.getInput()) - 1)
          return Rule::fail("rms_norm normalizes over dim " + Twine(d) +
                            ", which holds the batch");
        return Rule::at(d);
      })
      .Case([&](ReduceOp r) {
        int64_t d = *dimOf(r.getInput());
        if (llvm::is_contained(r.getDims(), d))
          return Rule::fail("reduce over dim " + Twine(d) +
                            ", which holds the batch");
        if (!r.getKeepdims())
          d -= llvm::count_if(r.getDims(), [&](int64_t x) { return x < d; });
        return Rule::at(d);
      })
      .Case([&](SliceOp s) {
        // Taking all of the batch dim in order keeps every part whole.
        int64_t d = *dimOf(s.getInput());
        if (s.getStarts()[d] != 0 || s.getSteps()[d] != 1 ||
            shape(s.getResult())[d] != shape(s.getInput())[d])
          return Rule::fail("slice of part of dim " + Twine(d) +
                            ", which holds the batch");
        return Rule::at(d);
      })
      .Case([&](BroadcastOp b) {
        return Rule::at(*dimOf(b.getInput()) + rank(b.getResult()) -
                        rank(b.getInput()));
      })
      .Case([&](TriluOp t) {
        // The triangle is relative to row and column indices.
        int64_t d = *dimOf(t.getInput());
        if (d >= rank(t.getInput()) - 2)
          return Rule::fail("trilu over dim " + Twine(d) +
                            ", which holds the batch");
        return Rule::at(d);
      })
      .Default([&](Operation *other) {
        return Rule::fail("'" + other->getName().getStringRef() +
                          "' has no rule for an operand that holds the batch");
      });
}

LogicalResult BatchSplitter::analyze() {
  for (BlockArgument arg : main.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (type && type.getRank() >= 1 && type.getDimSize(0) == batch)
      dims[arg] = 0;
  }
  if (dims.empty())
    return main.emitError() << "no argument of @main has the batch size "
                            << batch << " at dim 0";

  for (Operation &op : main.getBody().front()) {
    if (isa<func::ReturnOp>(op) ||
        llvm::none_of(op.getOperands(),
                      [&](Value v) { return dimOf(v).has_value(); }))
      continue;
    Rule rule = decide(&op);
    if (!rule.error.empty()) {
      // With factor 1 nothing is cut, so nothing can mix parts: the batch
      // just ends at this op.
      if (factor == 1)
        continue;
      return op.emitError() << "cannot split the batch: " << rule.error;
    }
    if (!rule.resultDim)
      continue;
    for (Value result : op.getResults())
      dims[result] = *rule.resultDim;
    if (!rule.shrink.empty())
      shrinks[&op] = rule.shrink;
  }
  return success();
}

/// A smaller copy of a uniform value, built next to its user and shared by
/// every user that needs the same dim shrunk.
Value BatchSplitter::shrinkUniform(Value v, int64_t dim, Operation *user) {
  auto key = std::make_pair(v.getAsOpaquePointer(), dim);
  if (auto it = shrunkValues.find(key); it != shrunkValues.end())
    return it->second;
  OpBuilder b(user);
  RankedTensorType type = shrunk(v.getType(), dim);
  Value result;
  if (auto constant = v.getDefiningOp<ConstantOp>()) {
    auto dense = cast<DenseElementsAttr>(constant.getValue());
    result = ConstantOp::create(b, constant.getLoc(), type,
                                cast<ElementsAttr>(dense.resizeSplat(type)))
                 .getResult();
  } else {
    auto broadcast = v.getDefiningOp<BroadcastOp>();
    result =
        BroadcastOp::create(b, broadcast.getLoc(), type, broadcast.getInput())
            .getResult();
  }
  shrunkValues[key] = result;
  return result;
}

void BatchSplitter::rewrite() {
  MLIRContext *ctx = main.getContext();
  Block &body = main.getBody().front();
  auto dimAttr = [&](int64_t d) {
    return IntegerAttr::get(IntegerType::get(ctx, 64), d);
  };
  for (BlockArgument arg : main.getArguments()) {
    if (std::optional<int64_t> d = dimOf(arg)) {
      main.setArgAttr(arg.getArgNumber(), "pp.batch_dim", dimAttr(*d));
      if (factor > 1)
        arg.setType(shrunk(arg.getType(), *d));
    }
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, operand] : llvm::enumerate(ret.getOperands()))
    if (std::optional<int64_t> d = dimOf(operand))
      main.setResultAttr(i, "pp.batch_dim", dimAttr(*d));
  if (factor == 1)
    return;

  llvm::SetVector<Operation *> replaced;
  for (Operation &op : llvm::make_early_inc_range(body)) {
    if (auto it = shrinks.find(&op); it != shrinks.end()) {
      for (auto [index, dim] : it->second) {
        Value old = op.getOperand(index);
        op.setOperand(index, shrinkUniform(old, dim, &op));
        if (Operation *def = old.getDefiningOp())
          replaced.insert(def);
      }
    }
    for (Value result : op.getResults())
      if (std::optional<int64_t> d = dimOf(result))
        result.setType(shrunk(result.getType(), *d));
  }
  // The full-size constants and broadcasts may have no reader left.
  for (Operation *op : llvm::reverse(replaced))
    if (op->use_empty())
      op->erase();

  main.setType(
      FunctionType::get(ctx, body.getArgumentTypes(), ret.getOperandTypes()));
}

struct SplitBatchPass
    : public mlir::pp::impl::SplitBatchPassBase<SplitBatchPass> {
  using SplitBatchPassBase::SplitBatchPassBase;
  void runOnOperation() override;
};

void SplitBatchPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.isExternal()) {
    module.emitError("pp-split-batch needs func.func @main");
    return signalPassFailure();
  }
  if (module->hasAttr("pp.batch")) {
    // A second split would lose the first one's record; cut once by D * M.
    module.emitError("the batch of this module is already split (pp.batch); "
                     "split once by the product of the factors");
    return signalPassFailure();
  }
  if (factor < 1 || batchSize < 0) {
    main.emitError("factor must be at least 1 and batch-size at least 0");
    return signalPassFailure();
  }
  int64_t b = batchSize;
  if (b == 0) {
    auto first =
        main.getNumArguments() == 0
            ? RankedTensorType()
            : dyn_cast<RankedTensorType>(main.getArgument(0).getType());
    if (!first || first.getRank() == 0 || first.getDimSize(0) < 1) {
      main.emitError("@main's first argument has no dim 0 to take the batch "
                     "size from; set batch-size");
      return signalPassFailure();
    }
    b = first.getDimSize(0);
  }
  if (b % factor != 0) {
    main.emitError() << "cannot split the batch: batch size " << b
                     << " is not divisible by factor " << int64_t(factor);
    return signalPassFailure();
  }

  BatchSplitter splitter(main, b, int64_t(factor));
  if (failed(splitter.analyze()))
    return signalPassFailure();
  splitter.rewrite();

  Builder builder(&getContext());
  module->setAttr(
      "pp.batch",
      builder.getDictionaryAttr(
          {builder.getNamedAttr("size", builder.getI64IntegerAttr(b)),
           builder.getNamedAttr("factor",
                                builder.getI64IntegerAttr(int64_t(factor)))}));
}

} // namespace
