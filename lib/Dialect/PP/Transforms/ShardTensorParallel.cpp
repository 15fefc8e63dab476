//===- ShardTensorParallel.cpp - Megatron tensor parallelism --------------===//
//
// Decide, then rewrite, as sharding propagation and partitioning do. The
// Planner walks each function forward on its unchanged IR: from the
// shardings (#pp.sharding over "tp") of an op's operands and the op's dim
// rules (DimRulesInterface) it chooses the shardings the op needs and the
// sharding of its result, and writes them on the op
// (pp.operand_shardings, pp.result_shardings). The Partitioner then
// converts operands that differ (collectives right after their producers,
// shared by every consumer) and gives results their local types. Two
// rewrites run first or alongside (TensorParallelRewrites.h): fused
// projections become one matmul per slice, and embedding lookups of a
// vocab-split table get masked to the rank's rows.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "TensorParallelRewrites.h"
#include "pp/Dialect/PP/IR/MeshNames.h"
#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::pp {
#define GEN_PASS_DEF_SHARDTENSORPARALLELPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// The shardings this pass gives values, all over the mesh's "tp" axis:
/// replicated, split along one dim, or partial sums.
class TpShardings {
public:
  explicit TpShardings(MLIRContext *ctx)
      : ctx(ctx), mesh(FlatSymbolRefAttr::get(ctx, kMeshName)),
        axes(ArrayAttr::get(ctx, {StringAttr::get(ctx, kTensorAxis)})) {}

  ShardingAttr replicated(int64_t rank) const { return get(rank, -1, false); }
  ShardingAttr split(int64_t rank, int64_t dim) const {
    return get(rank, dim, false);
  }
  ShardingAttr partial(int64_t rank) const { return get(rank, -1, true); }

  /// The dim split over "tp", or -1.
  static int64_t splitDim(ShardingAttr s) {
    for (auto [d, dimAxes] : llvm::enumerate(s.getDimAxes()))
      if (!dimAxes.empty())
        return d;
    return -1;
  }
  static bool isPartial(ShardingAttr s) {
    return s.getPartialAxes() && !s.getPartialAxes().empty();
  }

  MLIRContext *ctx;
  FlatSymbolRefAttr mesh;
  ArrayAttr axes;

private:
  ShardingAttr get(int64_t rank, int64_t dim, bool partial) const {
    SmallVector<ArrayAttr> dims(rank, ArrayAttr::get(ctx, {}));
    if (dim >= 0)
      dims[dim] = axes;
    return ShardingAttr::get(ctx, mesh, dims, partial ? axes : ArrayAttr(),
                             ReductionKind::sum);
  }
};

/// Operand shardings an op needs and the sharding of its result (null:
/// every result replicated).
struct Decision {
  SmallVector<ShardingAttr> operands;
  ShardingAttr result;
  StringRef tpKind; // "column" / "row" for weight matmuls, "vocab" lookups
};

/// Where a column-parallel result goes, followed through elementwise ops.
struct ColumnUses {
  /// The reshape that splits the columns into heads, and the head dim.
  ReshapeOp headReshape;
  int64_t headDim = -1;
  int64_t heads = 0;
  /// A slice keeps only some columns (a fused projection left as is).
  bool sliced = false;
  /// A matmul contracts the columns with a weight (an MLP's down proj).
  bool feedsWeightMatmul = false;
};

/// The sequence dim of [batch, seq, ...] activations.
constexpr int64_t kSeqDim = 1;

/// Weights, and transposes of weights (a tied LM head reads the embedding
/// table transposed): each rank can read its shard of these from the file.
bool isWeightLike(Value v) {
  if (v.getDefiningOp<WeightOp>())
    return true;
  if (auto transpose = v.getDefiningOp<TransposeOp>())
    return isWeightLike(transpose.getInput());
  return false;
}

/// Token ids: a function argument, perhaps reshaped or cast.
bool isInputIds(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<ReshapeOp, CastOp>(def))
      return false;
    v = def->getOperand(0);
  }
  return true;
}

bool hasOnlyTensors(Operation *op) {
  auto isTensor = [](Type type) { return isa<RankedTensorType>(type); };
  return llvm::all_of(op->getOperandTypes(), isTensor) &&
         llvm::all_of(op->getResultTypes(), isTensor);
}

