//===- TestSequenceAnalysis.cpp - print what generation would change -----===//
//
// Remarks with SequenceAnalysis's findings on every function with a body,
// so that lit tests check them op by op: each attention's scores, mask,
// softmax and values, and each operand that lines up with the positions.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/Transforms/SequenceAnalysis.h"

namespace mlir::pp {
#define GEN_PASS_DEF_TESTSEQUENCEANALYSISPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

struct TestSequenceAnalysisPass
    : public mlir::pp::impl::TestSequenceAnalysisPassBase<
          TestSequenceAnalysisPass> {
  using TestSequenceAnalysisPassBase::TestSequenceAnalysisPassBase;

  void runOnOperation() override {
    getOperation()->walk([&](func::FuncOp func) {
      if (func.isExternal())
        return;
      FailureOr<SequenceAnalysis> a = SequenceAnalysis::analyze(func, seqDim);
      if (failed(a))
        return signalPassFailure();
      auto name = func.getArgAttrOfType<StringAttr>(
          cast<BlockArgument>(a->ids()).getArgNumber(), "pp.name");
      func.emitRemark() << "sequence at dim " << a->idsDim() << " of '"
                        << (name ? name.getValue() : StringRef("?")) << "' ("
                        << a->length() << " positions): "
                        << a->attentions().size() << " causal attentions";
      for (auto [n, at] : llvm::enumerate(a->attentions())) {
        Value scores = at.scores->getResult(0);
        at.scores->emitRemark()
            << "attention " << n << ": scores, queries at dim "
            << a->queryAt(scores)->dim << ", keys at dim "
            << a->keyAt(scores)->dim;
        at.mask->emitRemark() << "attention " << n << ": causal mask (operand "
                              << at.maskOperand << ")";
        at.softmax->emitRemark()
            << "attention " << n << ": softmax over the keys";
        at.values->emitRemark() << "attention " << n << ": values";
      }
      for (const AlignedOperand &aligned : a->alignedOperands()) {
        InFlightDiagnostic remark = aligned.op->emitRemark();
        remark << "operand " << aligned.operand << " lines up with";
        if (aligned.queryDim)
          remark << " the queries at dim " << *aligned.queryDim;
        if (aligned.queryDim && aligned.keyDim)
          remark << " and";
        if (aligned.keyDim)
          remark << " the keys at dim " << *aligned.keyDim;
      }
    });
  }
};

} // namespace
