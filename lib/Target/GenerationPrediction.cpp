//===- GenerationPrediction.cpp - a generator's predicted speed ----------===//
//
// A step runs M micro-batches through P stages one after another, the
// stages overlapping on different micro-batches (a forward-only GPipe): its
// time is the first micro-batch's way through every stage (and the
// messages between them) plus M - 1 times the slowest stage; each stage
// idles the rest. Cached attention is priced as it runs: over all max-seq
// cache slots.
//
//===----------------------------------------------------------------------===//

#include "GenerationPrediction.h"
#include "SchedulePrediction.h"

#include "pp/Analysis/OpCost.h"
#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>

using namespace mlir;
using namespace mlir::pp;

LogicalResult mlir::pp::predictGeneration(ModuleOp module, StringRef hardware,
                                          bool &isGeneration,
                                          GenerationPrediction &out) {
  auto step = module->getAttrOfType<DictionaryAttr>(
      PPDialect::GenerationStepAttrHelper::getNameStr());
  isGeneration = bool(step);
  if (!step)
    return success();
  FailureOr<HardwareSpec> spec = planHardware(module, hardware);
  if (failed(spec))
    return failure();
  OpCostModel model(*spec);
  out.hardware = spec->name;
  if (auto seq = step.getAs<IntegerAttr>("max_seq"))
    out.maxSeq = seq.getInt();
  if (auto chunk = step.getAs<IntegerAttr>("prefill_chunk"))
    out.prefillChunk = chunk.getInt();
  auto mesh = module.lookupSymbol<MeshOp>("world");
  bool spansNodes = mesh && mesh.getNumRanks() > spec->gpusPerNode;

  std::map<int64_t, func::FuncOp> stages;
  for (auto func : module.getOps<func::FuncOp>())
    if (auto stage = func->getAttrOfType<StageAttr>("pp.stage"))
      stages[stage.getIndex()] = func;
  out.stages = stages.size();
  // One function's seconds, its messages to the next stage priced apart.
  auto secondsOf = [&](func::FuncOp func, bool decode) {
    double seconds = 0;
    int64_t allReduces = 0;
    double allReduceSeconds = 0;
    func.walk([&](Operation *op) {
      if (isa<RecvOp>(op))
        return;
      if (auto send = dyn_cast<SendOp>(op)) {
        seconds += model
                       .collective(CommKind::PointToPoint,
                                   tensorBytes(send.getInput().getType()), 2,
                                   spansNodes)
                       .time;
        return;
      }
      OpCost cost = model.cost(op);
      seconds += cost.time();
      if (decode && isa<AllReduceOp>(op)) {
        ++allReduces;
        allReduceSeconds += cost.commTime();
        out.allReduceBytes = std::max(out.allReduceBytes,
                                      tensorBytes(op->getResult(0).getType()));
      }
    });
    if (decode && allReduces > out.allReduces) {
      out.allReduces = allReduces;
      out.allReduceMs = allReduceSeconds * 1e3;
    }
    return seconds;
  };
  if (auto m = module->getAttrOfType<IntegerAttr>(
          PPDialect::MicrobatchesAttrHelper::getNameStr()))
    out.microbatches = std::max<int64_t>(1, m.getInt());
  double prefillMax = 0, decodeMax = 0, decodeSum = 0;
  for (auto &[index, prefill] : stages) {
    double ms = secondsOf(prefill, false) * 1e3;
    out.prefillMs += ms;
    prefillMax = std::max(prefillMax, ms);
    if (auto decode = module.lookupSymbol<func::FuncOp>(
            (prefill.getName() + "_decode").str())) {
      ms = secondsOf(decode, true) * 1e3;
      out.decodeMs += ms;
      decodeSum += ms;
      decodeMax = std::max(decodeMax, ms);
    }
  }
  double m = double(out.microbatches);
  out.allReduces *= out.microbatches;
  out.allReduceMs *= m;
  out.prefillMs += (m - 1) * prefillMax;
  out.decodeMs += (m - 1) * decodeMax;
  if (out.decodeMs > 0 && !stages.empty())
    out.idle = 1 - m * decodeSum / double(stages.size()) / out.decodeMs;
  // The sequences: the decode step's token ids, [batch, 1] or [1, batch].
  if (!stages.empty())
    for (auto [i, type] : llvm::enumerate(
             stages.begin()->second.getArgumentTypes()))
      if (auto role = stages.begin()->second.getArgAttrOfType<StringAttr>(
              i, PPDialect::GenerationAttrHelper::getNameStr());
          role && role.getValue() == "prefill_ids")
        out.batch = cast<ShapedType>(type).getNumElements() /
                    std::max<int64_t>(1, out.prefillChunk) * out.microbatches;
  return success();
}