/// Decides, on the unchanged IR, the sharding of every value and what each
/// op needs of its operands, and writes the decisions as
/// pp.operand_shardings / pp.result_shardings (plus pp.tp). The dims come
/// from each op's DimRulesInterface; this class holds Megatron's policy.
class Planner {
public:
  Planner(func::FuncOp func, int64_t t, bool sequenceParallel)
      : func(func), t(t), sequenceParallel(sequenceParallel),
        tp(func.getContext()) {}
  LogicalResult run();

private:
  ArrayRef<int64_t> shape(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  int64_t rank(Value v) { return shape(v).size(); }
  bool divides(Value v, int64_t dim) { return shape(v)[dim] % t == 0; }
  ShardingAttr shardingOf(Value v) {
    if (ShardingAttr s = shardings.lookup(v))
      return s;
    return tp.replicated(rank(v));
  }

  FailureOr<Decision> decide(Operation *op);
  Decision replicatedAll(Operation *op);
  FailureOr<std::optional<Decision>> weightMatmul(MatMulOp op,
                                                  const DimRules &rules);
  std::optional<Decision> vocabLookup(GatherOp op);
  std::optional<Decision> vocabLoss(CrossEntropyOp op);
  FailureOr<Decision> follow(Operation *op, const DimRules &rules);
  std::optional<SmallVector<ShardingAttr>>
  splitWherever(Operation *op, const DimRules &rules, unsigned f);
  FailureOr<bool> useSequenceSplit(Operation *op, Value out);
  ColumnUses columnUses(Value result);
  FailureOr<bool> canSplitColumns(MatMulOp op);
  void recordProjectionHeads();
  void annotate(Operation *op, const Decision &d);

  func::FuncOp func;
  int64_t t;
  bool sequenceParallel;
  TpShardings tp;
  llvm::DenseMap<Value, ShardingAttr> shardings;
  /// For each weight matmul, the most heads among the projections of the
  /// same activation: the query's head count, which GQA's K/V lack.
  llvm::DenseMap<Operation *, int64_t> projectionHeads;
};

Decision Planner::replicatedAll(Operation *op) {
  Decision d;
  for (Value operand : op->getOperands())
    d.operands.push_back(tp.replicated(rank(operand)));
  return d;
}

/// Every operand split on the dim whose major factor is `f`, the others
/// replicated; nullopt when an operand has `f` inside a dim, where a
/// contiguous block of the dim is not a block of `f`.
std::optional<SmallVector<ShardingAttr>>
Planner::splitWherever(Operation *op, const DimRules &rules, unsigned f) {
  SmallVector<ShardingAttr> needs;
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    std::optional<FactorPosition> at = rules.find(rules.operands[i], f);
    if (at && !at->isMajor())
      return std::nullopt;
    needs.push_back(at ? tp.split(rank(operand), at->dim)
                       : tp.replicated(rank(operand)));
  }
  return needs;
}

/// With sequence-parallel, a partial [batch, seq, ...] value that meets
/// an op working on rows (elementwise ops, norms) is reduce-scattered along
/// the sequence instead of all-reduced (Megatron's sequence parallelism).
FailureOr<bool> Planner::useSequenceSplit(Operation *op, Value out) {
  if (!sequenceParallel || rank(out) <= kSeqDim + 1)
    return false;
  if (divides(out, kSeqDim))
    return true;
  return op->emitError() << "cannot shard over tp=" << t
                         << " with sequence-parallel: the sequence length "
                         << shape(out)[kSeqDim] << " (dim " << kSeqDim
                         << ") does not divide by " << t;
}

