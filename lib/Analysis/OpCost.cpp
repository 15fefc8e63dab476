//===- OpCost.cpp - what one pp op costs on one GPU ----------------------===//

#include "pp/Analysis/OpCost.h"

#include "pp/Analysis/NodePlacement.h"
#include "pp/Dialect/PP/IR/MeshNames.h"
#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/StagePlacement.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::pp;

double mlir::pp::tensorBytes(Type type) {
  auto shaped = llvm::dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      !shaped.getElementType().isIntOrFloat())
    return 0;
  unsigned bits = shaped.getElementType().getIntOrFloatBitWidth();
  // i1 is stored as a byte, like the runtime does.
  double bytesPerElement = bits < 8 ? 1 : double(bits / 8);
  return double(shaped.getNumElements()) * bytesPerElement;
}

namespace {

double elementsOf(Value value) {
  auto shaped = llvm::dyn_cast<ShapedType>(value.getType());
  return shaped && shaped.hasStaticShape() ? double(shaped.getNumElements())
                                           : 0;
}

double operandBytes(Operation *op) {
  double bytes = 0;
  for (Value operand : op->getOperands())
    bytes += tensorBytes(operand.getType());
  return bytes;
}

double resultBytes(Operation *op) {
  double bytes = 0;
  for (Value result : op->getResults())
    bytes += tensorBytes(result.getType());
  return bytes;
}

/// FLOPs per result element of an elementwise op.
double elementwiseFlops(Operation *op) {
  if (isa<ExpOp, LogOp, SqrtOp, ErfOp, TanhOp, SigmoidOp, SinOp, CosOp, PowOp>(
          op))
    return flops_per_element::kTranscendental;
  return 1;
}

/// The ranks that run `op`: with a pipeline stage (on the op, or on its
/// function after pp-split-stages) only those whose "pp" coordinate is the
/// stage's pipeline rank; otherwise every rank (empty list).
std::vector<int64_t> runningRanks(Operation *op, const ::pp::MeshShape &mesh) {
  auto stage =
      op->getAttrOfType<StageAttr>(PPDialect::StageAttrHelper::getNameStr());
  if (!stage)
    if (auto func = op->getParentOfType<FunctionOpInterface>())
      stage = func->getAttrOfType<StageAttr>(
          PPDialect::StageAttrHelper::getNameStr());
  int64_t ppAxis = mesh.axisIndex(kPipelineAxis.str());
  auto module = op->getParentOfType<ModuleOp>();
  if (!stage || ppAxis < 0 || !module)
    return {};
  FailureOr<::pp::schedule::Placement> placement = getStagePlacement(module);
  if (failed(placement))
    return {};
  // Where a stage runs depends only on its own chunk, so a map with just
  // enough chunks to hold it answers for the whole pipeline.
  int64_t pipeline = mesh.axisSize(ppAxis);
  ::pp::schedule::StageMap stages(pipeline, stage.getIndex() / pipeline + 1,
                                  *placement);
  int64_t pipelineRank = stages.rankOf(stage.getIndex());
  std::vector<int64_t> ranks;
  for (int64_t rank = 0, n = mesh.numRanks(); rank < n; ++rank)
    if (mesh.coordsOf(rank)[ppAxis] == pipelineRank)
      ranks.push_back(rank);
  return ranks;
}

/// Where a communication op's group lives.
struct Group {
  int64_t size = 1;
  bool spansNodes = false;
  /// A send/recv whose peer is the running rank itself (the turn of a V):
  /// the activation stays in memory.
  bool toSelf = false;
};

/// Resolves the mesh of a comm op; `peer` set for send/recv.
Group groupOf(Operation *op, FlatSymbolRefAttr meshRef, ArrayAttr axisNames,
              std::optional<int64_t> peer, int64_t gpusPerNode) {
  auto meshOp = SymbolTable::lookupNearestSymbolFrom<MeshOp>(op, meshRef);
  if (!meshOp)
    return {};
  std::vector<std::string> names;
  for (Attribute name : meshOp.getAxes())
    names.push_back(llvm::cast<StringAttr>(name).str());
  ArrayRef<int64_t> shape = meshOp.getShape();
  ::pp::MeshShape mesh(names, std::vector<int64_t>(shape.begin(), shape.end()));
  std::vector<int64_t> axes;
  for (Attribute name : axisNames) {
    int64_t axis = mesh.axisIndex(llvm::cast<StringAttr>(name).str());
    if (axis < 0)
      return {};
    axes.push_back(axis);
  }
  Group group;
  group.size = mesh.groupSize(axes);
  std::vector<int64_t> ranks = runningRanks(op, mesh);
  group.spansNodes =
      peer ? messageSpansNodes(mesh, axes, *peer, ranks, gpusPerNode)
           : groupSpansNodes(mesh, axes, ranks, gpusPerNode);
  group.toSelf =
      peer && !ranks.empty() && llvm::all_of(ranks, [&](int64_t rank) {
        std::vector<int64_t> members = mesh.groupOf(rank, axes);
        return *peer >= 0 && *peer < int64_t(members.size()) &&
               members[*peer] == rank;
      });
  return group;
}

} // namespace

