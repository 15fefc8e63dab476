//===- TestDimRules.cpp - print every op's dim rules ----------------------===//
//
// A remark per op with its DimRulesInterface rules, so that lit tests check
// the rules of each op form directly.
//
//===----------------------------------------------------------------------===//

#include "pp/Dialect/PP/Transforms/Passes.h"

#include "pp/Dialect/PP/IR/PPDialect.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::pp {
#define GEN_PASS_DEF_TESTDIMRULESPASS
#include "pp/Dialect/PP/Transforms/Passes.h.inc"
} // namespace mlir::pp

using namespace mlir;
using namespace mlir::pp;

namespace {

struct TestDimRulesPass
    : public mlir::pp::impl::TestDimRulesPassBase<TestDimRulesPass> {
  void runOnOperation() override {
    getOperation()->walk([](DimRulesInterface op) {
      std::string text;
      llvm::raw_string_ostream os(text);
      op.getDimRules().print(os);
      op->emitRemark() << text;
    });
  }
};

} // namespace