/// The policy for an op without a special form, on its dim rules:
/// 1. A split survives when the first operand split on a parallel factor
///    finds it as the major factor of a result dim (and of every operand
///    dim that has it); a contraction whose operands are all split on the
///    contracted factor leaves partial sums.
/// 2. A partial value stays partial through a sum of partial values and
///    through ops that only rearrange elements; under sequence parallelism
///    an op working on rows splits the sequence instead.
/// 3. Otherwise everything is replicated.
FailureOr<Decision> Planner::follow(Operation *op, const DimRules &rules) {
  Value out = op->getResult(0);
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    int64_t d = TpShardings::splitDim(shardingOf(operand));
    if (d < 0 || rules.operands[i][d].empty())
      continue;
    unsigned f = rules.operands[i][d].front();
    const DimFactor &factor = rules.factor(f);
    std::optional<SmallVector<ShardingAttr>> needs =
        splitWherever(op, rules, f);
    if (!needs)
      continue;
    if (factor.kind == FactorKind::Parallel) {
      std::optional<FactorPosition> at = rules.find(rules.results.front(), f);
      if (!at || !at->isMajor() || factor.extent % t != 0)
        continue;
      return Decision{*needs, tp.split(rank(out), at->dim), {}};
    }
    if (factor.kind != FactorKind::Reduction)
      continue;
    unsigned holders = 0;
    bool allSplit = true;
    for (auto [j, other] : llvm::enumerate(op->getOperands())) {
      if (!rules.find(rules.operands[j], f))
        continue;
      ++holders;
      allSplit &= shardingOf(other) == (*needs)[j];
    }
    if (holders >= 2 && allSplit)
      return Decision{*needs, tp.partial(rank(out)), {}};
  }

  auto isPartial = [&](Value v) {
    return TpShardings::isPartial(shardingOf(v));
  };
  if (llvm::none_of(op->getOperands(), isPartial))
    return replicatedAll(op);
  auto keepPartial = [&]() {
    Decision d;
    for (Value operand : op->getOperands())
      d.operands.push_back(shardingOf(operand));
    d.result = tp.partial(rank(out));
    return d;
  };
  if (isa<AddOp, SubOp>(op) && llvm::all_of(op->getOperands(), isPartial))
    return keepPartial();
  // One operand whose elements the result holds each once, moved.
  auto factorsOf = [](const TensorFactors &tensor) {
    llvm::SmallDenseSet<unsigned, 8> set;
    for (const DimFactors &dim : tensor)
      set.insert(dim.begin(), dim.end());
    return set;
  };
  bool allParallel = true, contracts = false;
  for (unsigned f = 0; f < rules.numFactors(); ++f) {
    allParallel &= rules.factor(f).kind == FactorKind::Parallel;
    contracts |= rules.factor(f).kind == FactorKind::Reduction;
  }
  if (op->getNumOperands() == 1 &&
      !op->hasTrait<mlir::pp::OpTrait::Elementwise>() && allParallel &&
      factorsOf(rules.operands.front()) == factorsOf(rules.results.front()))
    return keepPartial();
  const DimFactors *seq =
      rank(out) > kSeqDim ? &rules.results.front()[kSeqDim] : nullptr;
  if (!contracts && seq && !seq->empty() &&
      rules.factor(seq->front()).kind == FactorKind::Parallel) {
    FailureOr<bool> split = useSequenceSplit(op, out);
    if (failed(split))
      return failure();
    std::optional<SmallVector<ShardingAttr>> needs =
        splitWherever(op, rules, seq->front());
    if (*split && needs)
      return Decision{*needs, tp.split(rank(out), kSeqDim), {}};
  }
  return replicatedAll(op);
}

/// Follows a projection's result through elementwise ops (bias adds,
/// activations) to what decides how its columns may be split.
ColumnUses Planner::columnUses(Value result) {
  ColumnUses uses;
  int64_t n = shape(result).back();
  SmallVector<Value> worklist{result};
  llvm::SmallPtrSet<Operation *, 16> seen;
  while (!worklist.empty() && seen.size() < 64) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (!seen.insert(user).second)
        continue;
      if (auto slice = dyn_cast<SliceOp>(user)) {
        if (shape(slice.getResult()).back() != n)
          uses.sliced = true;
      } else if (auto reshape = dyn_cast<ReshapeOp>(user)) {
        // Heads when the columns become [heads, head_dim, ...]: the
        // columns' major factor starts a result dim and more follow.
        DimRules rules = reshape.getDimRules();
        const DimFactors &columns = rules.operands.front().back();
        bool parallel = llvm::all_of(columns, [&](unsigned f) {
          return rules.factor(f).kind == FactorKind::Parallel;
        });
        if (columns.size() >= 2 && parallel && !uses.headReshape) {
          FactorPosition head =
              *rules.find(rules.results.front(), columns.front());
          if (head.isMajor()) {
            uses.headReshape = reshape;
            uses.headDim = head.dim;
            uses.heads = rules.factor(columns.front()).extent;
          }
        }
      } else if (auto matmul = dyn_cast<MatMulOp>(user)) {
        if (matmul.getLhs() == v && isWeightLike(matmul.getRhs()) &&
            rank(matmul.getRhs()) == 2 && shape(matmul.getRhs())[0] == n)
          uses.feedsWeightMatmul = true;
      } else if (user->hasTrait<mlir::pp::OpTrait::Elementwise>()) {
        worklist.push_back(user->getResult(0));
      }
    }
  }
  return uses;
}

