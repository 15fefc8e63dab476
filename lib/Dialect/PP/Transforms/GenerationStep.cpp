//===- GenerationStep.cpp - a forward pass as one generation step ---------===//
//
// Three edits, all decided before any is made:
//
// 1. Each attention's keys and values get a cache. The cache point is the
//    smallest value on the way to the scores (or values) matmul through
//    single-use reshapes, transposes and broadcasts whose positions are a
//    whole dim: after rotary, before GQA's repeat. A pp.cache_write puts the
//    chunk's rows there at the step's position, and the way on to the
//    matmul replays on the whole cache.
// 2. Types: a dim that holds the queries' positions (T of them) holds the
//    chunk's (or, on the way from a cache to its matmul, the cache's); a
//    dim that holds the keys' holds the cache's. Attributes stay valid:
//    every op but attention takes those dims whole (SequenceAnalysis).
// 3. Operands aligned with the positions (position tables, rotary tables,
//    masks) are cut to the step: the queries' rows at the step's position
//    (pp.step_slice), the keys' first maxSeq rows (pp.slice); a splat is
//    just resized.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/GenerationStep.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::pp;

namespace {

std::string nodeOf(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (isa<NameLoc>(inner))
        loc = inner;
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return "";
}

/// `type` with the positions part of `dim` (of T) resized to `extent`.
RankedTensorType resized(Type type, int64_t dim, int64_t t, int64_t extent) {
  auto ranked = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(ranked.getShape());
  shape[dim] = shape[dim] / t * extent;
  return RankedTensorType::get(shape, ranked.getElementType(),
                               ranked.getEncoding());
}

/// Where a cache goes: the value it replaces, and the one use of that
/// value (on the way to the matmul) that reads the cache instead.
struct CachePoint {
  Value value;
  OpOperand *use;
  /// The values between it and the matmul, which span the whole cache.
  SmallVector<Value> wayToMatmul;
};

} // namespace

/// The cache point of the matmul operand `use`.
static FailureOr<CachePoint> findCachePoint(OpOperand &use,
                                            const SequenceAnalysis &a) {
  int64_t t = a.length();
  auto isWholeDim = [&](Value v) {
    std::optional<SeqAt> at = a.queryAt(v);
    return at && at->before == 1 &&
           cast<RankedTensorType>(v.getType()).getDimSize(at->dim) == t;
  };
  auto elements = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getNumElements();
  };
  // path[i] is read by path[i-1]'s op (path[0] by the matmul).
  SmallVector<OpOperand *> path{&use};
  while (true) {
    Value v = path.back()->get();
    Operation *def = v.getDefiningOp();
    if (!def || !isa<ReshapeOp, TransposeOp, BroadcastOp>(def) ||
        !v.hasOneUse() || !a.queryAt(def->getOperand(0)))
      break;
    path.push_back(&def->getOpOperand(0));
  }
  std::optional<size_t> best;
  for (size_t i = 0; i < path.size(); ++i) {
    Value v = path[i]->get();
    if (isWholeDim(v) && (!best || elements(v) < elements(path[*best]->get())))
      best = i;
  }
  if (!best)
    return use.getOwner()->emitError()
           << "generation: no value on the way to this matmul's operand "
           << use.getOperandNumber()
           << " holds the positions as a whole dim, so its cache has no "
              "place";
  CachePoint point{path[*best]->get(), path[*best], {}};
  for (size_t i = 0; i < *best; ++i)
    point.wayToMatmul.push_back(path[i]->get());
  return point;
}

