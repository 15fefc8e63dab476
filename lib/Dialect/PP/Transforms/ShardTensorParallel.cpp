//===- ShardTensorParallel.cpp - Megatron tensor parallelism --------------===//
//
// One forward walk per function. For each op: read its operands' layouts,
// let the op's rule choose the layouts it needs and the layout of its
// result, convert operands that differ (inserting collectives right after
// their producers, cached so every consumer shares one), and give the
// result its local type. Rules work on the global shapes recorded before
// the walk. Two rewrites run first or alongside (TensorParallelRewrites.h):
// fused projections become one matmul per slice, and embedding lookups of
// a vocab-split table get masked to the rank's rows.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "TensorParallelRewrites.h"
#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>

namespace mlir::pp {
#define GEN_PASS_DEF_SHARDTENSORPARALLELPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

#define DEBUG_TYPE "pp-shard-tensor-parallel"

namespace {

/// How one value is held by the ranks of the "tp" axis.
struct Layout {
  enum Kind { Replicated, Split, Partial };
  Kind kind = Replicated;
  int64_t dim = -1;

  static Layout replicated() { return {}; }
  static Layout split(int64_t d) { return {Split, d}; }
  static Layout partial() { return {Partial, -1}; }
  bool isSplit() const { return kind == Split; }
  bool operator==(const Layout &o) const {
    return kind == o.kind && dim == o.dim;
  }
};

/// Operand layouts an op needs and the layout of its result.
struct Decision {
  SmallVector<Layout> operands;
  Layout result;
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

class Sharder {
public:
  Sharder(func::FuncOp func, int64_t t, bool sequenceParallel)
      : func(func), t(t), sequenceParallel(sequenceParallel) {}
  LogicalResult run();

private:
  ArrayRef<int64_t> shape(Value v) { return global.lookup(v).getShape(); }
  int64_t rank(Value v) { return global.lookup(v).getRank(); }
  Layout layoutOf(Value v) {
    auto it = layouts.find(v);
    return it == layouts.end() ? Layout::replicated() : it->second;
  }
  RankedTensorType localType(Value v, Layout layout);
  bool divides(Value v, int64_t dim) { return shape(v)[dim] % t == 0; }
  FailureOr<Value> convert(Value v, Layout to, Operation *user);
  FailureOr<Value> shardWeight(Value v, Layout to, Operation *user);

  FailureOr<Decision> elementwise(Operation *op);
  FailureOr<Decision> matmul(MatMulOp op);
  FailureOr<Decision> norm(Operation *op, Value input, int64_t firstNormDim);
  Decision reshape(ReshapeOp op);
  Decision gather(GatherOp op);
  FailureOr<Decision> decide(Operation *op);
  ColumnUses columnUses(Value result);
  FailureOr<bool> canSplitColumns(MatMulOp op);
  FailureOr<bool> useSequenceSplit(Operation *op, Value out);
  void recordProjectionHeads();