/// For each weight matmul, the most heads that a projection of the same
/// activation splits into.
void Planner::recordProjectionHeads() {
  llvm::DenseMap<Value, int64_t> most;
  SmallVector<MatMulOp> projections;
  func.walk([&](MatMulOp op) {
    if (!isWeightLike(op.getRhs()) || rank(op.getRhs()) != 2)
      return;
    projections.push_back(op);
    int64_t &m = most[op.getLhs()];
    m = std::max(m, columnUses(op.getResult()).heads);
  });
  for (MatMulOp op : projections)
    projectionHeads[op] = most.lookup(op.getLhs());
}

/// Whether a column-parallel split of `op` is possible. The head count
/// must divide by T, except for GQA's K/V (fewer heads than the query),
/// which stay replicated by design; attention heads or an MLP width that
/// do not divide are errors. Other projections (a vocab that does not
/// divide, a pooler) stay replicated. A result that is sliced along its
/// last dim (a fused projection left as is) cannot be split in contiguous
/// blocks.
FailureOr<bool> Planner::canSplitColumns(MatMulOp op) {
  int64_t n = shape(op.getResult()).back();
  ColumnUses uses = columnUses(op.getResult());
  if (uses.sliced)
    return false;
  if (uses.headReshape) {
    if (uses.heads % t == 0)
      return true;
    if (uses.heads < projectionHeads.lookup(op))
      return false;
    return uses.headReshape.emitError()
           << "cannot shard over tp=" << t << ": " << uses.heads
           << " attention heads do not divide by " << t << " (dim "
           << uses.headDim << " of the reshape)";
  }
  if (n % t == 0)
    return true;
  if (uses.feedsWeightMatmul)
    return op.emitError() << "cannot shard over tp=" << t << ": the MLP width "
                          << n << " does not divide by " << t
                          << " (dim 1 of the weight)";
  return false;
}

/// Megatron's anchors, for a matmul with a replicated 2-D weight: with the
/// activation split on the contracted factor, row-parallel (the weight
/// split on its rows, partial sums); else column-parallel where the
/// columns may be split (the weight on its columns, the result where the
/// columns are); else replicated.
FailureOr<std::optional<Decision>>
Planner::weightMatmul(MatMulOp op, const DimRules &rules) {
  Value a = op.getLhs(), w = op.getRhs(), out = op.getResult();
  if (!isWeightLike(w) || rank(w) != 2 || !shardingOf(w).isReplicated())
    return std::optional<Decision>();
  const DimFactors &rows = rules.operands[1][0];
  const DimFactors &columns = rules.operands[1][1];
  int64_t d = TpShardings::splitDim(shardingOf(a));
  if (d >= 0 && !rows.empty() && rules.operands[0][d] == rows && divides(w, 0))
    return std::optional<Decision>(Decision{
        {shardingOf(a), tp.split(2, 0)}, tp.partial(rank(out)), "row"});
  FailureOr<bool> column = canSplitColumns(op);
  if (failed(column))
    return failure();
  if (*column && !columns.empty()) {
    int64_t dim = rules.find(rules.results.front(), columns.front())->dim;
    return std::optional<Decision>(
        Decision{{tp.replicated(rank(a)), tp.split(2, 1)},
                 tp.split(rank(out), dim),
                 "column"});
  }
  return std::optional<Decision>(replicatedAll(op));
}

