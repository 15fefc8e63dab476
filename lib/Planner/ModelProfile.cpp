//===- ModelProfile.cpp - what a model costs, layer by layer --------------===//

#include "pp/Planner/ModelProfile.h"

#include "pp/Analysis/OpCost.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/Transforms/StageUtils.h"

#include <tuple>

using namespace mlir;
using namespace mlir::pp;

double ModelProfile::params() const {
  double n = pre.params + post.params;
  for (const LayerProfile &layer : layers)
    n += layer.params;
  return n;
}

namespace {

/// The graph's batch and sequence: the first integer input of rank >= 2.
void readBatch(func::FuncOp main, int64_t batchDim, ModelProfile &profile) {
  for (BlockArgument arg : main.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() < 2 || !type.hasStaticShape() ||
        !type.getElementType().isInteger())
      continue;
    int64_t b = batchDim >= 0 && batchDim < type.getRank() ? batchDim : 0;
    profile.batch = type.getDimSize(b);
    profile.seq = type.getDimSize(b == 0 ? 1 : 0);
    return;
  }
}

/// The residual stream: the one value that crosses a middle cut point.
Type residualType(func::FuncOp main) {
  StreamInfo stream = analyzeStream(main);
  if (stream.cutPoints.size() < 3)
    return {};
  size_t cut = stream.cutPoints[stream.cutPoints.size() / 2];
  SmallVector<Value> live = stream.liveAcross(cut);
  return live.size() == 1 ? live.front().getType() : Type();
}

bool isNorm(Operation *op) { return isa<LayerNormOp, RmsNormOp>(op); }

/// Ops whose gradient does not read their inputs: sums, differences,
/// negation and views. Every other reader makes backward keep its input.
bool gradientIgnoresInputs(Operation *op) {
  return isa<AddOp, SubOp, NegOp, ReshapeOp, TransposeOp, BroadcastOp,
             SliceOp, ConcatOp, CastOp, func::ReturnOp>(op);
}

/// A weight, or a constant large enough to be one (OpCost.h).
bool isParameter(Operation *op, const OpCost &cost) {
  return cost.paramBytes > 0;
}

} // namespace

FailureOr<ModelProfile> mlir::pp::profileModel(func::FuncOp main,
                                               const HardwareSpec &hardware,
                                               int64_t batchDim) {
  ModelProfile profile;
  readBatch(main, batchDim, profile);
  auto residual = dyn_cast_or_null<RankedTensorType>(residualType(main));
  if (residual && residual.hasStaticShape()) {
    profile.boundaryBytes = tensorBytes(residual);
    profile.elementBytes = residual.getElementTypeBitWidth() / 8.0;
  }
  OpCostModel model(hardware);
  double vectorPeak = hardware.peak(Precision::f32);
  // (layer, op, its parameters) in program order.
  std::vector<std::tuple<int64_t, ProfiledOp, double>> ops;
  WalkResult walk = main.walk([&](Operation *op) -> WalkResult {
    if (op == main)
      return WalkResult::advance();
    for (Type t : op->getResultTypes())
      if (auto r = dyn_cast<RankedTensorType>(t); r && !r.hasStaticShape())
        return op->emitError() << "the planner needs static shapes";
    OpCost cost = model.cost(op);
    ProfiledOp entry;
    entry.flops = cost.flops;
    entry.paramBytes = cost.paramBytes;
    entry.resultBytes = cost.activationBytes;
    entry.kept = llvm::any_of(op->getUsers(), [](Operation *user) {
      return !gradientIgnoresInputs(user);
    });
    // A parameter is loaded once; the ops that read it stream it.
    if (!isParameter(op, cost))
      for (Value operand : op->getOperands())
        if (Operation *def = operand.getDefiningOp();
            def && isParameter(def, model.cost(def)))
          entry.weightTraffic += tensorBytes(operand.getType());
    entry.activationTraffic =
        isParameter(op, cost)
            ? 0
            : std::max(0.0, cost.memoryBytes - entry.weightTraffic);
    entry.matmul = isa<MatMulOp>(op);
    entry.peak = vectorPeak;
    if (entry.matmul)
      entry.peak = hardware.peak(model.matmulPrecision(
          cast<ShapedType>(op->getResult(0).getType()).getElementType()));
    if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
      auto type = cast<RankedTensorType>(softmax.getType());
      if (type.getRank() == 4 && profile.heads == 0)
        profile.heads = type.getDimSize(1);
    }
    if (op->getNumResults() == 1)
      if (auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType())) {
        int64_t rank = type.getRank();
        entry.attentionCore = profile.seq > 1 && rank >= 2 &&
                              type.getDimSize(rank - 1) == profile.seq &&
                              type.getDimSize(rank - 2) == profile.seq;
        entry.replicated =
            !entry.matmul &&
            (isNorm(op) ||
             (residual &&
              type.getNumElements() == residual.getNumElements()) ||
             (isParameter(op, cost) && rank <= 1));
      }
    double params = 0;
    if (auto weight = dyn_cast<WeightOp>(op))
      params = cast<ShapedType>(weight.getType()).getNumElements();
    else if (cost.paramBytes > 0)
      params = cast<ShapedType>(op->getResult(0).getType()).getNumElements();
    // A parameter sits at the top of the graph: it belongs to the layer of
    // its first reader.
    int64_t layer = layerIndexOf(op);
    if (layer < 0 && isParameter(op, cost))
      for (Operation *user : op->getUsers())
        if ((layer = layerIndexOf(user)) >= 0)
          break;
    ops.emplace_back(layer, entry, params);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  // Unnamed ops before the first layer are the embedding, after the last
  // the head; between two layers they belong to the one before.
  int64_t first = -1, last = -1;
  for (auto &[layer, entry, params] : ops)
    if (layer >= 0) {
      first = first < 0 ? layer : std::min(first, layer);
      last = std::max(last, layer);
    }
  if (last >= 0)
    profile.layers.resize(last - first + 1);
  bool seenLayer = false;
  int64_t current = 0;
  size_t lastNamed = 0;
  for (size_t i = 0; i < ops.size(); ++i)
    if (std::get<0>(ops[i]) >= 0)
      lastNamed = i;
  for (size_t i = 0; i < ops.size(); ++i) {
    auto &[layer, entry, params] = ops[i];
    LayerProfile *into = &profile.pre;
    if (layer >= 0) {
      seenLayer = true;
      current = layer - first;
      into = &profile.layers[current];
    } else if (seenLayer) {
      into = i > lastNamed ? &profile.post : &profile.layers[current];
    }
    into->ops.push_back(entry);
    into->params += params;
  }
  return profile;
}
