//===- TrainabilityTest.cpp - which weights training updates, and why -----===//

#include "pp/Dialect/PP/Transforms/Trainability.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <map>

using namespace mlir;
using namespace mlir::pp;

namespace {

const char *kModel = R"mlir(
func.func @f(%ids: tensor<4xi64>, %x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %emb = pp.weight "emb" from "m.onnx" offset 0 : tensor<16x8xf32>
  %g = pp.weight "ln.g" from "m.onnx" offset 0 : tensor<8xf32>
  %b = pp.weight "ln.b" from "m.onnx" offset 0 : tensor<8xf32>
  %w = pp.weight "fused.w" from "m.onnx" offset 0 : tensor<8x16xf32>
  %bias = pp.weight "proj.b" from "m.onnx" offset 0 : tensor<8xf32>
  %cos = pp.weight "rope.cos" from "m.onnx" offset 0 : tensor<4x8xf32>
  %pos = pp.weight "positions" from "m.onnx" offset 0 : tensor<4xi64>
  %e = pp.gather %emb[%ids] dim 0 : (tensor<16x8xf32>, tensor<4xi64>) -> tensor<4x8xf32>
  %n = pp.layer_norm %e, %g, %b dim 1 epsilon 1.0e-05 : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %half = pp.slice %w starts [0, 8] steps [1, 1] : tensor<8x16xf32> -> tensor<8x8xf32>
  %y = pp.matmul %n, %half : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %yb = pp.add %bias, %y : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = pp.mul %x, %cos : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %p = pp.gather %r[%pos] dim 0 : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<4x8xf32>
  return %yb, %p : tensor<4x8xf32>, tensor<4x8xf32>
}
)mlir";

/// Each weight's class as "trainable: reason" or "frozen: reason".
std::map<std::string, std::string> classify(ArrayRef<std::string> trainable,
                                            ArrayRef<std::string> frozen) {
  MLIRContext context;
  context.loadDialect<PPDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kModel, &context);
  EXPECT_TRUE(module);
  auto rule = TrainabilityRule::create(trainable, frozen);
  EXPECT_TRUE(bool(rule));
  if (!rule) {
    llvm::consumeError(rule.takeError());
    return {};
  }
  std::map<std::string, std::string> classes;
  module->walk([&](WeightOp weight) {
    Trainability t = rule->classify(weight);
    classes[weight.getName().str()] =
        (t.trainable ? "trainable: " : "frozen: ") + t.reason;
  });
  return classes;
}

TEST(Trainability, DefaultRule) {
  std::map<std::string, std::string> expected = {
      {"emb", "trainable: gather table"},
      {"ln.g", "trainable: normalization scale"},
      {"ln.b", "trainable: normalization bias"},
      {"fused.w", "trainable: matmul operand"},
      {"proj.b", "trainable: bias added to a matmul result"},
      {"rope.cos", "frozen: not a matmul operand, gather table, "
                   "normalization parameter or matmul bias"},
      {"positions", "frozen: not a float"}};
  EXPECT_EQ(classify({}, {}), expected);
}

TEST(Trainability, GlobsOverrideAndFrozenWins) {
  std::map<std::string, std::string> classes =
      classify({"rope.*", "ln.?", "positions"}, {"ln.b", "*.w"});
  EXPECT_EQ(classes["rope.cos"], "trainable: matches trainable glob 'rope.*'");
  EXPECT_EQ(classes["ln.g"], "trainable: matches trainable glob 'ln.?'");
  EXPECT_EQ(classes["ln.b"], "frozen: matches frozen glob 'ln.b'");
  EXPECT_EQ(classes["fused.w"], "frozen: matches frozen glob '*.w'");
  // Integers are never trained, whatever the globs say.
  EXPECT_EQ(classes["positions"], "frozen: not a float");
  EXPECT_EQ(classes["emb"], "trainable: gather table");
}

TEST(Trainability, BadGlob) {
  auto rule = TrainabilityRule::create({"w["}, {});
  ASSERT_FALSE(bool(rule));
  EXPECT_FALSE(llvm::toString(rule.takeError()).empty());
}

} // namespace
