//===- PartitionStages.cpp - pipeline stage boundaries --------------------===//
//
// 1. Stream analysis: a value is on the residual stream when it depends on
//    a graph input and on a weight. Everything else is cheap to recompute.
// 2. Cut points: positions in @main's op order where exactly one stream
//    value is live.
// 3. Units: transformer layers from ONNX node names, each ending at the last
//    cut point before the next layer starts; or, without layer names, the
//    segments between cut points.
// 4. Split: a dynamic program over unit boundaries minimising the largest
//    stage cost, or the user's `stage-layers`.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Analysis/OpCost.h"
#include "pp/Dialect/PP/IR/MeshNames.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/IR/StagePlacement.h"
#include "pp/Dialect/PP/Transforms/StageUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pp {
#define GEN_PASS_DEF_PARTITIONSTAGESPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

/// Positions in the stream order that separate transformer layers, as
/// numbered by node names: for each k, the latest cut point after every op
/// of layers <= k (and the embedding before them) and at or before every
/// op of layers > k (and the head after them). The first entry ends the
/// prologue, the last starts the epilogue. Empty when the names do not
/// number layers in order.
SmallVector<size_t> layerBoundaries(const StreamInfo &stream) {
  ArrayRef<Operation *> order = stream.streamOps;
  size_t n = order.size();
  SmallVector<int64_t> layer;
  int64_t first = -1, last = -1;
  for (Operation *op : order) {
    layer.push_back(layerIndexOf(op));
    if (layer.back() >= 0) {
      first = first < 0 ? layer.back() : std::min(first, layer.back());
      last = std::max(last, layer.back());
    }
  }
  if (first < 0)
    return {};
  // Unnamed ops before the first named one are the prologue; the others
  // the epilogue. Give them pseudo-layers first-1 and last+1.
  bool seenNamed = false;
  for (int64_t &l : layer) {
    seenNamed |= l >= 0;
    if (l < 0)
      l = seenNamed ? last + 1 : first - 1;
  }
  SmallVector<size_t> boundaries;
  for (int64_t k = first - 1; k <= last; ++k) {
    // Every op of a pseudo-layer <= k must come before the boundary, every
    // op of a layer > k at or after it.
    size_t lo = 0, hi = n;
    for (size_t i = 0; i < n; ++i) {
      if (layer[i] <= k)
        lo = std::max(lo, i + 1);
      else
        hi = std::min(hi, i);
    }
    std::optional<size_t> boundary;
    for (size_t c : stream.cutPoints)
      if (c >= lo && c <= hi)
        boundary = c;
    if (!boundary)
      return {};
    boundaries.push_back(*boundary);
  }
  return boundaries;
}

/// A unit of stage assignment: ops [begin, end) of the stream order, and
/// their estimated time.
struct Unit {
  size_t begin, end;
  double seconds = 0;
};

struct PartitionStagesPass
    : public mlir::pp::impl::PartitionStagesPassBase<PartitionStagesPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult checkOptions(func::FuncOp main);
  SmallVector<int64_t> balance(ArrayRef<double> unitCost, int64_t stages,
                               double prologue, double epilogue);
};

LogicalResult PartitionStagesPass::checkOptions(func::FuncOp main) {
  if (!::pp::schedule::parsePlacement(placement))
    return main.emitError()
           << "placement must be loop or v, got '" << placement << "'";
  if (numStages < 1 || virtualStages < 1 || dp < 1 || tp < 1)
    return main.emitError()
           << "num-stages, virtual-stages, dp and tp must be at least 1";
  if (virtualStages > 1 && numStages < 2)
    return main.emitError("virtual-stages needs at least 2 pipeline ranks");
  if (!stageLayers.empty() &&
      int64_t(stageLayers.size()) != numStages * virtualStages)
    return main.emitError()
           << "stage-layers has " << stageLayers.size() << " entries for "
           << numStages * virtualStages << " stages";
  for (auto [stage, layers] : llvm::enumerate(stageLayers))
    if (layers < 1)
      return main.emitError()
             << "stage-layers gives stage " << stage << " " << layers
             << " layers; every stage needs at least one";
  return success();
}

/// Splits units into `stages` contiguous non-empty groups minimising the
/// most expensive group; the first group also pays `prologue`, the last
/// `epilogue`. Returns the number of units per group.
SmallVector<int64_t> PartitionStagesPass::balance(ArrayRef<double> unitCost,
                                                  int64_t stages,
                                                  double prologue,
                                                  double epilogue) {
  size_t n = unitCost.size();
  SmallVector<double> prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i)
    prefix[i + 1] = prefix[i] + unitCost[i];
  auto cost = [&](int64_t stage, size_t from, size_t to) {
    double c = prefix[to] - prefix[from];
    if (stage == 0)
      c += prologue;
    if (stage == stages - 1)
      c += epilogue;
    return c;
  };
  const double inf = std::numeric_limits<double>::infinity();
  // best[s][i]: least max cost of the first i units in s + 1 stages.
  std::vector<std::vector<double>> best(stages,
                                        std::vector<double>(n + 1, inf));
  std::vector<std::vector<size_t>> cut(stages, std::vector<size_t>(n + 1, 0));
  for (size_t i = 1; i <= n; ++i)
    best[0][i] = cost(0, 0, i);
  for (int64_t s = 1; s < stages; ++s)
    for (size_t i = s + 1; i <= n; ++i)
      for (size_t j = s; j < i; ++j) {
        double c = std::max(best[s - 1][j], cost(s, j, i));
        if (c < best[s][i]) {
          best[s][i] = c;
          cut[s][i] = j;
        }
      }
  SmallVector<int64_t> sizes(stages);
  size_t end = n;
  for (int64_t s = stages - 1; s > 0; --s) {
    size_t begin = cut[s][end];
    sizes[s] = end - begin;
    end = begin;
  }
  sizes[0] = end;
  return sizes;
}

void PartitionStagesPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main) {
    module.emitError("pp-partition-stages needs func.func @main");
    return signalPassFailure();
  }
  if (failed(checkOptions(main)))
    return signalPassFailure();
  int64_t stages = numStages * virtualStages;

  StreamInfo stream = analyzeStream(main);
  ArrayRef<Operation *> order = stream.streamOps;
  if (order.empty()) {
    main.emitError("the model has no op that depends on both an input and a "
                   "weight; there is nothing to pipeline");
    return signalPassFailure();
  }

  // Units: layers by name when the names number them monotonically, else
  // the segments between cut points.
  SmallVector<size_t> boundaries = layerBoundaries(stream);
  std::string layerSource = boundaries.empty() ? "cuts" : "names";
  if (boundaries.empty())
    boundaries = stream.cutPoints;
  size_t n = order.size();
  size_t prologueEnd = layerSource == "names" ? boundaries.front() : 0;
  size_t epilogueBegin = layerSource == "names" ? boundaries.back() : n;
  SmallVector<Unit> units;
  for (size_t b = 0; b + 1 < boundaries.size(); ++b)
    if (boundaries[b + 1] > boundaries[b])
      units.push_back({boundaries[b], boundaries[b + 1]});
  // Balance estimated time (roofline on the chosen hardware), so that
  // memory-bound ops count as well as matmuls.
  llvm::Expected<HardwareSpec> spec = loadHardware(hardware);
  if (!spec) {
    main.emitError() << llvm::toString(spec.takeError());
    return signalPassFailure();
  }
  OpCostModel model(std::move(*spec));
  auto timeOf = [&](Operation *op) { return model.cost(op).time(); };
  for (Unit &unit : units)
    for (size_t i = unit.begin; i < unit.end; ++i)
      unit.seconds += timeOf(order[i]);
  double prologue = 0, epilogue = 0;
  for (size_t i = 0; i < prologueEnd; ++i)
    prologue += timeOf(order[i]);
  for (size_t i = epilogueBegin; i < order.size(); ++i)
    epilogue += timeOf(order[i]);

  if (int64_t(units.size()) < stages) {
    main.emitError() << "cannot split " << units.size()
                     << (layerSource == "names" ? " layers" : " segments")
                     << " into " << stages << " pipeline stages";
    return signalPassFailure();
  }
  SmallVector<int64_t> sizes;
  if (!stageLayers.empty()) {
    int64_t total = 0;
    for (int64_t l : stageLayers)
      total += l;
    if (total != int64_t(units.size())) {
      main.emitError() << "stage-layers adds up to " << total
                       << " layers but the model has " << units.size();
      return signalPassFailure();
    }
    sizes.assign(stageLayers.begin(), stageLayers.end());
  } else {
    SmallVector<double> seconds;
    for (const Unit &unit : units)
      seconds.push_back(unit.seconds);
    sizes = balance(seconds, stages, prologue, epilogue);
  }

  // Annotate stream ops; record the split.
  Builder b(&getContext());
  SmallVector<int64_t> stageFlops(stages, 0);
  size_t unit = 0;
  for (int64_t s = 0; s < stages; ++s) {
    size_t from = s == 0 ? 0 : units[unit].begin;
    unit += sizes[s];
    size_t to = s == stages - 1 ? order.size() : units[unit - 1].end;
    for (size_t i = from; i < to; ++i) {
      order[i]->setAttr(PPDialect::StageAttrHelper::getNameStr(),
                        StageAttr::get(&getContext(), s));
      stageFlops[s] += int64_t(model.cost(order[i]).flops);
    }
  }
  main->setAttr(PPDialect::StageLayersAttrHelper::getNameStr(),
                b.getDenseI64ArrayAttr(sizes));
  main->setAttr(PPDialect::StageFlopsAttrHelper::getNameStr(),
                b.getDenseI64ArrayAttr(stageFlops));
  main->setAttr(PPDialect::LayerSourceAttrHelper::getNameStr(),
                b.getStringAttr(layerSource));
  setStagePlacement(module, *::pp::schedule::parsePlacement(placement));

  if (!module.lookupSymbol(kMeshName)) {
    OpBuilder builder(module.getBodyRegion());
    MeshOp::create(builder, module.getLoc(), b.getStringAttr(kMeshName),
                   b.getStrArrayAttr({kDataAxis, kPipelineAxis, kTensorAxis}),
                   b.getDenseI64ArrayAttr({dp, numStages, tp}));
  }
}

} // namespace