/// An embedding lookup of token ids in a weight whose rows divide by T is
/// vocab-parallel: the table is split on its rows and the result is
/// partial (see VocabParallelEmbedding.cpp).
std::optional<Decision> Planner::vocabLookup(GatherOp g) {
  Value table = g.getInput();
  if (g.getDimAttr().getInt() == 0 && table.getDefiningOp<WeightOp>() &&
      rank(table) >= 2 && shardingOf(table).isReplicated() &&
      divides(table, 0) && isInputIds(g.getIndices()))
    return Decision{
        {tp.split(rank(table), 0), tp.replicated(rank(g.getIndices()))},
        tp.partial(rank(g.getResult())),
        "vocab"};
  return std::nullopt;
}

/// A loss over logits split on their classes (a column-parallel LM head's)
/// is vocab-parallel: each rank keeps its block of classes, and the loss
/// reduces its pieces over tp instead of gathering the logits.
std::optional<Decision> Planner::vocabLoss(CrossEntropyOp loss) {
  Value logits = loss.getLogits();
  if (TpShardings::splitDim(shardingOf(logits)) != rank(logits) - 1)
    return std::nullopt;
  return Decision{{shardingOf(logits), tp.replicated(rank(loss.getLabels()))},
                  {},
                  "vocab"};
}

FailureOr<Decision> Planner::decide(Operation *op) {
  auto withRules = dyn_cast<DimRulesInterface>(op);
  if (!withRules || op->getNumResults() != 1)
    return replicatedAll(op);
  DimRules rules = withRules.getDimRules();
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    FailureOr<std::optional<Decision>> d = weightMatmul(matmul, rules);
    if (failed(d))
      return failure();
    if (*d)
      return **d;
  }
  if (auto gather = dyn_cast<GatherOp>(op))
    if (std::optional<Decision> d = vocabLookup(gather))
      return *d;
  if (auto loss = dyn_cast<CrossEntropyOp>(op))
    if (std::optional<Decision> d = vocabLoss(loss))
      return *d;
  return follow(op, rules);
}

void Planner::annotate(Operation *op, const Decision &d) {
  auto *dialect = func.getContext()->getLoadedDialect<PPDialect>();
  if (!d.tpKind.empty())
    dialect->getTpAttrHelper().setAttr(
        op, StringAttr::get(func.getContext(), d.tpKind));
  bool replicated =
      llvm::all_of(d.operands, [](ShardingAttr s) { return s.isReplicated(); });
  if (replicated && (!d.result || d.result.isReplicated()))
    return;
  SmallVector<Attribute> operands(d.operands.begin(), d.operands.end());
  SmallVector<Attribute> results;
  for (Value result : op->getResults())
    results.push_back(d.result ? d.result : tp.replicated(rank(result)));
  dialect->getOperandShardingsAttrHelper().setAttr(
      op, ArrayAttr::get(func.getContext(), operands));
  dialect->getResultShardingsAttrHelper().setAttr(
      op, ArrayAttr::get(func.getContext(), results));
}

LogicalResult Planner::run() {
  recordProjectionHeads();
  for (Operation &op : func.getBody().front()) {
    // Leaves are replicated; consumers convert what they need.
    if (isa<WeightOp, ConstantOp, RecvOp>(op) || !hasOnlyTensors(&op))
      continue;
    FailureOr<Decision> d = decide(&op);
    if (failed(d))
      return failure();
    for (auto [operand, need] : llvm::zip(op.getOperands(), d->operands)) {
      int64_t dim = TpShardings::splitDim(need);
      if (need != shardingOf(operand) && dim >= 0 && !divides(operand, dim))
        return op.emitError() << "cannot split dim " << dim << " of size "
                              << shape(operand)[dim] << " over tp=" << t;
    }
    if (d->result)
      for (Value result : op.getResults())
        shardings[result] = d->result;
    annotate(&op, *d);
  }
  return success();
}

