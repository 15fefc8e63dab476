//===- SplitBatch.cpp - cut the batch into equal parts --------------------===//
//
// Two walks over @main:
// 1. Analysis, on the original shapes: where each value holds the batch
//    (inside one dim, as a factor of it, or nowhere), which operands must
//    be rebuilt smaller, or why the batch cannot pass. Ops say how their
//    dims relate through DimRulesInterface; this file only keeps the
//    policy: the batch must stay in one parallel factor.
// 2. Rewrite: each value that holds the batch gets that dim divided by the
//    factor. Attributes (perms, dims, starts) stay valid as they are, since
//    the batch is never sliced, reduced or permuted differently; only types
//    change, plus the shrunk splat constants and broadcasts.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SetVector.h"

#include <map>
#include <optional>
#include <string>

namespace mlir::pp {
#define GEN_PASS_DEF_SPLITBATCHPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Where a value holds the batch: inside dim `dim`, after `before` elements
/// of other dims merged into it on its major side (1 when the batch is the
/// dim's outermost part).
struct BatchAt {
  int64_t dim;
  int64_t before;
};

/// What one op does with the batch: where each result holds it (none: the
/// batch ends here), the operands that do not hold it but have its extent
/// and must be rebuilt smaller, or why the batch cannot pass.
struct Rule {
  std::optional<BatchAt> result;
  SmallVector<std::pair<unsigned, int64_t>> shrink; // operand, dim
  std::string error;

  static Rule fail(const Twine &message) { return {{}, {}, message.str()}; }
};

class BatchSplitter {
public:
  /// `guess` words where the batch was assumed to be when nobody said
  /// (dim 0 of the first argument); errors repeat it, since a wrong guess
  /// (a sequence-first model) is the likeliest cause.
  BatchSplitter(func::FuncOp main, int64_t batch, int64_t factor,
                int64_t axis, std::string guess)
      : main(main), batch(batch), factor(factor), axis(axis),
        guess(std::move(guess)) {}

