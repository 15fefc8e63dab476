//===- SequenceAnalysis.cpp - where a model's token positions go ----------===//
//
// One walk over the function in order. Each value may hold two kinds of
// positions: the queries' (the tokens of this step; every activation that
// is computed per token holds them) and the keys' (only attention scores
// and what is computed from them before the values are summed). Per op,
// the dim rules say which factor each holding operand keeps them in; the
// policy here:
//
//   - queries stay in a parallel factor (the op acts position by position);
//   - a matmul of queries by queries in different parallel factors is an
//     attention's scores: its result holds both;
//   - keys may be normalized over by a softmax (or reduced by the reduce of
//     a written-out one), and are summed away by a matmul with an operand
//     that holds the queries in the same factor: the values;
//   - an operand that holds neither but has a factor that holds them lines
//     up with the positions; it must be built from constants and weights
//     only (the rewrite takes its rows at the step's positions), and where
//     it meets the scores it may be the causal mask.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/SequenceAnalysis.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"

#include <fstream>

using namespace mlir;
using namespace mlir::pp;

namespace mlir::pp {

namespace {

/// A score at or below this is hidden: exp() of it (and of anything this
/// far below the row's largest score) is 0 in f32, as for -inf.
constexpr double kMasked = -1e4;

enum class Role { Query, Key };

/// One operand's positions: which kind, in which factor, and the elements
/// before them inside the factor.
struct Held {
  unsigned operand;
  Role role;
  unsigned factor;
  int64_t before;
};

StringRef describe(Role role) {
  return role == Role::Query ? "the sequence" : "the attention's keys";
}

/// The values of a mask some exports keep as an initializer (a weight):
/// read from its file, when it is a whole tensor of at most 64 MiB.
DenseElementsAttr readWeight(WeightOp w) {
  auto type = cast<RankedTensorType>(w.getType());
  auto module = w->getParentOfType<ModuleOp>();
  auto dir = module ? module->getAttrOfType<StringAttr>("pp.weights_dir")
                    : StringAttr();
  unsigned bits = type.getElementTypeBitWidth();
  int64_t bytes = type.getNumElements() * (bits == 1 ? 1 : bits / 8);
  if (!dir || w.getFileShape() || w.getFileElementType() || bits % 8 > 1 ||
      bytes > (int64_t(64) << 20))
    return {};
  std::ifstream file((dir.getValue() + "/" + w.getFile()).str(),
                     std::ios::binary);
  std::vector<char> data(bytes);
  if (!file.seekg(w.getOffset()) || !file.read(data.data(), bytes))
    return {};
  if (bits == 1) { // ONNX keeps a bool per byte
    SmallVector<bool> values(data.begin(), data.end());
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, data, splat))
    return {};
  return DenseElementsAttr::getFromRawBuffer(type, data);
}

std::optional<double> splatValue(Value v) {
  DenseElementsAttr dense;
  if (!matchPattern(v, m_Constant(&dense)) || !dense.isSplat() ||
      !isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

} // namespace

class SequenceWalker {
public:
  explicit SequenceWalker(SequenceAnalysis &a) : a(a) {}

  LogicalResult run(func::FuncOp func);

private:
  LogicalResult visit(Operation *op);
  LogicalResult visitScores(Operation *op, const DimRules &rules,
                            ArrayRef<Held> held);
  LogicalResult visitValues(Operation *op, const DimRules &rules,
                            ArrayRef<Held> held);
  /// The argument `v` is computed from, if any.
  std::optional<BlockArgument> inputBehind(Value v);
  /// Whether `op`'s operand `mask` hides every key after its query.
  bool masksLaterKeys(Operation *op, unsigned mask, int64_t queryDim,
                      int64_t keyDim);
  void setResults(Operation *op, const DimRules &rules,
                  std::optional<std::pair<unsigned, int64_t>> query,
                  std::optional<std::pair<unsigned, int64_t>> key,
                  std::optional<unsigned> attention);

  SequenceAnalysis &a;
  llvm::DenseMap<Value, std::optional<BlockArgument>> behind;
};

std::optional<BlockArgument> SequenceWalker::inputBehind(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg;
  if (auto it = behind.find(v); it != behind.end())
    return it->second;
  behind[v] = std::nullopt;
  std::optional<BlockArgument> found;
  for (Value operand : v.getDefiningOp()->getOperands())
    if ((found = inputBehind(operand)))
      break;
  behind[v] = found;
  return found;
}

bool SequenceWalker::masksLaterKeys(Operation *op, unsigned mask,
                                    int64_t queryDim, int64_t keyDim) {
  DenseElementsAttr dense;
  if (!matchPattern(op->getOperand(mask), m_Constant(&dense)))
    if (auto weight = op->getOperand(mask).getDefiningOp<WeightOp>())
      dense = readWeight(weight);
  if (!dense)
    return false;
  // Which mask values hide a score.
  std::function<bool(double)> hides;
  if (isa<AddOp>(op)) {
    hides = [](double m) { return m <= kMasked; };
  } else if (isa<SelectOp>(op) && mask == 0) {
    std::optional<double> onTrue = splatValue(op->getOperand(1));
    std::optional<double> onFalse = splatValue(op->getOperand(2));
    if (onTrue && *onTrue <= kMasked)
      hides = [](double c) { return c != 0; };
    else if (onFalse && *onFalse <= kMasked)
      hides = [](double c) { return c == 0; };
  }
  if (!hides)
    return false;
  SmallVector<double> values;
  if (isa<FloatType>(dense.getElementType()))
    for (APFloat v : dense.getValues<APFloat>())
      values.push_back(v.convertToDouble());
  else
    for (APInt v : dense.getValues<APInt>())
      values.push_back(double(v.getZExtValue()));
  ArrayRef<int64_t> shape = dense.getType().getShape();
  for (auto [linear, value] : llvm::enumerate(values)) {
    int64_t rest = int64_t(linear), q = 0, k = 0;
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      int64_t index = rest % shape[d];
      rest /= shape[d];
      if (d == queryDim)
        q = index;
      if (d == keyDim)
        k = index;
    }
    if (k > q && !hides(value))
      return false;
  }
  return true;
}

void SequenceWalker::setResults(
    Operation *op, const DimRules &rules,
    std::optional<std::pair<unsigned, int64_t>> query,
    std::optional<std::pair<unsigned, int64_t>> key,
    std::optional<unsigned> attention) {
  for (Value result : op->getResults()) {
    if (query) {
      FactorPosition at = *rules.find(rules.results.front(), query->first);
      a.queries[result] = SeqAt{at.dim, at.before * query->second};
    }
    if (key) {
      FactorPosition at = *rules.find(rules.results.front(), key->first);
      a.keys[result] = SeqAt{at.dim, at.before * key->second};
      a.attentionOf[result] = *attention;
    }
  }
}

/// Queries (lhs rows) times keys (rhs columns): a new attention.
LogicalResult SequenceWalker::visitScores(Operation *op, const DimRules &rules,
                                          ArrayRef<Held> held) {
  a.found.push_back(Attention{});
  a.found.back().scores = op;
  setResults(op, rules, std::make_pair(held[0].factor, held[0].before),
             std::make_pair(held[1].factor, held[1].before),
             unsigned(a.found.size() - 1));
  return success();
}

/// Probabilities (queries and keys) times values (the keys' positions).
LogicalResult SequenceWalker::visitValues(Operation *op, const DimRules &rules,
                                          ArrayRef<Held> held) {
  std::optional<Held> query;
  for (const Held &h : held)
    if (h.operand == 0 && h.role == Role::Query)
      query = h;
  unsigned attention = a.attentionOf.lookup(op->getOperand(0));
  Attention &at = a.found[attention];
  if (!at.softmax)
    return op->emitError()
           << "generation: the attention's scores reach its values without "
              "a softmax over the keys";
  at.values = op;
  if (query)
    setResults(op, rules, std::make_pair(query->factor, query->before),
               std::nullopt, std::nullopt);
  return success();
}

LogicalResult SequenceWalker::visit(Operation *op) {
  StringRef name = op->getName().stripDialect();
  auto rulesOf = dyn_cast<DimRulesInterface>(op);
  if (!rulesOf)
    return op->emitError() << "generation: '" << op->getName()
                           << "' has no dim rule to follow the sequence by";
  DimRules rules = rulesOf.getDimRules();
  SmallVector<Held> held;
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    for (Role role : {Role::Query, Role::Key}) {
      std::optional<SeqAt> at =
          role == Role::Query ? a.queryAt(operand) : a.keyAt(operand);
      if (!at)
        continue;
      auto found = rules.locate(rules.operands[i], at->dim, at->before,
                                a.seqLength);
      if (!found)
        return op->emitError()
               << "generation: " << name << " "
               << shapeToString(
                      cast<RankedTensorType>(operand.getType()).getShape())
               << " mixes dim " << at->dim << ", which holds "
               << describe(role) << ", with other dims";
      held.push_back({unsigned(i), role, found->first, found->second});
    }

  auto kind = [&](const Held &h) { return rules.factor(h.factor).kind; };
  if (isa<MatMulOp>(op)) {
    // Scores: queries by queries, each in a parallel factor of its own.
    if (held.size() == 2 && held[0].operand == 0 && held[1].operand == 1 &&
        held[0].role == Role::Query && held[1].role == Role::Query &&
        held[0].factor != held[1].factor &&
        kind(held[0]) == FactorKind::Parallel &&
        kind(held[1]) == FactorKind::Parallel)
      return visitScores(op, rules, held);
    // Values: the keys of the lhs contracted with the positions of the rhs.
    for (const Held &k : held)
      for (const Held &v : held)
        if (k.operand == 0 && k.role == Role::Key && v.operand == 1 &&
            v.role == Role::Query && k.factor == v.factor &&
            kind(k) == FactorKind::Reduction && held.size() == 3)
          return visitValues(op, rules, held);
  }

  // Every other op: one factor for the queries, one for the keys.
  std::optional<Held> query, key;
  for (const Held &h : held) {
    std::optional<Held> &same = h.role == Role::Query ? query : key;
    if (same && same->factor != h.factor)
      return op->emitError()
             << "generation: " << name << " operands hold "
             << describe(h.role) << " at different dims";
    same = h;
  }
  if (query && kind(*query) != FactorKind::Parallel) {
    SeqAt at = *a.queryAt(op->getOperand(query->operand));
    return op->emitError()
           << "generation: " << name << " " << rules.factor(query->factor).verb
           << " dim " << at.dim
           << ", which holds the sequence; generation needs every op but "
              "causal attention to act position by position";
  }
  std::optional<unsigned> attention;
  if (key) {
    attention = a.attentionOf.lookup(op->getOperand(key->operand));
    FactorKind k = kind(*key);
    bool normalizes = (k == FactorKind::Whole && isa<SoftmaxOp>(op)) ||
                      (k == FactorKind::Reduction && isa<ReduceOp>(op));
    if (k != FactorKind::Parallel && !normalizes) {
      SeqAt at = *a.keyAt(op->getOperand(key->operand));
      return op->emitError()
             << "generation: " << name << " " << rules.factor(key->factor).verb
             << " dim " << at.dim
             << ", which holds the attention's keys; only a softmax over "
                "them and the sum of the values may";
    }
    if (normalizes && !a.found[*attention].softmax)
      a.found[*attention].softmax = op;
  }

  // Operands that line up with the positions without holding them.
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    if (llvm::any_of(held, [&](const Held &h) { return h.operand == i; }))
      continue;
    std::optional<FactorPosition> q, k;
    if (query)
      q = rules.find(rules.operands[i], query->factor);
    if (key)
      k = rules.find(rules.operands[i], key->factor);
    if (!q && !k)
      continue;
    if (std::optional<BlockArgument> arg = inputBehind(operand)) {
      auto named = cast<func::FuncOp>(op->getParentOp())
                       .getArgAttrOfType<StringAttr>(arg->getArgNumber(),
                                                     "pp.name");
      return op->emitError()
             << "generation: operand " << i << " of " << name
             << " lines up with " << describe(q ? Role::Query : Role::Key)
             << " but is computed from input '"
             << (named ? named.getValue() : StringRef("?"))
             << "'; a generated step feeds the model only its token ids";
    }
    AlignedOperand aligned{op, unsigned(i), std::nullopt, std::nullopt};
    if (q)
      aligned.queryDim = q->dim;
    if (k)
      aligned.keyDim = k->dim;
    a.aligned.push_back(aligned);
    if (!q || !k)
      continue;
    Attention &at = a.found[*attention];
    if (!at.mask && !at.softmax &&
        masksLaterKeys(op, unsigned(i), q->dim, k->dim)) {
      at.mask = op;
      at.maskOperand = unsigned(i);
    }
  }

