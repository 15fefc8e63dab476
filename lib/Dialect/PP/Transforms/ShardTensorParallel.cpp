//===- ShardTensorParallel.cpp - Megatron tensor parallelism --------------===//
//
// One forward walk per function. For each op: read its operands' layouts,
// let the op's rule choose the layouts it needs and the layout of its
// result, convert operands that differ (inserting collectives right after
// their producers, cached so every consumer shares one), and give the
// result its local type. Rules work on the global shapes recorded before
// the walk.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

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
  StringRef tpKind; // "column" / "row" for weight matmuls
};

class Sharder {
public:
  Sharder(func::FuncOp func, int64_t t) : func(func), t(t) {}
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

  Decision elementwise(Operation *op);
  Decision matmul(MatMulOp op);
  Decision reshape(ReshapeOp op);
  Decision decide(Operation *op);
  bool canSplitColumns(Value result);

  func::FuncOp func;
  int64_t t;
  llvm::DenseMap<Value, RankedTensorType> global;
  llvm::DenseMap<Value, Layout> layouts;
  std::map<std::tuple<void *, int, int64_t>, Value> conversions;
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
    result = b.create<AllReduceOp>(loc, type, sumAttr, v, mesh,
                                   axes);
  } else if (from.kind == Layout::Partial) {
    result = b.create<ReduceScatterOp>(loc, type, sumAttr, v, mesh,
                                       axes, b.getI64IntegerAttr(to.dim));
  } else if (from.isSplit() && to.kind == Layout::Replicated) {
    result = b.create<AllGatherOp>(loc, type, v, mesh, axes,
                                   b.getI64IntegerAttr(from.dim));
  } else if (from.isSplit() && to.isSplit()) {
    result = b.create<AllToAllOp>(loc, type, v, mesh, axes,
                                  b.getI64IntegerAttr(to.dim),
                                  b.getI64IntegerAttr(from.dim));
  } else if (auto weight = v.getDefiningOp<WeightOp>()) {
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
    result = b.create<AllSliceOp>(loc, type, v, mesh, axes,
                                  b.getI64IntegerAttr(to.dim));
  }
  global[result] = global.lookup(v);
  layouts[result] = to;
  conversions[key] = result;
  return result;
}

/// The result is split like the first split operand (in result dims); a
/// sum of partial values stays partial; anything else is replicated.
Decision Sharder::elementwise(Operation *op) {
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
  bool allPartial = llvm::all_of(op->getOperands(), [&](Value v) {
    return layoutOf(v).kind == Layout::Partial;
  });
  if (!d.result.isSplit() && allPartial && isa<AddOp, SubOp>(op))
    d.result = Layout::partial();
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

/// Follows a column-parallel result through bias adds to the reshape that
/// splits it into heads: the head count must divide by T. A result that is
/// sliced along its last dim (a fused QKV projection) cannot be split in
/// contiguous blocks.
bool Sharder::canSplitColumns(Value result) {
  int64_t n = shape(result).back();
  if (n % t != 0)
    return false;
  SmallVector<Value> worklist{result};
  for (int steps = 0; !worklist.empty() && steps < 16; ++steps) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto slice = dyn_cast<SliceOp>(user)) {
        if (global.lookup(slice.getResult()).getShape().back() != n)
          return false;
      } else if (auto reshape = dyn_cast<ReshapeOp>(user)) {
        ArrayRef<int64_t> out = global.lookup(reshape.getResult()).getShape();
        // The output dims that multiply to n, from the back.
        int64_t product = 1;
        size_t first = out.size();
        while (first > 0 && product < n)
          product *= out[--first];
        while (first < out.size() && out[first] == 1)
          ++first;
        if (product == n && first < out.size() && out[first] % t != 0)
          return false;
      } else if (user->hasTrait<mlir::pp::OpTrait::Elementwise>()) {
        worklist.push_back(user->getResult(0));
      }
    }
  }
  return true;
}