  /// Finds where every value holds the batch; false after an error.
  LogicalResult analyze();
  /// Whether the batch of size `batch` at dim `axis` can be cut by
  /// `factor`, without reporting why not.
  static LogicalResult analyzeQuietly(func::FuncOp main, int64_t batch,
                                      int64_t factor, int64_t axis) {
    if (batch % factor != 0)
      return failure();
    ScopedDiagnosticHandler quiet(main.getContext(),
                                  [](Diagnostic &) { return success(); });
    return BatchSplitter(main, batch, factor, axis, "").analyze();
  }
  /// Divides the batch dims by the factor and writes the annotations.
  void rewrite();

private:
  ArrayRef<int64_t> shape(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  std::optional<BatchAt> batchOf(Value v) {
    auto it = holders.find(v);
    if (it == holders.end())
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

  Rule follow(Operation *op);
  Value shrinkUniform(Value v, int64_t dim, Operation *user);

  func::FuncOp main;
  int64_t batch, factor, axis;
  std::string guess;
  llvm::DenseMap<Value, BatchAt> holders;
  llvm::DenseMap<Operation *, SmallVector<std::pair<unsigned, int64_t>>>
      shrinks;
  std::map<std::pair<void *, int64_t>, Value> shrunkValues;
  llvm::DenseMap<std::pair<Value, int64_t>, bool> uniformMemo;
};

/// Whether every element of a dense constant equals the one at index 0 of
/// `dim` with the same other indices.
bool isDenseUniformAlong(DenseElementsAttr dense, int64_t dim) {
  if (dense.isSplat())
    return true;
  ArrayRef<int64_t> sizes = dense.getType().getShape();
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < int64_t(sizes.size()); ++d)
    inner *= sizes[d];
  int64_t extent = sizes[dim];
  SmallVector<Attribute> values(dense.getValues<Attribute>());
  for (auto [i, value] : llvm::enumerate(values)) {
    int64_t along = (int64_t(i) / inner) % extent;
    // Attributes are uniqued, so equal elements are the same pointer.
    if (value != values[i - along * inner])
      return false;
  }
  return true;
}

/// Whether every slice of `v` along `dim` is the same, so that the first
/// slices stand in for any part of the batch. Proven from how `v` is built:
/// a constant equal along `dim`, a broadcast that stretches `dim` from 1
/// (or from nothing), or an op all of whose operands that have `dim`'s
/// factor are themselves equal along it (arange -> unsqueeze -> expand ->
/// table lookup). Arguments and weights are not: their rows may differ.
bool isUniformAlong(Value v, int64_t dim,
                    llvm::DenseMap<std::pair<Value, int64_t>, bool> &memo) {
  auto key = std::make_pair(v, dim);
  if (auto it = memo.find(key); it != memo.end())
    return it->second;
  memo[key] = false; // no cycles in a block, but keep the walk finite
  bool uniform = false;
  Operation *def = v.getDefiningOp();
  if (auto constant = dyn_cast_or_null<ConstantOp>(def)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    uniform = dense && isDenseUniformAlong(dense, dim);
  } else if (auto broadcast = dyn_cast_or_null<BroadcastOp>(def)) {
    auto in = cast<RankedTensorType>(broadcast.getInput().getType());
    int64_t inDim =
        dim - (cast<RankedTensorType>(v.getType()).getRank() - in.getRank());
    uniform = inDim < 0 || in.getDimSize(inDim) == 1 ||
              isUniformAlong(broadcast.getInput(), inDim, memo);
  } else if (auto rulesOf = dyn_cast_or_null<DimRulesInterface>(def);
             rulesOf && def->getNumResults() == 1 &&
             def->getNumOperands() > 0) {
    DimRules rules = rulesOf.getDimRules();
    int64_t extent = cast<RankedTensorType>(v.getType()).getDimSize(dim);
    auto found = rules.locate(rules.results.front(), dim, 1, extent);
    if (found && rules.factor(found->first).kind == FactorKind::Parallel) {
      uniform = true;
      for (auto [i, operand] : llvm::enumerate(def->getOperands())) {
        std::optional<FactorPosition> pos =
            rules.find(rules.operands[i], found->first);
        if (pos && !isUniformAlong(operand, pos->dim, memo)) {
          uniform = false;
          break;
        }
      }
    }
  }
  memo[key] = uniform;
  return uniform;
}

/// The batch policy on top of the op's dim rules: every operand that holds
/// the batch must hold it in the same parallel factor; the results hold it
/// where that factor is; an operand that has the factor without holding the
/// batch would pair every part with the whole, so it must be uniform.
Rule BatchSplitter::follow(Operation *op) {
  auto rulesOf = dyn_cast<DimRulesInterface>(op);
  if (!rulesOf)
    return Rule::fail("'" + op->getName().getStringRef() +
                      "' has no rule for an operand that holds the batch");
  DimRules rules = rulesOf.getDimRules();
  StringRef name = op->getName().stripDialect();
  auto resultDim = [&](unsigned f) {
    return rules.find(rules.results.front(), f)->dim;
  };
  // The factor that holds the batch, and the elements before the batch in it.
  std::optional<std::pair<unsigned, int64_t>> held;
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    std::optional<BatchAt> at = batchOf(operand);
    if (!at)
      continue;
    const TensorFactors &dims = rules.operands[i];
    if (dims[at->dim].empty())
      return Rule{}; // a batch of 1: nothing to follow
    auto found = rules.locate(dims, at->dim, at->before, batch);
    if (!found)
      return Rule::fail(name + " " + shapeToString(shape(operand)) + " -> " +
                        shapeToString(shape(op->getResult(0))) + " mixes dim " +
                        Twine(at->dim) +
                        ", which holds the batch, with other dims");
    const DimFactor &f = rules.factor(found->first);
    StringRef role = i < rules.operandRoles.size() ? rules.operandRoles[i] : "";
    if (f.kind != FactorKind::Parallel) {
      if (!role.empty() && rules.hasNoParallelDim(dims))
        return Rule::fail(name + " " + role + " holds the batch");
      return Rule::fail(name + " " + f.verb + " dim " + Twine(at->dim) +
                        (role.empty() ? Twine() : " of its " + role) +
                        ", which holds the batch");
    }
    if (held && *held != *found)
      return Rule::fail(name + " operands hold the batch at different dims (" +
                        Twine(resultDim(held->first)) + " and " +
                        Twine(resultDim(found->first)) + " of the result)");
    held = *found;
  }

