//===- ConvertFloatType.cpp - compute in bf16 or f16 ---------------------===//
//
// Changes types in place: pp ops carry no attribute that depends on the
// element type except pp.constant's value, which is converted, and
// pp.weight's file type, which is recorded.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pp {
#define GEN_PASS_DEF_CONVERTFLOATTYPEPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

struct ConvertFloatTypePass
    : public mlir::pp::impl::ConvertFloatTypePassBase<ConvertFloatTypePass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    Type target;
    if (to == "bf16")
      target = BFloat16Type::get(context);
    else if (to == "f16")
      target = Float16Type::get(context);
    if (!target) {
      emitError(getOperation().getLoc())
          << "pp-convert-float-type: unknown type '" << to
          << "'; expected bf16 or f16";
      return signalPassFailure();
    }
    Type f32 = Float32Type::get(context);
    auto convert = [&](Type type) -> Type {
      auto tensor = llvm::dyn_cast<RankedTensorType>(type);
      if (!tensor || tensor.getElementType() != f32)
        return type;
      return RankedTensorType::get(tensor.getShape(), target);
    };

    getOperation().walk([&](Operation *op) {
      if (auto func = dyn_cast<func::FuncOp>(op)) {
        for (BlockArgument arg : func.getArguments())
          arg.setType(convert(arg.getType()));
        FunctionType type = func.getFunctionType();
        SmallVector<Type> inputs, results;
        for (Type t : type.getInputs())
          inputs.push_back(convert(t));
        for (Type t : type.getResults())
          results.push_back(convert(t));
        func.setType(FunctionType::get(context, inputs, results));
        return;
      }
      if (auto weight = dyn_cast<WeightOp>(op)) {
        Type element = llvm::cast<ShapedType>(weight.getType()).getElementType();
        if (element == f32 && !weight.getFileElementType())
          weight.setFileElementType(f32);
      }
      if (auto constant = dyn_cast<ConstantOp>(op)) {
        auto value = llvm::dyn_cast<DenseElementsAttr>(constant.getValue());
        if (value && value.getElementType() == f32) {
          auto type = llvm::cast<ShapedType>(convert(value.getType()));
          auto floatType = llvm::cast<FloatType>(target);
          constant.setValueAttr(value.mapValues(target, [&](const APFloat &v) {
            APFloat copy = v;
            bool lost;
            copy.convert(floatType.getFloatSemantics(),
                         APFloat::rmNearestTiesToEven, &lost);
            return copy.bitcastToAPInt();
          }).reshape(type));
        }
      }
      for (Value result : op->getResults())
        result.setType(convert(result.getType()));
    });
  }
};

} // namespace