/// Rewrites a function whose ops carry the Planner's decisions into what
/// one rank computes: operands are converted to the sharding their op
/// needs (collectives inserted right after the producer, shared by every
/// consumer), results get their local types, and vocab-parallel lookups
/// are masked.
class Partitioner {
public:
  Partitioner(func::FuncOp func, MeshOp mesh, int64_t t)
      : func(func), mesh(mesh), t(t), tp(func.getContext()) {}
  LogicalResult run();

private:
  int64_t rank(Value v) { return global.lookup(v).getRank(); }
  ShardingAttr shardingOf(Value v) {
    if (ShardingAttr s = shardings.lookup(v))
      return s;
    return tp.replicated(rank(v));
  }
  FailureOr<RankedTensorType> localType(Value v, ShardingAttr sharding);
  FailureOr<Value> convert(Value v, ShardingAttr to);
  FailureOr<Value> shardWeight(Value v, ShardingAttr to);

  func::FuncOp func;
  MeshOp mesh;
  int64_t t;
  TpShardings tp;
  llvm::DenseMap<Value, RankedTensorType> global;
  llvm::DenseMap<Value, ShardingAttr> shardings;
  llvm::DenseMap<std::pair<Value, Attribute>, Value> conversions;
};

FailureOr<RankedTensorType> Partitioner::localType(Value v,
                                                   ShardingAttr sharding) {
  RankedTensorType type = global.lookup(v);
  FailureOr<SmallVector<int64_t>> local = sharding.getLocalShape(
      type.getShape(), mesh, [&] { return mlir::emitError(v.getLoc()); });
  if (failed(local))
    return failure();
  return RankedTensorType::get(*local, type.getElementType());
}