  Rule rule;
  FactorPosition out = *rules.find(rules.results.front(), held->first);
  rule.result = BatchAt{out.dim, out.before * held->second};
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    if (batchOf(operand))
      continue;
    std::optional<FactorPosition> pos =
        rules.find(rules.operands[i], held->first);
    if (!pos)
      continue;
    if (!isUniformAlong(operand, pos->dim, uniformMemo))
      return Rule::fail(
          "operand " + Twine(i) + " has the batch extent " +
          Twine(shape(operand)[pos->dim]) + " at dim " + Twine(pos->dim) +
          " but does not hold the batch; only a value equal along that dim "
          "(built from constants and broadcasts, not from inputs or "
          "weights) can be shrunk");
    rule.shrink.push_back({unsigned(i), pos->dim});
  }
  return rule;
}

LogicalResult BatchSplitter::analyze() {
  for (BlockArgument arg : main.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (type && type.getRank() > axis && type.getDimSize(axis) == batch)
      holders[arg] = BatchAt{axis, 1};
  }
  if (holders.empty())
    return main.emitError() << "no argument of @main has the batch size "
                            << batch << " at dim " << axis << guess;

  for (Operation &op : main.getBody().front()) {
    if (llvm::none_of(op.getOperands(),
                      [&](Value v) { return batchOf(v).has_value(); }))
      continue;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      // The parts of a result are joined along its batch dim, which only
      // works when the batch is that dim's outermost part.
      for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
        std::optional<BatchAt> at = batchOf(operand);
        if (factor > 1 && at && at->before != 1)
          return ret.emitError()
                 << "cannot split the batch: result " << i
                 << " holds the batch inside dim " << at->dim << " after "
                 << at->before
                 << " elements of other dims, so its parts cannot be joined";
      }
      continue;
    }
    Rule rule = follow(&op);
    if (!rule.error.empty()) {
      // With factor 1 nothing is cut, so nothing can mix parts: the batch
      // just ends at this op.
      if (factor == 1)
        continue;
      return op.emitError() << "cannot split the batch: " << rule.error
                             << guess;
    }
    if (!rule.result)
      continue;
    for (Value result : op.getResults())
      holders[result] = *rule.result;
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
  auto constant = v.getDefiningOp<ConstantOp>();
  auto dense = constant ? dyn_cast<DenseElementsAttr>(constant.getValue())
                        : DenseElementsAttr();
  auto broadcast = v.getDefiningOp<BroadcastOp>();
  auto in = broadcast
                ? cast<RankedTensorType>(broadcast.getInput().getType())
                : RankedTensorType();
  int64_t inDim = in ? dim - (type.getRank() - in.getRank()) : -1;
  if (dense && dense.isSplat()) {
    result = ConstantOp::create(b, constant.getLoc(), type,
                                cast<ElementsAttr>(dense.resizeSplat(type)))
                 .getResult();
  } else if (broadcast && (inDim < 0 || in.getDimSize(inDim) == 1)) {
    result =
        BroadcastOp::create(b, broadcast.getLoc(), type, broadcast.getInput())
            .getResult();
  } else {
    // Equal along `dim`, so its first slices are any part's slices.
    int64_t rank = type.getRank();
    result = SliceOp::create(b, v.getLoc(), type, v,
                             SmallVector<int64_t>(rank, 0),
                             SmallVector<int64_t>(rank, 1))
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
  StringRef batchDim = PPDialect::BatchDimAttrHelper::getNameStr();
  for (BlockArgument arg : main.getArguments()) {
    if (std::optional<BatchAt> at = batchOf(arg)) {
      main.setArgAttr(arg.getArgNumber(), batchDim, dimAttr(at->dim));
      if (factor > 1)
        arg.setType(shrunk(arg.getType(), at->dim));
    }
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
    std::optional<BatchAt> at = batchOf(operand);
    // Only a batch at the dim's outer side joins by concatenation.
    if (at && at->before == 1)
      main.setResultAttr(i, batchDim, dimAttr(at->dim));
  }
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
      if (std::optional<BatchAt> at = batchOf(result))
        result.setType(shrunk(result.getType(), at->dim));
  }
  // The full-size constants and broadcasts may have no reader left.
  for (Operation *op : llvm::reverse(replaced))
    if (op->use_empty())
      op->erase();

  main.setType(
      FunctionType::get(ctx, body.getArgumentTypes(), ret.getOperandTypes()));
}