  setResults(op, rules,
             query ? std::make_optional(std::make_pair(query->factor,
                                                       query->before))
                   : std::nullopt,
             key && kind(*key) != FactorKind::Reduction
                 ? std::make_optional(std::make_pair(key->factor, key->before))
                 : std::nullopt,
             attention);
  return success();
}

LogicalResult SequenceWalker::run(func::FuncOp func) {
  a.queries[a.idsArg] = a.seedAt;
  for (Operation &op : func.getBody().front()) {
    bool holds = llvm::any_of(op.getOperands(), [&](Value v) {
      return a.queryAt(v) || a.keyAt(v);
    });
    if (!holds)
      continue;
    // A result, or the activation a pipeline stage sends on (the next
    // stage's analysis starts from it).
    if (isa<func::ReturnOp, SendOp>(op)) {
      for (Value v : op.getOperands())
        if (a.keyAt(v))
          return op.emitError()
                 << "generation: a result holds attention scores over the "
                    "keys, which a step cannot return";
      continue;
    }
    if (failed(visit(&op)))
      return failure();
  }
  for (const Attention &at : a.found) {
    if (!at.values)
      return at.scores->emitError()
             << "generation: the attention's keys never meet its values";
    if (!at.mask)
      return at.softmax->emitError()
             << "generation: attention over the keys is not causal: no mask "
                "of constants hides the later keys from each query, so the "
                "model cannot generate token by token (a bidirectional "
                "encoder, or a mask that is an input)";
  }
  return success();
}

