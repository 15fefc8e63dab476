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
  if (stages.size() > 1) {
    stages.begin()->second.emitError()
        << "pp-stage-generation: generation over " << stages.size()
        << " pipeline stages is not built yet; compile with one stage";
    return signalPassFailure();
  }
  func::FuncOp prefill = stages.begin()->second;
  FailureOr<SequenceAnalysis> analyzed = SequenceAnalysis::analyze(prefill);
  if (failed(analyzed))
    return signalPassFailure();
  int64_t t = analyzed->length();
  int64_t seq = maxSeq > 0 ? int64_t(maxSeq) : t;
  if (seq > t) {
    prefill.emitError() << "pp-stage-generation: max-seq " << seq
                        << " is longer than the " << t
                        << " positions the model was exported for (its "
                           "position tables and masks have " << t
                        << " rows); export it with a longer sequence";
    return signalPassFailure();
  }
  int64_t chunk = prefillChunk > 0 ? int64_t(prefillChunk) : seq;
  if (chunk > seq) {
    prefill.emitError() << "pp-stage-generation: prefill-chunk " << chunk
                        << " is longer than max-seq " << seq;
    return signalPassFailure();
  }

  // The decode step: a copy, analyzed on its own (its values are new).
  OpBuilder builder(module.getContext());
  builder.setInsertionPointAfter(prefill);
  auto decode = cast<func::FuncOp>(builder.clone(*prefill));
  decode.setName((prefill.getName() + "_decode").str());
  decode->removeAttr("pp.stage");
  FailureOr<SequenceAnalysis> decodeAnalyzed =
      SequenceAnalysis::analyze(decode, analyzed->idsDim());
  if (failed(decodeAnalyzed))
    return signalPassFailure();

  SmallVector<StepCache> caches, decodeCaches;
  if (failed(buildGenerationStep(prefill, *analyzed, chunk, seq, caches)) ||
      failed(buildGenerationStep(decode, *decodeAnalyzed, 1, seq,
                                 decodeCaches)))
    return signalPassFailure();

  // The program's inputs: the caches, then the decode step's token ids.
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
  for (auto [cache, decodeCache] : llvm::zip(caches, decodeCaches)) {
    int64_t index = addInput(cache.type, cache.name, "kv_cache");
    markArg(prefill, cache.argument, index, cache.name, "kv_cache");
    markArg(decode, decodeCache.argument, index, cache.name, "kv_cache");
  }
  unsigned ids = analyzed->ids().getArgNumber();
  auto idsName = prefill.getArgAttrOfType<StringAttr>(ids, nameAttr);
  std::string name = idsName ? idsName.str() : "input_ids";
  int64_t prefillIds =
      prefill.getArgAttrOfType<IntegerAttr>(ids, inputIndex).getInt();
  inputTypes[prefillIds] = TypeAttr::get(prefill.getArgumentTypes()[ids]);
  inputAttrs[prefillIds] = b.getDictionaryAttr(
      {b.getNamedAttr(nameAttr, b.getStringAttr(name)),
       b.getNamedAttr(role, b.getStringAttr("prefill_ids"))});
  prefill.setArgAttr(ids, role, b.getStringAttr("prefill_ids"));
  int64_t decodeIds = addInput(decode.getArgumentTypes()[ids],
                               name + ".decode", "decode_ids");
  markArg(decode, ids, decodeIds, name + ".decode", "decode_ids");
  module->setAttr(PPDialect::InputsAttrHelper::getNameStr(),
                  b.getArrayAttr(inputTypes));
  module->setAttr(PPDialect::InputAttrsAttrHelper::getNameStr(),
                  b.getArrayAttr(inputAttrs));

  // The outputs: the model's first is the logits the tokens come from; the
  // decode step's outputs follow the prefill's.
  StringRef outputIndex = PPDialect::OutputIndexAttrHelper::getNameStr();
  int64_t next = 0;
  for (unsigned j = 0; j < prefill.getNumResults(); ++j)
    if (auto index = prefill.getResultAttrOfType<IntegerAttr>(j, outputIndex))
      next = std::max(next, index.getInt() + 1);
  if (prefill.getNumResults() == 0 ||
      !analyzed->queryAt(
          prefill.getBody().front().getTerminator()->getOperand(0))) {
    prefill.emitError("pp-stage-generation: the model's first output must "
                      "hold the logits of each position");
    return signalPassFailure();
  }
  for (unsigned j = 0; j < decode.getNumResults(); ++j) {
    auto resultName = decode.getResultAttrOfType<StringAttr>(j, nameAttr);
    std::string n = (resultName ? resultName.str() : "output") + ".decode";
    decode.setResultAttr(j, outputIndex, b.getI64IntegerAttr(next++));
    decode.setResultAttr(j, nameAttr, b.getStringAttr(n));
    if (j == 0) {
      decode.setResultAttr(j, role, b.getStringAttr("decode_logits"));
      prefill.setResultAttr(j, role, b.getStringAttr("prefill_logits"));
    }
  }
  module->setAttr(
      PPDialect::GenerationStepAttrHelper::getNameStr(),
      b.getDictionaryAttr(
                {b.getNamedAttr("max_seq", b.getI64IntegerAttr(seq)),
                 b.getNamedAttr("prefill_chunk", b.getI64IntegerAttr(chunk)),
                 b.getNamedAttr("seq_dim",
                                b.getI64IntegerAttr(analyzed->idsDim()))}));
}

} // namespace