  func::FuncOp func;
  int64_t t;
  bool sequenceParallel;
  llvm::DenseMap<Value, RankedTensorType> global;
  llvm::DenseMap<Value, Layout> layouts;
  std::map<std::tuple<void *, int, int64_t>, Value> conversions;
  /// For each weight matmul, the most heads among the projections of the
  /// same activation: the query's head count, which GQA's K/V lack.
  llvm::DenseMap<Operation *, int64_t> projectionHeads;
};

RankedTensorType Sharder::localType(Value v, Layout layout) {
  RankedTensorType type = global.lookup(v);
  if (!layout.isSplit())
    return type;
  SmallVector<int64_t> dims(type.getShape());
  dims[layout.dim] /= t;
  return RankedTensorType::get(dims, type.getElementType());
}

FailureOr<Value> Sharder::convert(Value v, Layout to, Operation *user) {
  Layout from = layoutOf(v);
  if (from == to || !llvm::isa<RankedTensorType>(v.getType()))
    return v;
  auto key = std::make_tuple(v.getAsOpaquePointer(), int(to.kind), to.dim);
  if (auto it = conversions.find(key); it != conversions.end())
    return it->second;
  if (to.isSplit() && !divides(v, to.dim))
    return user->emitError()
           << "cannot split dim " << to.dim << " of size "
           << shape(v)[to.dim] << " over tp=" << t;

  OpBuilder b(func.getContext());
  if (Operation *def = v.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(&func.getBody().front());
  Location loc = v.getLoc();
  auto mesh = FlatSymbolRefAttr::get(func.getContext(), "world");
  auto axes = b.getStrArrayAttr({"tp"});
  RankedTensorType type = localType(v, to);
  auto sumAttr = ReductionKindAttr::get(func.getContext(), ReductionKind::sum);
  Value result;
  if (from.kind == Layout::Partial && to.kind == Layout::Replicated) {
    result = AllReduceOp::create(b, loc, type, sumAttr, v, mesh,
                                   axes);
  } else if (from.kind == Layout::Partial) {
    result = ReduceScatterOp::create(b, loc, type, sumAttr, v, mesh,
                                       axes, b.getI64IntegerAttr(to.dim));
  } else if (from.isSplit() && to.kind == Layout::Replicated) {
    result = AllGatherOp::create(b, loc, type, v, mesh, axes,
                                   b.getI64IntegerAttr(from.dim));
  } else if (from.isSplit() && to.isSplit()) {
    result = AllToAllOp::create(b, loc, type, v, mesh, axes,
                                  b.getI64IntegerAttr(to.dim),
                                  b.getI64IntegerAttr(from.dim));
  } else if (to.isSplit() && v.getDefiningOp<TransposeOp>() &&
             isWeightLike(v)) {
    FailureOr<Value> shard = shardWeight(v, to, user);
    if (failed(shard))
      return failure();
    result = *shard;
  } else if (auto weight = v.getDefiningOp<WeightOp>();
             weight && to.isSplit()) {
    // A weight needs no communication: each rank reads its own shard.
    SmallVector<Attribute> dims(rank(v), b.getArrayAttr({}));
    dims[to.dim] = axes;
    auto clone = cast<WeightOp>(b.clone(*weight));
    clone.getResult().setType(type);
    clone->setAttr("sharding",
                   ShardingAttr::get(func.getContext(), mesh,
                                     llvm::to_vector(llvm::map_range(
                                         dims,
                                         [](Attribute a) {
                                           return llvm::cast<ArrayAttr>(a);
                                         })),
                                     ArrayAttr(), ReductionKind::sum));
    result = clone.getResult();
  } else if (to.kind == Layout::Partial) {
    return user->emitError("internal error: no conversion to a partial value");
  } else {
    result = AllSliceOp::create(b, loc, type, v, mesh, axes,
                                  b.getI64IntegerAttr(to.dim));
  }
  global[result] = global.lookup(v);
  layouts[result] = to;
  conversions[key] = result;
  return result;
}

/// A transpose of a weight, split: the weight split on the matching dim,
/// transposed again. Each rank still reads only its shard.
FailureOr<Value> Sharder::shardWeight(Value v, Layout to, Operation *user) {
  auto transpose = v.getDefiningOp<TransposeOp>();
  FailureOr<Value> input = convert(
      transpose.getInput(), Layout::split(transpose.getPerm()[to.dim]), user);
  if (failed(input))
    return failure();
  OpBuilder b(transpose);
  b.setInsertionPointAfter(transpose);
  auto clone = cast<TransposeOp>(b.clone(*transpose));
  clone->setOperand(0, *input);
  clone.getResult().setType(localType(v, to));
  return clone.getResult();
}

/// With sequence-parallel, a partial [batch, seq, ...] value that meets
/// an op working on rows (elementwise ops, norms) is reduce-scattered along
/// the sequence instead of all-reduced (Megatron's sequence parallelism).
FailureOr<bool> Sharder::useSequenceSplit(Operation *op, Value out) {
  if (!sequenceParallel || rank(out) <= kSeqDim + 1)
    return false;
  if (divides(out, kSeqDim))
    return true;
  return op->emitError() << "cannot shard over tp=" << t
                         << " with sequence-parallel: the sequence length "
                         << shape(out)[kSeqDim] << " (dim " << kSeqDim
                         << ") does not divide by " << t;
}

/// The result is split like the first split operand (in result dims); a
/// sum of partial values stays partial; anything else is replicated, or
/// split along the sequence under sequence parallelism.
FailureOr<Decision> Sharder::elementwise(Operation *op) {
  Value out = op->getResult(0);
  int64_t rr = rank(out);
  Decision d;
  for (Value operand : op->getOperands()) {
    Layout l = layoutOf(operand);
    if (l.isSplit()) {
      d.result = Layout::split(l.dim + rr - rank(operand));
      break;
    }
  }
  auto isPartial = [&](Value v) {
    return layoutOf(v).kind == Layout::Partial;
  };
  bool allPartial = llvm::all_of(op->getOperands(), isPartial);
  if (!d.result.isSplit() && allPartial && isa<AddOp, SubOp>(op)) {
    d.result = Layout::partial();
  } else if (!d.result.isSplit() &&
             llvm::any_of(op->getOperands(), isPartial)) {
    FailureOr<bool> seq = useSequenceSplit(op, out);
    if (failed(seq))
      return failure();
    if (*seq)
      d.result = Layout::split(kSeqDim);
  }
  for (Value operand : op->getOperands()) {
    Layout need = Layout::replicated();
    if (d.result.kind == Layout::Partial) {
      need = Layout::partial();
    } else if (d.result.isSplit()) {
      int64_t od = d.result.dim - (rr - rank(operand));
      if (od >= 0 && shape(operand)[od] != 1)
        need = Layout::split(od);
    }
    d.operands.push_back(need);
  }
  return d;
}

/// Follows a projection's result through elementwise ops (bias adds,
/// activations) to what decides how its columns may be split.
ColumnUses Sharder::columnUses(Value result) {
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
        ArrayRef<int64_t> out = shape(reshape.getResult());
        // The output dims that multiply to n, from the back.
        int64_t product = 1;
        size_t first = out.size();
        while (first > 0 && product < n)
          product *= out[--first];
        while (first < out.size() && out[first] == 1)
          ++first;
        // Heads when n becomes [heads, head_dim], not one merged dim.
        bool headDims = first < out.size() &&
                        llvm::any_of(out.drop_front(first + 1),
                                     [](int64_t d) { return d > 1; });
        if (product == n && headDims && !uses.headReshape) {
          uses.headReshape = reshape;
          uses.headDim = first;
          uses.heads = out[first];
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
/// activation splits into. Recorded before the walk rewrites operands.
void Sharder::recordProjectionHeads() {
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
FailureOr<bool> Sharder::canSplitColumns(MatMulOp op) {
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

FailureOr<Decision> Sharder::matmul(MatMulOp op) {
  Value a = op.getLhs(), w = op.getRhs();
  int64_t ra = rank(a), rb = rank(w), rc = rank(op.getResult());
  Layout la = layoutOf(a), lb = layoutOf(w);
  if (isWeightLike(w) && rb == 2 && lb.kind == Layout::Replicated) {
    if (la == Layout::split(ra - 1) && divides(w, 0))
      return Decision{{la, Layout::split(0)}, Layout::partial(), "row"};
    FailureOr<bool> column = canSplitColumns(op);
    if (failed(column))
      return failure();
    if (*column)
      return Decision{{Layout::replicated(), Layout::split(1)},
                      Layout::split(rc - 1),
                      "column"};
    return Decision{{Layout::replicated(), Layout::replicated()},
                    Layout::replicated(),
                    {}};
  }
  // Activations: keep a split batch (heads) or free dim.
  auto batchPeer = [&](Value other, int64_t rd) {
    int64_t od = rd - (rc - rank(other));
    return od >= 0 && shape(other)[od] != 1 ? Layout::split(od)
                                            : Layout::replicated();
  };
  if (la.isSplit() && la.dim < ra - 2) {
    int64_t rd = la.dim + rc - ra;
    return Decision{{la, batchPeer(w, rd)}, Layout::split(rd), {}};
  }
  if (lb.isSplit() && lb.dim < rb - 2) {
    int64_t rd = lb.dim + rc - rb;
    return Decision{{batchPeer(a, rd), lb}, Layout::split(rd), {}};
  }
  if (la == Layout::split(ra - 2))
    return Decision{{la, Layout::replicated()}, Layout::split(rc - 2), {}};
  if (lb == Layout::split(rb - 1))
    return Decision{{Layout::replicated(), lb}, Layout::split(rc - 1), {}};
  if (la == Layout::split(ra - 1) && lb == Layout::split(rb - 2))
    return Decision{{la, lb}, Layout::partial(), {}};
  return Decision{{Layout::replicated(), Layout::replicated()},
                  Layout::replicated(),
                  {}};
}

/// Norms keep a split outside the normalized dims. Under sequence
/// parallelism a partial input is reduce-scattered along the sequence.
FailureOr<Decision> Sharder::norm(Operation *op, Value input,
                                  int64_t firstNormDim) {
  Layout l = layoutOf(input);
  Decision d{SmallVector<Layout>(op->getNumOperands()), Layout::replicated(),
             {}};
  if (l.kind == Layout::Partial && kSeqDim < firstNormDim) {
    FailureOr<bool> seq = useSequenceSplit(op, input);
    if (failed(seq))
      return failure();
    if (*seq)
      l = Layout::split(kSeqDim);
  }
  if (l.isSplit() && l.dim < firstNormDim) {
    d.operands[0] = l;
    d.result = l;
  }
  return d;
}

/// An embedding lookup of token ids in a weight whose rows divide by T is
/// vocab-parallel: the table is split on its rows and the result is
/// partial (see VocabParallelEmbedding.cpp). Otherwise a split outside the
/// gathered dim carries over.
Decision Sharder::gather(GatherOp g) {
  Value table = g.getInput();
  Layout l = layoutOf(table);
  int64_t dim = g.getDimAttr().getInt();
  if (dim == 0 && table.getDefiningOp<WeightOp>() && rank(table) >= 2 &&
      l.kind == Layout::Replicated && divides(table, 0) &&
      isInputIds(g.getIndices()))
    return {{Layout::split(0), Layout::replicated()}, Layout::partial(),
            "vocab"};
  if (!l.isSplit() || l.dim == dim)
    return {SmallVector<Layout>(2), Layout::replicated(), {}};
  int64_t d = l.dim < dim ? l.dim : l.dim + rank(g.getIndices()) - 1;
  return {{l, Layout::replicated()}, Layout::split(d), {}};
}

/// A split dim survives a reshape when it is the major dim of its group of
/// merged or split dims, and the group's major output dim divides by T.
Decision Sharder::reshape(ReshapeOp op) {
  Layout l = layoutOf(op.getInput());
  if (l.kind == Layout::Partial)
    return {{l}, l, {}};
  if (!l.isSplit())
    return {{l}, l, {}};
  ArrayRef<int64_t> in = shape(op.getInput());
  ArrayRef<int64_t> out = shape(op.getResult());
  size_t i = 0, j = 0;
  while (i < in.size() || j < out.size()) {
    size_t i0 = i, j0 = j;
    int64_t pin = 1, pout = 1;
    // Grow the group until both sides cover the same elements.
    do {
      if (pin <= pout && i < in.size())
        pin *= in[i++];
      else if (j < out.size())
        pout *= out[j++];
      else
        pin *= in[i++];
    } while (pin != pout && (i < in.size() || j < out.size()));
    if (int64_t(i0) <= l.dim && l.dim < int64_t(i)) {
      size_t firstIn = i0, firstOut = j0;
      while (firstIn < i && in[firstIn] == 1)
        ++firstIn;
      while (firstOut < j && out[firstOut] == 1)
        ++firstOut;
      if (int64_t(firstIn) == l.dim && firstOut < j &&
          out[firstOut] % t == 0)
        return {{l}, Layout::split(firstOut), {}};
      break;
    }
  }
  return {{Layout::replicated()}, Layout::replicated(), {}};
}

FailureOr<Decision> Sharder::decide(Operation *op) {
  auto keep = [&](Value input, Layout l) -> Decision {
    return {{l}, l, {}};
  };
  auto replicatedAll = [&]() {
    return Decision{SmallVector<Layout>(op->getNumOperands()),
                    Layout::replicated(),
                    {}};
  };
  if (op->hasTrait<mlir::pp::OpTrait::Elementwise>())
    return elementwise(op);
  if (auto m = dyn_cast<MatMulOp>(op))
    return matmul(m);
  if (auto n = dyn_cast<LayerNormOp>(op))
    return norm(op, n.getInput(), n.getDimAttr().getInt());
  if (auto n = dyn_cast<RmsNormOp>(op))
    return norm(op, n.getInput(), rank(n.getInput()) - 1);
  return llvm::TypeSwitch<Operation *, Decision>(op)
      .Case([&](ReshapeOp r) { return reshape(r); })
      .Case([&](GatherOp g) { return gather(g); })
      .Case([&](TransposeOp tr) {
        Layout l = layoutOf(tr.getInput());
        if (!l.isSplit())
          return keep(tr.getInput(), l);
        int64_t d = llvm::find(tr.getPerm(), l.dim) - tr.getPerm().begin();
        return Decision{{l}, Layout::split(d), {}};
      })
      .Case([&](SoftmaxOp s) {
        Layout l = layoutOf(s.getInput());
        if (l.isSplit() && l.dim != s.getDimAttr().getInt())
          return keep(s.getInput(), l);
        return replicatedAll();
      })
      .Case([&](ReduceOp r) {
        Layout l = layoutOf(r.getInput());
        if (!l.isSplit() || llvm::is_contained(r.getDims(), l.dim))
          return replicatedAll();
        int64_t d = l.dim;
        if (!r.getKeepdims())
          d -= llvm::count_if(r.getDims(), [&](int64_t x) { return x < l.dim; });
        return Decision{{l}, Layout::split(d), {}};
      })
      .Case([&](SliceOp s) {
        Layout l = layoutOf(s.getInput());
        if (l.isSplit() && s.getStarts()[l.dim] == 0 &&
            s.getSteps()[l.dim] == 1 &&
            shape(s.getResult())[l.dim] == shape(s.getInput())[l.dim])
          return keep(s.getInput(), l);
        return replicatedAll();
      })
      .Case([&](ConcatOp c) {
        int64_t dim = c.getDimAttr().getInt();
        for (Value input : c.getInputs()) {
          Layout l = layoutOf(input);
          if (l.isSplit() && l.dim != dim)
            return Decision{SmallVector<Layout>(c.getInputs().size(), l), l,
                            {}};
        }
        return replicatedAll();
      })
      .Case([&](BroadcastOp br) {
        Layout l = layoutOf(br.getInput());
        int64_t shift = rank(br.getResult()) - rank(br.getInput());
        if (l.isSplit() &&
            shape(br.getInput())[l.dim] == shape(br.getResult())[l.dim + shift])
          return Decision{{l}, Layout::split(l.dim + shift), {}};
        return replicatedAll();
      })
      .Case([&](TriluOp tr) {
        Layout l = layoutOf(tr.getInput());
        if (l.isSplit() && l.dim < rank(tr.getInput()) - 2)
          return keep(tr.getInput(), l);
        return replicatedAll();
      })
      .Default([&](Operation *) { return replicatedAll(); });
}

LogicalResult Sharder::run() {
  func.walk([&](Operation *op) {
    for (Value v : op->getResults())
      if (auto type = llvm::dyn_cast<RankedTensorType>(v.getType()))
        global[v] = type;
  });
  for (BlockArgument arg : func.getArguments())
    if (auto type = llvm::dyn_cast<RankedTensorType>(arg.getType()))
      global[arg] = type;
  recordProjectionHeads();

  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (isa<WeightOp, ConstantOp, RecvOp>(op))
      continue; // replicated; consumers convert what they need
    FailureOr<Decision> d = decide(op);
    if (failed(d))
      return failure();
    for (auto [i, need] : llvm::enumerate(d->operands)) {
      FailureOr<Value> converted = convert(op->getOperand(i), need, op);
      if (failed(converted))
        return failure();
      op->setOperand(i, *converted);
    }
    if (!d->tpKind.empty())
      op->setAttr("pp.tp", StringAttr::get(func.getContext(), d->tpKind));
    for (Value result : op->getResults()) {
      if (!global.count(result))
        continue;
      layouts[result] = d->result;
      result.setType(localType(result, d->result));
    }
    if (d->tpKind == "vocab") {
      auto g = cast<GatherOp>(op);
      int64_t rows = shape(g.getInput())[0];
      MLIRContext *ctx = func.getContext();
      Value masked = maskVocabParallelLookup(
          g, rows, rows / t, FlatSymbolRefAttr::get(ctx, "world"),
          ArrayAttr::get(ctx, {StringAttr::get(ctx, "tp")}));
      global[masked] = global.lookup(g.getResult());
      layouts[masked] = Layout::partial();
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
    auto mesh = module.lookupSymbol<MeshOp>("world");
    if (!mesh || mesh.getAxisIndex("tp") < 0)
      return; // nothing to shard over
    int64_t t = mesh.getShape()[mesh.getAxisIndex("tp")];
    if (t == 1)
      return;
    for (auto func : module.getOps<func::FuncOp>()) {
      splitFusedProjections(func);
      if (failed(Sharder(func, t, sequenceParallel).run()))
        return signalPassFailure();
    }
  }
};

} // namespace
