//===- SplitStages.cpp - one function per pipeline stage -----------------===//
//
// Walks @main once per stage and clones, in the original order, that
// stage's stream ops plus the off-stream ops they read (recomputed in every
// stage that needs them). The single value live across a stage boundary
// travels by pp.send/pp.recv over the mesh's "pp" axis, between the ranks
// the module's placement (StageMap) gives the two stages; at the turn of a
// V both are one rank, and the pair names that rank itself.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/StagePlacement.h"
#include "pp/Dialect/PP/Transforms/StageUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::pp {
#define GEN_PASS_DEF_SPLITSTAGESPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

int64_t stageOf(Operation *op) {
  auto stage =
      op->getAttrOfType<StageAttr>(PPDialect::StageAttrHelper::getNameStr());
  return stage ? stage.getIndex() : -1;
}

struct SplitStagesPass
    : public mlir::pp::impl::SplitStagesPassBase<SplitStagesPass> {
  void runOnOperation() override;
};

void SplitStagesPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  auto mesh = module.lookupSymbol<MeshOp>("world");
  if (!main || !mesh || mesh.getAxisIndex("pp") < 0) {
    module.emitError("pp-split-stages needs @main and pp.mesh @world with a "
                     "\"pp\" axis; run pp-partition-stages first");
    return signalPassFailure();
  }
  int64_t ranks = mesh.getShape()[mesh.getAxisIndex("pp")];
  StreamInfo stream = analyzeStream(main);
  int64_t stages = 0;
  for (Operation *op : stream.streamOps) {
    if (stageOf(op) < 0) {
      op->emitError("stream op has no pp.stage; run pp-partition-stages");
      return signalPassFailure();
    }
    stages = std::max(stages, stageOf(op) + 1);
  }
  if (stages % ranks != 0) {
    module.emitError() << stages << " stages do not divide over " << ranks
                       << " pipeline ranks";
    return signalPassFailure();
  }
  FailureOr<::pp::schedule::Placement> placement = getStagePlacement(module);
  if (failed(placement))
    return signalPassFailure();
  ::pp::schedule::StageMap stageMap(ranks, std::max<int64_t>(1, stages / ranks),
                                    *placement);
  Block &body = main.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  MLIRContext *context = &getContext();
  OpBuilder builder(context);
  auto group = builder.getStrArrayAttr({"pp"});
  auto meshRef = FlatSymbolRefAttr::get(context, "world");

  // The stage that reads each value last decides who needs what; a value
  // defined in stage s and read in a later stage crosses s's boundary.
  auto stageOfValue = [&](Value v) -> int64_t {
    Operation *def = v.getDefiningOp();
    return def && stream.streamValues.contains(v) ? stageOf(def) : -1;
  };

  for (int64_t s = 0; s < stages; ++s) {
    // Values this stage computes or recomputes, found backwards from its
    // stream ops and the outputs it returns.
    llvm::DenseSet<Operation *> cloned;
    SmallVector<Value> worklist;
    SmallVector<unsigned> outputs;
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      int64_t producer = stageOfValue(v);
      if (producer == s || (producer < 0 && s == stages - 1)) {
        outputs.push_back(i);
        worklist.push_back(v);
      }
    }
    for (Operation *op : stream.streamOps)
      if (stageOf(op) == s) {
        cloned.insert(op);
        llvm::append_range(worklist, op->getOperands());
      }
    Value incoming;
    llvm::DenseSet<unsigned> args;
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        args.insert(arg.getArgNumber());
        continue;
      }
      int64_t producer = stageOfValue(v);
      if (producer >= 0 && producer != s) {
        if (producer > s || (incoming && incoming != v)) {
          v.getDefiningOp()->emitError()
              << "stage " << s << " reads more than one value from earlier "
              << "stages; only the residual stream may cross a boundary";
          return signalPassFailure();
        }
        incoming = v;
        continue;
      }
      if (cloned.insert(v.getDefiningOp()).second || producer < 0)
        llvm::append_range(worklist, v.getDefiningOp()->getOperands());
    }
    // The value this stage hands on: defined here, read by a later stage.
    Value outgoing;
    for (Operation *op : stream.streamOps)
      if (stageOf(op) == s)
        for (Value result : op->getResults())
          for (Operation *user : result.getUsers())
            if (stageOf(user) > s)
              outgoing = result;

    // The stage function.
    SmallVector<unsigned> argList(args.begin(), args.end());
    llvm::sort(argList);
    SmallVector<Type> argTypes, resultTypes;
    for (unsigned a : argList)
      argTypes.push_back(main.getArgument(a).getType());
    for (unsigned o : outputs)
      resultTypes.push_back(ret.getOperand(o).getType());
    builder.setInsertionPoint(main);
    auto func = func::FuncOp::create(builder, 
        main.getLoc(), ("stage" + Twine(s)).str(),
        builder.getFunctionType(argTypes, resultTypes));
    func->setAttr(PPDialect::StageAttrHelper::getNameStr(),
                  StageAttr::get(context, s));
    Block *entry = func.addEntryBlock();
    IRMapping map;
    for (auto [i, a] : llvm::enumerate(argList)) {
      map.map(main.getArgument(a), entry->getArgument(i));
      if (DictionaryAttr attrs = main.getArgAttrDict(a))
        func.setArgAttrs(i, attrs);
      func.setArgAttr(i, PPDialect::InputIndexAttrHelper::getNameStr(),
                      builder.getI64IntegerAttr(a));
    }
    builder.setInsertionPointToEnd(entry);
    if (incoming) {
      int64_t from = s - 1;
      map.map(incoming,
              RecvOp::create(builder, incoming.getLoc(), incoming.getType(),
                             meshRef, group,
                             builder.getI64IntegerAttr(stageMap.rankOf(from)),
                             builder.getI64IntegerAttr(from)));
    }
    for (Operation &op : body.without_terminator())
      if (cloned.contains(&op))
        builder.clone(op, map)->removeAttr(
            PPDialect::StageAttrHelper::getNameStr());
    if (outgoing)
      SendOp::create(builder, outgoing.getLoc(), map.lookup(outgoing), meshRef,
                     group, builder.getI64IntegerAttr(stageMap.rankOf(s + 1)),
                     builder.getI64IntegerAttr(s));
    SmallVector<Value> results;
    for (unsigned o : outputs)
      results.push_back(map.lookup(ret.getOperand(o)));
    func::ReturnOp::create(builder, ret.getLoc(), results);
    for (auto [i, o] : llvm::enumerate(outputs)) {
      if (DictionaryAttr attrs = main.getResultAttrDict(o))
        func.setResultAttrs(i, attrs);
      func.setResultAttr(i, PPDialect::OutputIndexAttrHelper::getNameStr(),
                         builder.getI64IntegerAttr(o));
    }
  }
  // What the plan reports about the split stays on the module.
  for (StringRef name : {PPDialect::StageLayersAttrHelper::getNameStr(),
                         PPDialect::StageFlopsAttrHelper::getNameStr(),
                         PPDialect::LayerSourceAttrHelper::getNameStr()})
    if (Attribute attr = main->getAttr(name))
      module->setAttr(name, attr);
  module->setAttr(PPDialect::InputsAttrHelper::getNameStr(),
                  builder.getArrayAttr(llvm::to_vector(llvm::map_range(
                      main.getArgumentTypes(),
                      [](Type t) -> Attribute { return TypeAttr::get(t); }))));
  SmallVector<Attribute> inputAttrs;
  for (unsigned a = 0; a < main.getNumArguments(); ++a)
    inputAttrs.push_back(main.getArgAttrDict(a)
                             ? Attribute(main.getArgAttrDict(a))
                             : builder.getDictionaryAttr({}));
  module->setAttr(PPDialect::InputAttrsAttrHelper::getNameStr(),
                  builder.getArrayAttr(inputAttrs));
  main.erase();
}

} // namespace