/// "NAME:AXIS" of the argument dim that the model names as the batch
/// ("batch", "batch_size", "bs", "B"), or "" when none does.
std::string batchDimByName(func::FuncOp main) {
  for (BlockArgument arg : main.getArguments()) {
    auto names = main.getArgAttrOfType<ArrayAttr>(
        arg.getArgNumber(), PPDialect::DimNamesAttrHelper::getNameStr());
    auto name = main.getArgAttrOfType<StringAttr>(
        arg.getArgNumber(), PPDialect::NameAttrHelper::getNameStr());
    if (!names || !name)
      continue;
    for (auto [axis, dim] : llvm::enumerate(names.getAsValueRange<StringAttr>())) {
      std::string lower = dim.lower();
      if (StringRef(lower).contains("batch") || lower == "b" || lower == "bs")
        return (name.getValue() + ":" + Twine(axis)).str();
    }
  }
  return "";
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
  StringRef batchAttr = PPDialect::BatchAttrHelper::getNameStr();
  if (module->hasAttr(batchAttr)) {
    // A second split would lose the first one's record; cut once by D * M.
    module.emitError("the batch of this module is already split (pp.batch); "
                     "split once by the product of the factors");
    return signalPassFailure();
  }
  if (factor < 1 || batchSize < 0) {
    main.emitError("factor must be at least 1 and batch-size at least 0");
    return signalPassFailure();
  }
  int64_t b = batchSize, axis = 0;
  std::string spec = batchDim;
  if (spec.empty() && b == 0)
    spec = batchDimByName(main);
  std::string guess;
  if (!spec.empty()) {
    // NAME:AXIS names the batch where dim 0 is not it ([T, B] inputs).
    auto [name, axisText] = StringRef(spec).rsplit(':');
    BlockArgument named;
    for (BlockArgument arg : main.getArguments())
      if (auto attr = main.getArgAttrOfType<StringAttr>(
              arg.getArgNumber(), PPDialect::NameAttrHelper::getNameStr()))
        if (attr.getValue() == name)
          named = arg;
    auto type = named ? dyn_cast<RankedTensorType>(named.getType())
                      : RankedTensorType();
    if (axisText.getAsInteger(10, axis) || !type || axis < 0 ||
        axis >= type.getRank()) {
      main.emitError() << "batch-dim '" << spec
                       << "' must name an argument of @main and one of its "
                          "dims, as NAME:AXIS";
      return signalPassFailure();
    }
    if (b == 0)
      b = type.getDimSize(axis);
  }
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
    // Nobody said where the batch is. When dim 0 of the first argument
    // divides but cannot be cut (a sequence-first model's attention reads
    // across it), the first of its other dims that can be cut is the
    // batch; only when none can does dim 0's error stand.
    if (batchSize == 0 && spec.empty() && b % factor == 0 &&
        failed(BatchSplitter::analyzeQuietly(main, b, factor, 0)))
      for (int64_t d = 1; d < first.getRank(); ++d)
        if (first.getDimSize(d) % factor == 0 &&
            succeeded(BatchSplitter::analyzeQuietly(
                main, first.getDimSize(d), factor, d))) {
          b = first.getDimSize(d);
          axis = d;
          break;
        }
  }
  if (spec.empty() && axis == 0) {
    llvm::raw_string_ostream os(guess);
    os << "; the batch was taken to be dim 0 of the arguments of extent " << b;
    if (auto names = main.getArgAttrOfType<ArrayAttr>(
            0, PPDialect::DimNamesAttrHelper::getNameStr()))
      if (auto first = llvm::cast<StringAttr>(names[0]); !first.empty())
        os << " (the model names the first argument's dim 0 '"
           << first.getValue() << "')";
    os << "; if the batch is another dim, say so with --batch-dim=NAME:AXIS";
  }
  if (b % factor != 0) {
    main.emitError() << "cannot split the batch: batch size " << b
                     << " is not divisible by factor " << int64_t(factor);
    return signalPassFailure();
  }

  BatchSplitter splitter(main, b, int64_t(factor), axis, guess);
  if (failed(splitter.analyze()))
    return signalPassFailure();
  splitter.rewrite();

  Builder builder(&getContext());
  module->setAttr(
      batchAttr,
      builder.getDictionaryAttr(
          {builder.getNamedAttr("size", builder.getI64IntegerAttr(b)),
           builder.getNamedAttr("factor",
                                builder.getI64IntegerAttr(int64_t(factor)))}));
}

} // namespace