std::optional<SeqAt> SequenceAnalysis::queryAt(Value v) const {
  auto it = queries.find(v);
  return it == queries.end() ? std::nullopt : std::make_optional(it->second);
}

std::optional<SeqAt> SequenceAnalysis::keyAt(Value v) const {
  auto it = keys.find(v);
  return it == keys.end() ? std::nullopt : std::make_optional(it->second);
}

FailureOr<SequenceAnalysis> SequenceAnalysis::analyze(func::FuncOp func,
                                                      Value seed, SeqAt at,
                                                      int64_t length) {
  SequenceAnalysis a;
  a.idsArg = seed;
  a.seedAt = at;
  a.seqDim = at.dim;
  a.seqLength = length;
  if (a.seqLength < 2)
    return func.emitError() << "generation: the token ids have "
                            << a.seqLength << " position at dim " << at.dim
                            << "; export the model with at least 2";
  if (failed(SequenceWalker(a).run(func)))
    return failure();
  return a;
}

FailureOr<SequenceAnalysis> SequenceAnalysis::analyze(func::FuncOp func,
                                                      int64_t dim) {
  SmallVector<BlockArgument> integers;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (type && isa<IntegerType>(type.getElementType()) && type.getRank() > 0)
      integers.push_back(arg);
  }
  auto nameOf = [&](BlockArgument arg) {
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                  "pp.name");
    return name ? name.getValue() : StringRef("?");
  };
  if (integers.size() > 1)
    llvm::erase_if(integers,
                   [&](BlockArgument arg) { return nameOf(arg) != "input_ids"; });
  if (integers.size() != 1)
    return func.emitError()
           << "generation needs one integer input, the token ids (or one "
              "named 'input_ids' among several); the model has "
           << integers.size();
  BlockArgument ids = integers.front();
  int64_t rank = cast<RankedTensorType>(ids.getType()).getRank();
  if (dim >= rank)
    return func.emitError() << "generation: the token ids '" << nameOf(ids)
                            << "' have no dim " << dim;
  auto at = [&](int64_t d) {
    return std::make_pair(SeqAt{d, 1},
                          cast<RankedTensorType>(ids.getType()).getDimSize(d));
  };
  if (dim >= 0)
    return analyze(func, ids, at(dim).first, at(dim).second);
  // [batch, seq] is likeliest; a sequence-first model has [seq, batch].
  for (int64_t d = rank - 1; d >= 0; --d) {
    ScopedDiagnosticHandler quiet(func.getContext(),
                                  [](Diagnostic &) { return success(); });
    FailureOr<SequenceAnalysis> a = analyze(func, ids, at(d).first,
                                            at(d).second);
    if (succeeded(a) && !a->attentions().empty())
      return a;
  }
  return analyze(func, ids, at(rank - 1).first, at(rank - 1).second);
}

} // namespace mlir::pp
