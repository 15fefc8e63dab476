//===- AddLoss.cpp - a function's logits into a cross-entropy loss --------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/TensorBuilders.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pp {
#define GEN_PASS_DEF_ADDLOSSPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

struct AddLossPass : public mlir::pp::impl::AddLossPassBase<AddLossPass> {
  using AddLossPassBase::AddLossPassBase;
  void runOnOperation() override;
  FailureOr<unsigned> findLogits(func::FuncOp func);
};

FailureOr<unsigned> AddLossPass::findLogits(func::FuncOp func) {
  auto results = func.getResultTypes();
  auto isFloatResult = [&](unsigned i) {
    return isa<FloatType>(cast<ShapedType>(results[i]).getElementType());
  };
  if (logits.empty()) {
    SmallVector<unsigned> floats;
    for (unsigned i = 0; i < results.size(); ++i)
      if (isFloatResult(i))
        floats.push_back(i);
    if (floats.size() == 1)
      return floats.front();
    return func.emitOpError()
           << "has " << floats.size()
           << " float results; name the logits with pp-add-loss logits=";
  }
  for (unsigned i = 0; i < results.size(); ++i)
    if (auto name = func.getResultAttrOfType<StringAttr>(
            i, PPDialect::NameAttrHelper::getNameStr());
        name && name.getValue() == logits)
      return i;
  unsigned index;
  if (!StringRef(logits).getAsInteger(10, index) && index < results.size())
    return index;
  return func.emitOpError() << "has no result named or numbered '" << logits
                            << "'";
}

void AddLossPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto func = module.lookupSymbol<func::FuncOp>(this->func);
  if (!func || func.isExternal()) {
    module.emitError() << "pp-add-loss: no function @" << this->func
                       << " with a body";
    return signalPassFailure();
  }
  FailureOr<unsigned> index = findLogits(func);
  if (failed(index))
    return signalPassFailure();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  Value logitsValue = ret.getOperand(*index);
  auto type = cast<RankedTensorType>(logitsValue.getType());
  if (!isa<FloatType>(type.getElementType()) || type.getRank() == 0) {
    func.emitOpError() << "result #" << *index << " of type " << type
                       << " cannot be logits: need floats [..., V]";
    return signalPassFailure();
  }

  OpBuilder b(ret);
  MLIRContext *context = &getContext();
  auto labelsType =
      RankedTensorType::get(type.getShape().drop_back(), b.getI64Type());
  unsigned argIndex = func.getNumArguments();
  if (failed(func.insertArgument(
          argIndex, labelsType,
          b.getDictionaryAttr(b.getNamedAttr(
              PPDialect::NameAttrHelper::getNameStr(),
              StringAttr::get(context, labels))),
          func.getLoc())))
    return signalPassFailure();
  Value labelsArg = func.getArgument(argIndex);
  // After pp-split-batch, the labels are cut like the logits.
  StringRef batchDim = PPDialect::BatchDimAttrHelper::getNameStr();
  if (auto dim = func.getResultAttrOfType<IntegerAttr>(*index, batchDim);
      dim && dim.getInt() < labelsType.getRank())
    func.setArgAttr(argIndex, batchDim, dim);
  Value loss = CrossEntropyOp::create(
      b, ret.getLoc(), RankedTensorType::get({}, type.getElementType()),
      logitsValue, labelsArg, /*ignore_index=*/-100, FlatSymbolRefAttr(),
      ArrayAttr());
  ret->setOperands(loss);
  func.setFunctionType(FunctionType::get(context, func.getArgumentTypes(),
                                         {loss.getType()}));
  func.setAllResultAttrs(ArrayRef<DictionaryAttr>{b.getDictionaryAttr(
      b.getNamedAttr(PPDialect::NameAttrHelper::getNameStr(),
                     StringAttr::get(context, "loss")))});
}

} // namespace
