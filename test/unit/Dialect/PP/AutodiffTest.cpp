//===- AutodiffTest.cpp - pp-autodiff end to end, by finite differences ---===//
//
// Whole models rather than single ops: a two-layer language model with a
// tied embedding through the cross-entropy loss, a pipeline stage whose
// result cotangents are inputs, and the trainability rule with overrides.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

using namespace mlir::pp::test;

namespace {

// Embedding (tied with the LM head through a transpose), a pre-norm MLP
// block with a GELU written with erf as exporters do, a final norm, and
// the loss. "scale" only multiplies, so the default rule freezes it.
const char *kTwoLayerModel = R"mlir(
func.func @f(%ids: tensor<2x4xi64>, %labels: tensor<2x4xi64>) -> tensor<f64> {
  %wte = pp.weight "wte" from "m.onnx" offset 0 : tensor<7x6xf64>
  %g1 = pp.weight "ln1.g" from "m.onnx" offset 0 : tensor<6xf64>
  %b1 = pp.weight "ln1.b" from "m.onnx" offset 0 : tensor<6xf64>
  %w1 = pp.weight "fc1.w" from "m.onnx" offset 0 : tensor<6x8xf64>
  %c1 = pp.weight "fc1.b" from "m.onnx" offset 0 : tensor<8xf64>
  %w2 = pp.weight "fc2.w" from "m.onnx" offset 0 : tensor<8x6xf64>
  %c2 = pp.weight "fc2.b" from "m.onnx" offset 0 : tensor<6xf64>
  %gf = pp.weight "lnf.g" from "m.onnx" offset 0 : tensor<6xf64>
  %scale = pp.weight "scale" from "m.onnx" offset 0 : tensor<6xf64>
  %half = pp.constant dense<0.5> : tensor<f64>
  %one = pp.constant dense<1.0> : tensor<f64>
  %rsqrt2 = pp.constant dense<0.70710678118654752> : tensor<f64>
  %x = pp.gather %wte[%ids] dim 0 : (tensor<7x6xf64>, tensor<2x4xi64>) -> tensor<2x4x6xf64>
  %xs = pp.mul %x, %scale : (tensor<2x4x6xf64>, tensor<6xf64>) -> tensor<2x4x6xf64>
  %n1 = pp.layer_norm %xs, %g1, %b1 dim 2 epsilon 1.0e-05 : (tensor<2x4x6xf64>, tensor<6xf64>, tensor<6xf64>) -> tensor<2x4x6xf64>
  %h = pp.matmul %n1, %w1 : (tensor<2x4x6xf64>, tensor<6x8xf64>) -> tensor<2x4x8xf64>
  %hb = pp.add %h, %c1 : (tensor<2x4x8xf64>, tensor<8xf64>) -> tensor<2x4x8xf64>
  %u = pp.mul %hb, %rsqrt2 : (tensor<2x4x8xf64>, tensor<f64>) -> tensor<2x4x8xf64>
  %e = pp.erf %u : tensor<2x4x8xf64>
  %e1 = pp.add %e, %one : (tensor<2x4x8xf64>, tensor<f64>) -> tensor<2x4x8xf64>
  %e2 = pp.mul %e1, %half : (tensor<2x4x8xf64>, tensor<f64>) -> tensor<2x4x8xf64>
  %a = pp.mul %hb, %e2 : (tensor<2x4x8xf64>, tensor<2x4x8xf64>) -> tensor<2x4x8xf64>
  %o = pp.matmul %a, %w2 : (tensor<2x4x8xf64>, tensor<8x6xf64>) -> tensor<2x4x6xf64>
  %ob = pp.add %o, %c2 : (tensor<2x4x6xf64>, tensor<6xf64>) -> tensor<2x4x6xf64>
  %r = pp.add %xs, %ob : (tensor<2x4x6xf64>, tensor<2x4x6xf64>) -> tensor<2x4x6xf64>
  %nf = pp.rms_norm %r, %gf epsilon 1.0e-06 : (tensor<2x4x6xf64>, tensor<6xf64>) -> tensor<2x4x6xf64>
  %head = pp.transpose %wte perm [1, 0] : tensor<7x6xf64> -> tensor<6x7xf64>
  %logits = pp.matmul %nf, %head : (tensor<2x4x6xf64>, tensor<6x7xf64>) -> tensor<2x4x7xf64>
  %loss = pp.cross_entropy %logits, %labels ignore_index -100 : (tensor<2x4x7xf64>, tensor<2x4xi64>) -> tensor<f64>
  return %loss : tensor<f64>
}
)mlir";

GradientCheck twoLayerModel() {
  GradientCheck c;
  c.ir = kTwoLayerModel;
  c.args[0] = RefTensor{{2, 4}, {1, 3, 3, 6, 0, 2, 5, 4}};
  c.args[1] = RefTensor{{2, 4}, {3, 3, 6, -100, 2, 5, -100, 1}};
  return c;
}

TEST(Autodiff, TwoLayerModelThroughCrossEntropy) {
  GradientCheck c = twoLayerModel();
  // wte once (tied), scale frozen.
  c.expectTrained = std::vector<std::string>{
      "wte", "ln1.g", "ln1.b", "fc1.w", "fc1.b", "fc2.w", "fc2.b", "lnf.g"};
  EXPECT_EQ(runGradientCheck(c), 42 + 6 + 6 + 48 + 8 + 48 + 6 + 6);
}

TEST(Autodiff, GlobsOverrideTheDefaultRule) {
  GradientCheck c = twoLayerModel();
  c.trainable = {"scale"};
  c.frozen = {"fc*", "ln1.b"};
  c.expectTrained =
      std::vector<std::string>{"wte", "ln1.g", "lnf.g", "scale"};
  EXPECT_EQ(runGradientCheck(c), 42 + 6 + 6 + 6);
}

TEST(Autodiff, PipelineStageTakesResultCotangents) {
  // A middle stage: activation in, activation and an auxiliary float
  // result out, both with cotangents; an integer result has none.
  GradientCheck c;
  c.cotangents = true;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x3x4xf64>, %ids: tensor<2xi64>) -> (tensor<2x3x4xf64>, tensor<2xi64>, tensor<2x3xf64>) {
  %w = pp.weight "w" from "m.onnx" offset 0 : tensor<4x4xf64>
  %g = pp.weight "g" from "m.onnx" offset 0 : tensor<4xf64>
  %n = pp.layer_norm %x, %g dim 2 epsilon 1.0e-05 : (tensor<2x3x4xf64>, tensor<4xf64>) -> tensor<2x3x4xf64>
  %y = pp.matmul %n, %w : (tensor<2x3x4xf64>, tensor<4x4xf64>) -> tensor<2x3x4xf64>
  %t = pp.tanh %y : tensor<2x3x4xf64>
  %z = pp.add %x, %t : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %s = pp.reduce max %y dims [2] : tensor<2x3x4xf64> -> tensor<2x3xf64>
  return %z, %ids, %s : tensor<2x3x4xf64>, tensor<2xi64>, tensor<2x3xf64>
}
)mlir";
  c.expectTrained = std::vector<std::string>{"w", "g"};
  EXPECT_EQ(runGradientCheck(c), 24 + 16 + 4);
}

} // namespace