FailureOr<Value> Partitioner::convert(Value v, ShardingAttr to) {
  ShardingAttr from = shardingOf(v);
  if (from == to)
    return v;
  auto key = std::make_pair(v, Attribute(to));
  if (auto it = conversions.find(key); it != conversions.end())
    return it->second;

  OpBuilder b(func.getContext());
  if (Operation *def = v.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(&func.getBody().front());
  Location loc = v.getLoc();
  FailureOr<RankedTensorType> type = localType(v, to);
  if (failed(type))
    return failure();
  int64_t fromDim = TpShardings::splitDim(from);
  int64_t toDim = TpShardings::splitDim(to);
  auto sum = ReductionKindAttr::get(func.getContext(), ReductionKind::sum);
  // The planner only asks for partial values where they already are.
  assert(!TpShardings::isPartial(to) && "no conversion to a partial value");
  Value result;
  if (TpShardings::isPartial(from) && toDim < 0) {
    result = AllReduceOp::create(b, loc, *type, sum, v, tp.mesh, tp.axes);
  } else if (TpShardings::isPartial(from)) {
    result = ReduceScatterOp::create(b, loc, *type, sum, v, tp.mesh, tp.axes,
                                     b.getI64IntegerAttr(toDim));
  } else if (fromDim >= 0 && toDim < 0) {
    result = AllGatherOp::create(b, loc, *type, v, tp.mesh, tp.axes,
                                 b.getI64IntegerAttr(fromDim));
  } else if (fromDim >= 0) {
    result = AllToAllOp::create(b, loc, *type, v, tp.mesh, tp.axes,
                                b.getI64IntegerAttr(toDim),
                                b.getI64IntegerAttr(fromDim));
  } else if (v.getDefiningOp<TransposeOp>() && isWeightLike(v)) {
    FailureOr<Value> shard = shardWeight(v, to);
    if (failed(shard))
      return failure();
    result = *shard;
  } else if (auto weight = v.getDefiningOp<WeightOp>()) {
    // A weight needs no communication: each rank reads its own shard.
    auto clone = cast<WeightOp>(b.clone(*weight));
    clone.getResult().setType(*type);
    clone.setShardingAttr(to);
    result = clone.getResult();
  } else {
    result = AllSliceOp::create(b, loc, *type, v, tp.mesh, tp.axes,
                                b.getI64IntegerAttr(toDim));
  }
  global[result] = global.lookup(v);
  shardings[result] = to;
  conversions[key] = result;
  return result;
}

/// A transpose of a weight, split: the weight split on the dim that holds
/// the same factor, transposed again. Each rank still reads only its shard.
FailureOr<Value> Partitioner::shardWeight(Value v, ShardingAttr to) {
  auto transpose = v.getDefiningOp<TransposeOp>();
  DimRules rules = transpose.getDimRules();
  unsigned f = rules.results.front()[TpShardings::splitDim(to)].front();
  int64_t inputDim = rules.find(rules.operands.front(), f)->dim;
  Value input = transpose.getInput();
  FailureOr<Value> shard = convert(input, tp.split(rank(input), inputDim));
  if (failed(shard))
    return failure();
  OpBuilder b(transpose);
  b.setInsertionPointAfter(transpose);
  auto clone = cast<TransposeOp>(b.clone(*transpose));
  clone->setOperand(0, *shard);
  FailureOr<RankedTensorType> type = localType(v, to);
  if (failed(type))
    return failure();
  clone.getResult().setType(*type);
  return clone.getResult();
}

LogicalResult Partitioner::run() {
  func.walk([&](Operation *op) {
    for (Value v : op->getResults())
      if (auto type = dyn_cast<RankedTensorType>(v.getType()))
        global[v] = type;
  });
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      global[arg] = type;

  auto *dialect = func.getContext()->getLoadedDialect<PPDialect>();
  auto operandsHelper = dialect->getOperandShardingsAttrHelper();
  auto resultsHelper = dialect->getResultShardingsAttrHelper();
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (isa<WeightOp, ConstantOp, RecvOp>(op) || !hasOnlyTensors(op))
      continue;
    ArrayAttr needs = operandsHelper.getAttr(op);
    ArrayAttr results = resultsHelper.getAttr(op);
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      ShardingAttr need =
          needs ? cast<ShardingAttr>(needs[i]) : tp.replicated(rank(operand));
      FailureOr<Value> converted = convert(operand, need);
      if (failed(converted))
        return failure();
      op->setOperand(i, *converted);
    }
    for (auto [i, result] : llvm::enumerate(op->getResults())) {
      ShardingAttr sharding = results ? cast<ShardingAttr>(results[i])
                                      : tp.replicated(rank(result));
      shardings[result] = sharding;
      FailureOr<RankedTensorType> type = localType(result, sharding);
      if (failed(type))
        return failure();
      result.setType(*type);
    }
    if (needs)
      operandsHelper.removeAttr(op);
    if (results)
      resultsHelper.removeAttr(op);
    StringAttr kind = dialect->getTpAttrHelper().getAttr(op);
    if (auto loss = dyn_cast<CrossEntropyOp>(op);
        loss && kind && kind.getValue() == "vocab") {
      loss.setMeshAttr(tp.mesh);
      loss.setAxesAttr(tp.axes);
    }
    if (auto g = dyn_cast<GatherOp>(op);
        g && kind && kind.getValue() == "vocab") {
      int64_t rows = global.lookup(g.getInput()).getDimSize(0);
      Value masked =
          maskVocabParallelLookup(g, rows, rows / t, tp.mesh, tp.axes);
      global[masked] = global.lookup(g.getResult());
      shardings[masked] = shardingOf(g.getResult());
    }
  }
  // Weights, constants and weight transposes that every consumer replaced
  // are dead now.
  for (Operation *op : llvm::reverse(ops))
    if (isa<WeightOp, ConstantOp, TransposeOp>(op) && op->use_empty())
      op->erase();
  return success();
}

struct ShardTensorParallelPass
    : public mlir::pp::impl::ShardTensorParallelPassBase<
          ShardTensorParallelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto mesh = module.lookupSymbol<MeshOp>(kMeshName);
    if (!mesh || mesh.getAxisIndex(kTensorAxis) < 0)
      return; // nothing to shard over
    int64_t t = mesh.getShape()[mesh.getAxisIndex(kTensorAxis)];
    if (t == 1)
      return;
    for (auto func : module.getOps<func::FuncOp>()) {
      splitFusedProjections(func);
      if (failed(Planner(func, t, sequenceParallel).run()))
        return signalPassFailure();
      if (annotateOnly)
        continue;
      if (failed(Partitioner(func, mesh, t).run()))
        return signalPassFailure();
    }
  }
};

} // namespace