LogicalResult mlir::pp::buildGenerationStep(func::FuncOp func,
                                            const SequenceAnalysis &a,
                                            int64_t chunk, int64_t maxSeq,
                                            SmallVectorImpl<StepCache> &caches) {
  int64_t t = a.length();
  // 1. The cache points, and the values that span a whole cache.
  SmallVector<std::pair<CachePoint, std::string>> points;
  llvm::DenseSet<Value> cacheSized;
  for (auto [n, attention] : llvm::enumerate(a.attentions())) {
    std::string node = nodeOf(attention.scores);
    std::string base =
        "kv:" + (node.empty() ? "attention" + std::to_string(n) : node);
    for (auto [op, suffix] : {std::make_pair(attention.scores, ".key"),
                              std::make_pair(attention.values, ".value")}) {
      FailureOr<CachePoint> point = findCachePoint(op->getOpOperand(1), a);
      if (failed(point))
        return failure();
      for (Value v : point->wayToMatmul)
        cacheSized.insert(v);
      points.push_back({*point, base + suffix});
    }
  }

  // 2. The new types, from the positions each value holds.
  auto stepType = [&](Value v) -> Type {
    Type type = v.getType();
    if (std::optional<SeqAt> q = a.queryAt(v))
      type = resized(type, q->dim, t, cacheSized.contains(v) ? maxSeq : chunk);
    if (std::optional<SeqAt> k = a.keyAt(v))
      type = resized(type, k->dim, t, maxSeq);
    return type;
  };
  SmallVector<std::pair<Value, Type>> retyped;
  for (BlockArgument arg : func.getArguments())
    retyped.push_back({arg, stepType(arg)});
  func.walk([&](Operation *op) {
    for (Value result : op->getResults())
      retyped.push_back({result, stepType(result)});
  });

  // 3. Aligned operands cut to the step (built from the old types).
  for (const AlignedOperand &aligned : a.alignedOperands()) {
    OpBuilder b(aligned.op);
    Value v = aligned.op->getOperand(aligned.operand);
    Location loc = aligned.op->getLoc();
    auto cut = [&](int64_t dim, int64_t extent, bool atStep) {
      auto type = cast<RankedTensorType>(v.getType());
      if (!atStep && type.getDimSize(dim) == extent)
        return;
      RankedTensorType to = resized(type, dim, type.getDimSize(dim), extent);
      DenseElementsAttr dense;
      if (matchPattern(v, m_Constant(&dense)) && dense.isSplat()) {
        v = ConstantOp::create(b, loc, to,
                               cast<ElementsAttr>(dense.resizeSplat(to)));
        return;
      }
      if (atStep) {
        v = StepSliceOp::create(b, loc, to, v, dim);
        return;
      }
      int64_t rank = type.getRank();
      v = SliceOp::create(b, loc, to, v, SmallVector<int64_t>(rank, 0),
                          SmallVector<int64_t>(rank, 1));
    };
    if (aligned.queryDim) {
      bool spansCache = llvm::any_of(aligned.op->getResults(), [&](Value r) {
        return cacheSized.contains(r);
      });
      if (spansCache)
        cut(*aligned.queryDim, maxSeq, false);
      else
        cut(*aligned.queryDim, chunk, true);
    }
    if (aligned.keyDim)
      cut(*aligned.keyDim, maxSeq, false);
    aligned.op->setOperand(aligned.operand, v);
  }

  for (auto [value, type] : retyped)
    value.setType(type);

  // 1 (continued). The caches: arguments, written at the step's position.
  for (auto &[point, name] : points) {
    std::optional<SeqAt> at = a.queryAt(point.value);
    auto chunkType = cast<RankedTensorType>(point.value.getType());
    RankedTensorType cacheType = resized(chunkType, at->dim, chunk, maxSeq);
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, cacheType, {}, func.getLoc())))
      return failure();
    Value cache = func.getArgument(index);
    OpBuilder b(point.use->getOwner());
    auto write = CacheWriteOp::create(b, point.use->getOwner()->getLoc(),
                                      cacheType, cache, point.value, at->dim);
    point.use->set(write.getResult());
    caches.push_back({name, cacheType, index});
  }

  SmallVector<Type> results;
  for (Value v : func.getBody().front().getTerminator()->getOperands())
    results.push_back(v.getType());
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().getArgumentTypes(), results));
  return success();
}