Decision Sharder::matmul(MatMulOp op) {
  Value a = op.getLhs(), w = op.getRhs();
  int64_t ra = rank(a), rb = rank(w), rc = rank(op.getResult());
  Layout la = layoutOf(a), lb = layoutOf(w);
  if (w.getDefiningOp<WeightOp>() && rb == 2 && lb.kind == Layout::Replicated) {
    if (la == Layout::split(ra - 1) && divides(w, 0))
      return {{la, Layout::split(0)}, Layout::partial(), "row"};
    if (canSplitColumns(op.getResult()) && divides(w, 1))
      return {{Layout::replicated(), Layout::split(1)},
              Layout::split(rc - 1),
              "column"};
    return {{Layout::replicated(), Layout::replicated()},
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
    return {{la, batchPeer(w, rd)}, Layout::split(rd), {}};
  }
  if (lb.isSplit() && lb.dim < rb - 2) {
    int64_t rd = lb.dim + rc - rb;
    return {{batchPeer(a, rd), lb}, Layout::split(rd), {}};
  }
  if (la == Layout::split(ra - 2))
    return {{la, Layout::replicated()}, Layout::split(rc - 2), {}};
  if (lb == Layout::split(rb - 1))
    return {{Layout::replicated(), lb}, Layout::split(rc - 1), {}};
  if (la == Layout::split(ra - 1) && lb == Layout::split(rb - 2))
    return {{la, lb}, Layout::partial(), {}};
  return {{Layout::replicated(), Layout::replicated()}, Layout::replicated(),
          {}};
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

Decision Sharder::decide(Operation *op) {
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
  return llvm::TypeSwitch<Operation *, Decision>(op)
      .Case([&](MatMulOp m) { return matmul(m); })
      .Case([&](ReshapeOp r) { return reshape(r); })
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
      .Case([&](LayerNormOp n) {
        Layout l = layoutOf(n.getInput());
        Decision d = replicatedAll();
        if (l.isSplit() && l.dim < n.getDimAttr().getInt()) {
          d.operands[0] = l;
          d.result = l;
        }
        return d;
      })
      .Case([&](RmsNormOp n) {
        Layout l = layoutOf(n.getInput());
        Decision d = replicatedAll();
        if (l.isSplit() && l.dim < rank(n.getInput()) - 1) {
          d.operands[0] = l;
          d.result = l;
        }
        return d;
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
      .Case([&](GatherOp g) {
        Layout l = layoutOf(g.getInput());
        int64_t dim = g.getDimAttr().getInt();
        if (!l.isSplit() || l.dim == dim)
          return replicatedAll();
        int64_t d = l.dim < dim ? l.dim : l.dim + rank(g.getIndices()) - 1;
        return Decision{{l, Layout::replicated()}, Layout::split(d), {}};
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

  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (isa<WeightOp, ConstantOp, RecvOp>(op))
      continue; // replicated; consumers convert what they need
    Decision d = decide(op);
    for (auto [i, need] : llvm::enumerate(d.operands)) {
      FailureOr<Value> converted = convert(op->getOperand(i), need, op);
      if (failed(converted))
        return failure();
      op->setOperand(i, *converted);
    }
    if (!d.tpKind.empty())
      op->setAttr("pp.tp", StringAttr::get(func.getContext(), d.tpKind));
    for (Value result : op->getResults()) {
      if (!global.count(result))
        continue;
      layouts[result] = d.result;
      result.setType(localType(result, d.result));
    }
  }
  // Weights and constants that every consumer replaced are dead now.
  for (Operation *op : llvm::reverse(ops))
    if (isa<WeightOp, ConstantOp>(op) && op->use_empty())
      op->erase();
  return success();
}

struct ShardTensorParallelPass
    : public mlir::pp::impl::ShardTensorParallelPassBase<
          ShardTensorParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto mesh = module.lookupSymbol<MeshOp>("world");
    if (!mesh || mesh.getAxisIndex("tp") < 0)
      return; // nothing to shard over
    int64_t t = mesh.getShape()[mesh.getAxisIndex("tp")];
    if (t == 1)
      return;
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(Sharder(func, t).run()))
        return signalPassFailure();
  }
};

} // namespace
