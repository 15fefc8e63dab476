//===- StageGeneration.cpp - stage functions into generation steps -------===//
//
// After pp-split-stages (and pp-shard-tensor-parallel), each stage function
// @s becomes the prefill step over a chunk of the prompt, and a copy
// @s_decode the decode step over one token (GenerationStep.h). Both read
// and write the same caches, which join the program's inputs; the decode
// step's token ids and outputs are inputs and outputs of their own, so
// that every buffer keeps one shape. `pp.generation` on each says what it
// is to the runtime, and on the module gives the sizes.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/Transforms/GenerationStep.h"

#include <map>

namespace mlir::pp {
#define GEN_PASS_DEF_STAGEGENERATIONPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

struct StageGenerationPass
    : public mlir::pp::impl::StageGenerationPassBase<StageGenerationPass> {
  using StageGenerationPassBase::StageGenerationPassBase;

  void runOnOperation() override;
};

/// The analysis of a stage: the token ids on the first, the activation the
/// previous stage sends (whose positions `sent` gives by tag) on the others.
FailureOr<SequenceAnalysis>
analyzeStage(func::FuncOp f, bool first, const std::map<int64_t, SeqAt> &sent,
             int64_t length, int64_t idsDim) {
  if (first)
    return SequenceAnalysis::analyze(f, idsDim);
  SmallVector<RecvOp> recvs(f.getOps<RecvOp>());
  if (recvs.size() != 1 || !sent.count(recvs.front().getTag()))
    return f.emitError() << "pp-stage-generation: a later stage must receive "
                            "one activation that holds the positions";
  return SequenceAnalysis::analyze(f, recvs.front().getResult(),
                                   sent.at(recvs.front().getTag()), length);
}

/// The logits of a column-parallel head stay split over the vocabulary: the
/// step returns this rank's block (`pp.sharding` says how) instead of
/// gathering the whole rows, and the runtime picks the token with a
/// maximum over the group (docs/generation.md).
void keepVocabSplit(func::FuncOp f) {
  Operation *ret = f.getBody().front().getTerminator();
  auto gather = ret->getOperand(0).getDefiningOp<AllGatherOp>();
  auto type = cast<RankedTensorType>(ret->getOperand(0).getType());
  if (!gather || gather.getDim() != uint64_t(type.getRank() - 1) ||
      !gather->hasOneUse())
    return;
  MLIRContext *context = f.getContext();
  SmallVector<ArrayAttr> dims(type.getRank(), ArrayAttr::get(context, {}));
  dims.back() = gather.getAxes();
  auto sharding = ShardingAttr::get(context, gather.getMeshAttr(), dims,
                                    ArrayAttr(), ReductionKind::sum);
  ret->setOperand(0, gather.getInput());
  gather->erase();
  f.setResultAttr(0, PPDialect::ShardingAttrHelper::getNameStr(), sharding);
  f.setType(FunctionType::get(context, f.getArgumentTypes(),
                              ret->getOperandTypes()));
}

void StageGenerationPass::runOnOperation() {
  ModuleOp module = getOperation();
  Builder b(module.getContext());
  std::map<int64_t, func::FuncOp> stages;
  for (auto func : module.getOps<func::FuncOp>())
    if (auto stage = func->getAttrOfType<StageAttr>("pp.stage"))
      stages[stage.getIndex()] = func;
  if (stages.empty()) {
    module.emitError("pp-stage-generation: no stage functions (run "
                     "pp-split-stages)");
    return signalPassFailure();
  }
  func::FuncOp first = stages.begin()->second, last = stages.rbegin()->second;

  // Every stage and its decode copy, analyzed in pipeline order (each
  // copy on its own: its values are new).
  struct Step {
    func::FuncOp prefill, decode;
    std::optional<SequenceAnalysis> a, decodeA;
  };
  std::vector<Step> steps;
  std::map<int64_t, SeqAt> sent;
  int64_t t = 0, idsDim = -1;
  OpBuilder builder(module.getContext());
  for (auto &[index, prefill] : stages) {
    Step step;
    step.prefill = prefill;
    bool isFirst = prefill == first;
    FailureOr<SequenceAnalysis> a =
        analyzeStage(prefill, isFirst, sent, t, idsDim);
    if (failed(a))
      return signalPassFailure();
    if (isFirst) {
      t = a->length();
      idsDim = a->idsDim();
    }
    builder.setInsertionPointAfter(prefill);
    step.decode = cast<func::FuncOp>(builder.clone(*prefill));
    step.decode.setName((prefill.getName() + "_decode").str());
    step.decode->removeAttr("pp.stage");
    FailureOr<SequenceAnalysis> decodeA =
        analyzeStage(step.decode, isFirst, sent, t, idsDim);
    if (failed(decodeA))
      return signalPassFailure();
    for (SendOp send : prefill.getOps<SendOp>()) {
      std::optional<SeqAt> at = a->queryAt(send.getInput());
      if (!at) {
        send.emitError("pp-stage-generation: a stage must send on a value "
                       "that holds the positions, not attention scores or "
                       "a constant");
        return signalPassFailure();
      }
      sent[send.getTag()] = *at;
    }
    step.a = std::move(*a);
    step.decodeA = std::move(*decodeA);
    steps.push_back(std::move(step));
  }
  int64_t seq = maxSeq > 0 ? int64_t(maxSeq) : t;
  if (seq > t) {
    first.emitError() << "pp-stage-generation: max-seq " << seq
                      << " is longer than the " << t
                      << " positions the model was exported for (its "
                         "position tables and masks have " << t
                      << " rows); export it with a longer sequence";
    return signalPassFailure();
  }
  // The batch is the ids' other dim, whole (pp-split-batch may have cut it
  // into micro-batches).
  auto idsType = cast<RankedTensorType>(steps.front().a->ids().getType());
  int64_t batch = idsType.getRank() == 2 ? idsType.getDimSize(1 - idsDim) : 1;
  if (auto cut = module->getAttrOfType<DictionaryAttr>("pp.batch"))
    if (auto factor = cut.getAs<IntegerAttr>("factor"))
      batch *= factor.getInt();
  if (maxBatch > 0 && maxBatch != batch) {
    first.emitError() << "pp-stage-generation: max-batch " << int64_t(maxBatch)
                      << " is not the " << batch
                      << " sequences the model was exported for; export it "
                         "with that batch, or with a symbolic batch dim "
                         "(named batch or batch_size), which --max-batch "
                         "binds";
    return signalPassFailure();
  }
  int64_t chunk = prefillChunk > 0 ? int64_t(prefillChunk) : seq;
  if (chunk > seq) {
    first.emitError() << "pp-stage-generation: prefill-chunk " << chunk
                      << " is longer than max-seq " << seq;
    return signalPassFailure();
  }
  if (last.getNumResults() == 0 ||
      !steps.back().a->queryAt(
          last.getBody().front().getTerminator()->getOperand(0))) {
    last.emitError("pp-stage-generation: the model's first output must hold "
                   "the logits of each position");
    return signalPassFailure();
  }
  // The token ids, before the rewrite retypes them.
  unsigned ids = cast<BlockArgument>(steps.front().a->ids()).getArgNumber();

  SmallVector<Attribute> inputTypes, inputAttrs;
  if (auto types = module->getAttrOfType<ArrayAttr>(
          PPDialect::InputsAttrHelper::getNameStr()))
    llvm::append_range(inputTypes, types);
  if (auto attrs = module->getAttrOfType<ArrayAttr>(
          PPDialect::InputAttrsAttrHelper::getNameStr()))
    llvm::append_range(inputAttrs, attrs);
  inputAttrs.resize(inputTypes.size(), b.getDictionaryAttr({}));
  StringRef role = PPDialect::GenerationAttrHelper::getNameStr();
  StringRef nameAttr = "pp.name";
  StringRef inputIndex = PPDialect::InputIndexAttrHelper::getNameStr();
  auto addInput = [&](Type type, StringRef name, StringRef what) {
    int64_t index = inputTypes.size();
    inputTypes.push_back(TypeAttr::get(type));
    inputAttrs.push_back(b.getDictionaryAttr(
        {b.getNamedAttr(nameAttr, b.getStringAttr(name)),
         b.getNamedAttr(role, b.getStringAttr(what))}));
    return index;
  };
  auto markArg = [&](func::FuncOp f, unsigned arg, int64_t index,
                     StringRef name, StringRef what) {
    f.setArgAttr(arg, inputIndex, b.getI64IntegerAttr(index));
    f.setArgAttr(arg, nameAttr, b.getStringAttr(name));
    f.setArgAttr(arg, role, b.getStringAttr(what));
  };
  // Each stage's caches: program inputs that both of its steps read.
  for (Step &step : steps) {
    SmallVector<StepCache> caches, decodeCaches;
    if (failed(buildGenerationStep(step.prefill, *step.a, chunk, seq,
                                   caches)) ||
        failed(buildGenerationStep(step.decode, *step.decodeA, 1, seq,
                                   decodeCaches)))
      return signalPassFailure();
    for (auto [cache, decodeCache] : llvm::zip(caches, decodeCaches)) {
      int64_t index = addInput(cache.type, cache.name, "kv_cache");
      markArg(step.prefill, cache.argument, index, cache.name, "kv_cache");
      markArg(step.decode, decodeCache.argument, index, cache.name,
              "kv_cache");
    }
  }
  // The first stage's token ids; the decode step's are an input of their
  // own, so that every buffer keeps one shape.
  func::FuncOp prefill = steps.front().prefill, decode = steps.front().decode;
  auto idsName = prefill.getArgAttrOfType<StringAttr>(ids, nameAttr);
  std::string name = idsName ? idsName.str() : "input_ids";
  int64_t prefillIds =
      prefill.getArgAttrOfType<IntegerAttr>(ids, inputIndex).getInt();
  // Micro-batches (pp-split-batch) cut both steps' ids along the batch.
  StringRef batchDim = PPDialect::BatchDimAttrHelper::getNameStr();
  auto idsBatchDim = prefill.getArgAttrOfType<IntegerAttr>(ids, batchDim);
  inputTypes[prefillIds] = TypeAttr::get(prefill.getArgumentTypes()[ids]);
  NamedAttrList prefillAttrs(cast<DictionaryAttr>(inputAttrs[prefillIds]));
  prefillAttrs.set(role, b.getStringAttr("prefill_ids"));
  inputAttrs[prefillIds] = prefillAttrs.getDictionary(b.getContext());
  prefill.setArgAttr(ids, role, b.getStringAttr("prefill_ids"));
  int64_t decodeIds = addInput(decode.getArgumentTypes()[ids],
                               name + ".decode", "decode_ids");
  markArg(decode, ids, decodeIds, name + ".decode", "decode_ids");
  if (idsBatchDim) {
    NamedAttrList decodeAttrs(cast<DictionaryAttr>(inputAttrs[decodeIds]));
    decodeAttrs.set(batchDim, idsBatchDim);
    inputAttrs[decodeIds] = decodeAttrs.getDictionary(b.getContext());
  }
  module->setAttr(PPDialect::InputsAttrHelper::getNameStr(),
                  b.getArrayAttr(inputTypes));
  module->setAttr(PPDialect::InputAttrsAttrHelper::getNameStr(),
                  b.getArrayAttr(inputAttrs));

  // The outputs (the last stage's): the model's first is the logits the
  // tokens come from; the decode step's outputs follow the prefill's.
  StringRef outputIndex = PPDialect::OutputIndexAttrHelper::getNameStr();
  int64_t next = 0;
  for (Step &step : steps)
    for (unsigned j = 0; j < step.prefill.getNumResults(); ++j)
      if (auto index =
              step.prefill.getResultAttrOfType<IntegerAttr>(j, outputIndex))
        next = std::max(next, index.getInt() + 1);
  for (Step &step : steps)
    for (unsigned j = 0; j < step.decode.getNumResults(); ++j) {
      auto resultName =
          step.decode.getResultAttrOfType<StringAttr>(j, nameAttr);
      std::string n = (resultName ? resultName.str() : "output") + ".decode";
      step.decode.setResultAttr(j, outputIndex, b.getI64IntegerAttr(next++));
      step.decode.setResultAttr(j, nameAttr, b.getStringAttr(n));
      if (j == 0 && step.prefill == last) {
        step.decode.setResultAttr(j, role, b.getStringAttr("decode_logits"));
        step.prefill.setResultAttr(j, role,
                                   b.getStringAttr("prefill_logits"));
        keepVocabSplit(step.prefill);
        keepVocabSplit(step.decode);
      }
    }
  // The micro-batches the batch was cut into flow through the stages one
  // after another.
  if (auto batch = module->getAttrOfType<DictionaryAttr>("pp.batch"))
    if (auto factor = batch.getAs<IntegerAttr>("factor"))
      module->setAttr(PPDialect::MicrobatchesAttrHelper::getNameStr(), factor);
  module->setAttr(
      PPDialect::GenerationStepAttrHelper::getNameStr(),
      b.getDictionaryAttr(
          {b.getNamedAttr("max_seq", b.getI64IntegerAttr(seq)),
           b.getNamedAttr("prefill_chunk", b.getI64IntegerAttr(chunk)),
           b.getNamedAttr("seq_dim", b.getI64IntegerAttr(idsDim))}));
}

} // namespace