Precision OpCostModel::matmulPrecision(Type elementType) const {
  Precision precision = Precision::f32;
  if (elementType.isF16())
    precision = Precision::f16;
  else if (elementType.isBF16())
    precision = Precision::bf16;
  else if (elementType.isTF32())
    precision = Precision::tf32;
  else if (elementType.isF64())
    precision = Precision::f64;
  else if (auto f = llvm::dyn_cast<FloatType>(elementType);
           f && f.getWidth() == 8)
    precision = hw.peak(Precision::fp8) > 0 ? Precision::fp8 : Precision::f16;
  return hw.peak(precision) > 0 ? precision : Precision::f32;
}

double OpCostModel::rooflineTime(double flops, Precision precision,
                                 double bytes) const {
  double peak = hw.peak(precision);
  if (peak <= 0)
    peak = hw.peak(Precision::f32);
  double computeTime = peak > 0 ? flops / peak : 0;
  double memoryTime = hw.hbmBandwidth > 0 ? bytes / hw.hbmBandwidth : 0;
  return std::max(computeTime, memoryTime);
}

OpCost OpCostModel::cost(Operation *op) const {
  OpCost cost;
  if (!llvm::isa_and_nonnull<PPDialect>(op->getDialect()) || isa<MeshOp>(op))
    return cost;

  // Leaves hold memory but do no work; their readers count the reads.
  if (auto weight = dyn_cast<WeightOp>(op)) {
    cost.paramBytes = tensorBytes(weight.getType());
    return cost;
  }
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    double bytes = tensorBytes(constant.getType());
    if (bytes >= kParamConstantMinBytes)
      cost.paramBytes = bytes;
    return cost;
  }

  // Communication: a CommCost, no HBM traffic of its own.
  auto priceComm = [&](CommKind kind, double bytes, FlatSymbolRefAttr mesh,
                       ArrayAttr axes, std::optional<int64_t> peer) {
    Group group = groupOf(op, mesh, axes, peer, hw.gpusPerNode);
    cost.activationBytes = resultBytes(op);
    if (group.toSelf)
      return cost;
    cost.comm = commCost(hw, kind, bytes, group.size, group.spansNodes);
    return cost;
  };
  if (auto send = dyn_cast<SendOp>(op))
    return priceComm(CommKind::PointToPoint,
                     tensorBytes(send.getInput().getType()), send.getMeshAttr(),
                     send.getAxes(), send.getPeer());
  if (auto recv = dyn_cast<RecvOp>(op))
    return priceComm(CommKind::PointToPoint, tensorBytes(recv.getType()),
                     recv.getMeshAttr(), recv.getAxes(), recv.getPeer());
  if (auto reduce = dyn_cast<AllReduceOp>(op))
    return priceComm(CommKind::AllReduce,
                     tensorBytes(reduce.getInput().getType()),
                     reduce.getMeshAttr(), reduce.getAxes(), std::nullopt);
  if (auto gather = dyn_cast<AllGatherOp>(op))
    return priceComm(CommKind::AllGather, tensorBytes(gather.getType()),
                     gather.getMeshAttr(), gather.getAxes(), std::nullopt);
  if (auto scatter = dyn_cast<ReduceScatterOp>(op))
    return priceComm(CommKind::ReduceScatter,
                     tensorBytes(scatter.getInput().getType()),
                     scatter.getMeshAttr(), scatter.getAxes(), std::nullopt);
  if (auto exchange = dyn_cast<AllToAllOp>(op))
    return priceComm(CommKind::AllToAll,
                     tensorBytes(exchange.getInput().getType()),
                     exchange.getMeshAttr(), exchange.getAxes(), std::nullopt);

  // Computation and data movement.
  Precision precision = Precision::f32;
  cost.memoryBytes = operandBytes(op) + resultBytes(op);
  cost.activationBytes = resultBytes(op);
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    // 2*M*N*K per batch: one multiply and one add per (output, k).
    auto lhs = llvm::cast<ShapedType>(matmul.getLhs().getType());
    cost.flops =
        2 * elementsOf(matmul.getResult()) * double(lhs.getShape().back());
    precision = matmulPrecision(lhs.getElementType());
  } else if (op->hasTrait<OpTrait::Elementwise>()) {
    cost.flops = elementwiseFlops(op) * elementsOf(op->getResult(0));
  } else if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
    cost.flops = flops_per_element::kSoftmax * elementsOf(softmax.getResult());
  } else if (auto loss = dyn_cast<CrossEntropyOp>(op)) {
    cost.flops =
        flops_per_element::kCrossEntropy * elementsOf(loss.getLogits());
  } else if (auto norm = dyn_cast<LayerNormOp>(op)) {
    double perElement =
        flops_per_element::kLayerNorm - (norm.getBias() ? 0 : 1);
    cost.flops = perElement * elementsOf(norm.getResult());
  } else if (auto norm = dyn_cast<RmsNormOp>(op)) {
    cost.flops = flops_per_element::kRmsNorm * elementsOf(norm.getResult());
  } else if (auto reduce = dyn_cast<ReduceOp>(op)) {
    // One combine per input element.
    cost.flops = elementsOf(reduce.getInput());
  } else if (isa<ReshapeOp>(op)) {
    // A view of its input: no copy, no new buffer.
    cost.memoryBytes = 0;
    cost.activationBytes = 0;
  } else if (isa<SliceOp, AllSliceOp>(op)) {
    // Reads only the window it writes.
    cost.memoryBytes = 2 * resultBytes(op);
  } else if (auto gather = dyn_cast<GatherOp>(op)) {
    // Reads the indices and the picked rows, not the whole table.
    cost.memoryBytes =
        tensorBytes(gather.getIndices().getType()) + 2 * resultBytes(op);
  } else if (auto scatter = dyn_cast<ScatterAddOp>(op)) {
    // One add per update; zeroing the result, then reading and writing the
    // rows the updates land on.
    double updates = tensorBytes(scatter.getUpdates().getType());
    cost.flops = elementsOf(scatter.getUpdates());
    cost.memoryBytes += 2 * updates;
  }
  // Transpose, concat, broadcast, trilu: a copy, no arithmetic.

  // Non-matmul kernels compute in f32 registers (f64 stays f64).
  if (!isa<MatMulOp>(op) && op->getNumResults() == 1) {
    Type element = getElementTypeOrSelf(op->getResult(0).getType());
    if (element.isF64() && hw.peak(Precision::f64) > 0)
      precision = Precision::f64;
  }
  cost.computeTime = rooflineTime(cost.flops, precision, cost.memoryBytes);
  return cost;
}
