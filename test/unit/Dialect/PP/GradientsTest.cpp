//===- GradientsTest.cpp - each gradient rule against finite differences --===//
//
// For each graph op: loss = sum(op(x...) * r) with r random (an argument,
// so its gradient op(x...) is checked too), differentiated by pp-autodiff
// and compared with central differences in f64. Shapes exercise numpy
// broadcasting; reductions keep and drop dims, over the last dim (what an
// ONNX axis of -1 becomes) and others.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

#include <string>

using namespace mlir::pp::test;

namespace {

/// "tensor<2x3xf64>" -> rank 2.
int rankOf(const std::string &type) {
  if (type == "tensor<f64>")
    return 0;
  return std::count(type.begin(), type.end(), 'x');
}

/// @f(params..., %r: yType) -> sum(%y * %r), where `body` defines %y.
std::string lossOf(const std::string &params, const std::string &body,
                   const std::string &yType) {
  std::string dims;
  for (int d = 0; d < rankOf(yType); ++d)
    dims += (d ? ", " : "") + std::to_string(d);
  return "func.func @f(" + params + ", %r: " + yType +
         ") -> tensor<f64> {\n" + body + "\n  %m = pp.mul %y, %r : (" +
         yType + ", " + yType + ") -> " + yType +
         "\n  %l = pp.reduce sum %m dims [" + dims + "] : " + yType +
         " -> tensor<f64>\n  return %l : tensor<f64>\n}\n";
}

int64_t check(const std::string &params, const std::string &body,
              const std::string &yType, double low = -1.0,
              double high = 1.0) {
  GradientCheck c;
  c.ir = lossOf(params, body, yType);
  c.low = low;
  c.high = high;
  return runGradientCheck(c);
}

const std::string T23 = "tensor<2x3xf64>";

std::string unary(const std::string &op) {
  return "  %y = pp." + op + " %x : " + T23;
}

TEST(Gradients, SmoothUnary) {
  for (const char *op : {"neg", "exp", "erf", "tanh", "sigmoid", "sin", "cos"})
    EXPECT_EQ(check("%x: " + T23, unary(op), T23), 12) << op;
}

TEST(Gradients, UnaryOnPositives) {
  for (const char *op : {"log", "sqrt", "reciprocal"})
    EXPECT_EQ(check("%x: " + T23, unary(op), T23, 0.5, 2.0), 12) << op;
}

TEST(Gradients, KinkedUnary) {
  // Random points are far from the kink at 0 compared with the step.
  for (const char *op : {"abs", "relu"})
    EXPECT_EQ(check("%x: " + T23, unary(op), T23), 12) << op;
}

TEST(Gradients, PiecewiseConstantHaveZeroGradient) {
  for (const char *op : {"floor", "ceil"})
    EXPECT_EQ(check("%x: " + T23, unary(op), T23, 0.1, 0.9), 12) << op;
}

TEST(Gradients, BroadcastingBinary) {
  // Both operands broadcast: [2,1,4] with [3,1] -> [2,3,4].
  std::string params = "%a: tensor<2x1x4xf64>, %b: tensor<3x1xf64>";
  for (const char *op : {"add", "sub", "mul", "max", "min"})
    EXPECT_EQ(check(params,
                    std::string("  %y = pp.") + op +
                        " %a, %b : (tensor<2x1x4xf64>, tensor<3x1xf64>) -> "
                        "tensor<2x3x4xf64>",
                    "tensor<2x3x4xf64>"),
              8 + 3 + 24)
        << op;
}

TEST(Gradients, DivAndPowOnPositives) {
  std::string params = "%a: tensor<2x3xf64>, %b: tensor<3xf64>";
  for (const char *op : {"div", "pow"})
    EXPECT_EQ(check(params,
                    std::string("  %y = pp.") + op +
                        " %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> " + T23,
                    T23, 0.5, 2.0),
              6 + 3 + 6)
        << op;
}

TEST(Gradients, PowByConstantExponent) {
  // GELU's x^3: the exponent is a constant, the base may be negative.
  EXPECT_EQ(check("%x: " + T23,
                  "  %p = pp.constant dense<3.0> : tensor<f64>\n"
                  "  %y = pp.pow %x, %p : (tensor<2x3xf64>, tensor<f64>) -> " +
                      T23,
                  T23),
            12);
}

TEST(Gradients, SelectWithBroadcastCondition) {
  // The condition (an i1 argument) has no gradient; the scalar rhs gets the
  // sum of the cotangent where the condition is false.
  EXPECT_EQ(check("%c: tensor<1x3xi1>, %a: tensor<2x3xf64>, %b: tensor<f64>",
                  "  %y = pp.select %c, %a, %b : (tensor<1x3xi1>, "
                  "tensor<2x3xf64>, tensor<f64>) -> " +
                      T23,
                  T23),
            6 + 1 + 6);
}

TEST(Gradients, CastFromIntegerIsConstant) {
  EXPECT_EQ(check("%x: " + T23 + ", %k: tensor<2x3xi64>",
                  "  %f = pp.cast %k : tensor<2x3xi64> -> " + T23 +
                      "\n  %y = pp.mul %x, %f : (" + T23 + ", " + T23 +
                      ") -> " + T23,
                  T23),
            12);
}

TEST(Gradients, CastBetweenFloatTypes) {
  // The evaluator computes in f64 whatever the type, so the f32 round trip
  // loses nothing here; the rule casts the cotangent back each time.
  EXPECT_EQ(check("%x: tensor<2x3xf32>",
                  "  %h = pp.cast %x : tensor<2x3xf32> -> tensor<2x3xf16>\n"
                  "  %y = pp.cast %h : tensor<2x3xf16> -> " + T23,
                  T23),
            12);
}

TEST(Gradients, MatMul) {
  EXPECT_EQ(check("%a: tensor<2x3x4xf64>, %b: tensor<4x5xf64>",
                  "  %y = pp.matmul %a, %b : (tensor<2x3x4xf64>, "
                  "tensor<4x5xf64>) -> tensor<2x3x5xf64>",
                  "tensor<2x3x5xf64>"),
            24 + 20 + 30);
}

TEST(Gradients, MatMulBroadcastingBatch) {
  // [2,1,3,4] x [3,4,2]: both batch shapes stretch to [2,3].
  EXPECT_EQ(check("%a: tensor<2x1x3x4xf64>, %b: tensor<3x4x2xf64>",
                  "  %y = pp.matmul %a, %b : (tensor<2x1x3x4xf64>, "
                  "tensor<3x4x2xf64>) -> tensor<2x3x3x2xf64>",
                  "tensor<2x3x3x2xf64>"),
            24 + 24 + 36);
}

TEST(Gradients, Softmax) {
  for (const char *dim : {"0", "1", "2"}) {
    for (const char *log : {"", " log"})
      EXPECT_EQ(check("%x: tensor<2x3x4xf64>",
                      std::string("  %y = pp.softmax %x dim ") + dim + log +
                          " : tensor<2x3x4xf64>",
                      "tensor<2x3x4xf64>"),
                48)
          << "dim " << dim << log;
  }
}

TEST(Gradients, CausallyMaskedSoftmax) {
  // Attention scores masked above the diagonal with a large negative
  // value, as the importer writes a causal mask.
  std::string s = "tensor<2x3x3xf64>";
  EXPECT_EQ(check("%x: " + s,
                  "  %ones = pp.constant dense<1.0> : tensor<3x3xf64>\n"
                  "  %tri = pp.trilu %ones lower k 0 : tensor<3x3xf64>\n"
                  "  %mask = pp.cast %tri : tensor<3x3xf64> -> tensor<3x3xi1>\n"
                  "  %ninf = pp.constant dense<-1.0e9> : tensor<f64>\n"
                  "  %s = pp.select %mask, %x, %ninf : (tensor<3x3xi1>, " +
                      s + ", tensor<f64>) -> " + s +
                      "\n  %y = pp.softmax %s dim 2 : " + s,
                  s),
            36);
}

TEST(Gradients, LayerNorm) {
  // Over the last dim, and over the last two.
  EXPECT_EQ(check("%x: tensor<2x3x4xf64>, %g: tensor<4xf64>, %b: tensor<4xf64>",
                  "  %y = pp.layer_norm %x, %g, %b dim 2 epsilon 1.0e-05 : "
                  "(tensor<2x3x4xf64>, tensor<4xf64>, tensor<4xf64>) -> "
                  "tensor<2x3x4xf64>",
                  "tensor<2x3x4xf64>"),
            24 + 4 + 4 + 24);
  EXPECT_EQ(check("%x: tensor<2x3x4xf64>, %g: tensor<3x4xf64>",
                  "  %y = pp.layer_norm %x, %g dim 1 epsilon 1.0e-05 : "
                  "(tensor<2x3x4xf64>, tensor<3x4xf64>) -> tensor<2x3x4xf64>",
                  "tensor<2x3x4xf64>"),
            24 + 12 + 24);
}

TEST(Gradients, RmsNorm) {
  EXPECT_EQ(check("%x: tensor<2x3x4xf64>, %g: tensor<4xf64>",
                  "  %y = pp.rms_norm %x, %g epsilon 1.0e-06 : "
                  "(tensor<2x3x4xf64>, tensor<4xf64>) -> tensor<2x3x4xf64>",
                  "tensor<2x3x4xf64>"),
            24 + 4 + 24);
}

TEST(Gradients, Reduce) {
  struct Case {
    const char *kind, *dims, *keep, *type;
    int64_t size;
  };
  // dims [2] is the last dim, what ONNX's axes = [-1] becomes at import.
  for (Case c : {Case{"sum", "[1]", " keepdims", "tensor<2x1x4xf64>", 8},
                 Case{"sum", "[0, 2]", "", "tensor<3xf64>", 3},
                 Case{"mean", "[2]", " keepdims", "tensor<2x3x1xf64>", 6},
                 Case{"mean", "[0, 1, 2]", "", "tensor<f64>", 1},
                 Case{"max", "[2]", " keepdims", "tensor<2x3x1xf64>", 6},
                 Case{"min", "[0]", "", "tensor<3x4xf64>", 12},
                 Case{"prod", "[1]", "", "tensor<2x4xf64>", 8}}) {
    GradientCheck g;
    g.low = 0.5;
    g.high = 2.0;
    std::string y = std::string("  %y = pp.reduce ") + c.kind +
                    " %x dims " + c.dims + c.keep +
                    " : tensor<2x3x4xf64> -> " + c.type;
    g.ir = lossOf("%x: tensor<2x3x4xf64>", y, c.type);
    if (std::string(c.type) == "tensor<f64>")
      g.ir = "func.func @f(%x: tensor<2x3x4xf64>) -> tensor<f64> {\n" + y +
             "\n  return %y : tensor<f64>\n}\n";
    EXPECT_EQ(runGradientCheck(g),
              24 + (std::string(c.type) == "tensor<f64>" ? 0 : c.size))
        << c.kind << " " << c.dims;
  }
}

TEST(Gradients, ReshapeTransposeBroadcast) {
  EXPECT_EQ(check("%x: tensor<2x6xf64>",
                  "  %v = pp.reshape %x : tensor<2x6xf64> -> tensor<2x3x2xf64>\n"
                  "  %y = pp.transpose %v perm [2, 0, 1] : tensor<2x3x2xf64> "
                  "-> tensor<2x2x3xf64>",
                  "tensor<2x2x3xf64>"),
            12 + 12);
  EXPECT_EQ(check("%x: tensor<1x3xf64>",
                  "  %y = pp.broadcast %x : tensor<1x3xf64> -> "
                  "tensor<4x2x3xf64>",
                  "tensor<4x2x3xf64>"),
            3 + 24);
}

TEST(Gradients, SliceWithStepsAndReversal) {
  // Every other column, and the rows reversed.
  EXPECT_EQ(check("%x: tensor<3x5xf64>",
                  "  %y = pp.slice %x starts [2, 1] steps [-1, 2] : "
                  "tensor<3x5xf64> -> tensor<2x2xf64>",
                  "tensor<2x2xf64>"),
            15 + 4);
}

TEST(Gradients, ContiguousSlices) {
  // The middle of dim 1 (zeros on both sides), and a prefix of dim 0.
  EXPECT_EQ(check("%x: tensor<3x5xf64>",
                  "  %y = pp.slice %x starts [0, 1] steps [1, 1] : "
                  "tensor<3x5xf64> -> tensor<2x3xf64>",
                  "tensor<2x3xf64>"),
            15 + 6);
}

TEST(Gradients, Concat) {
  EXPECT_EQ(check("%a: tensor<2x1xf64>, %b: tensor<2x3xf64>",
                  "  %y = pp.concat %a, %b, %a dim 1 : (tensor<2x1xf64>, "
                  "tensor<2x3xf64>, tensor<2x1xf64>) -> tensor<2x5xf64>",
                  "tensor<2x5xf64>"),
            2 + 6 + 10);
}

TEST(Gradients, GatherRepeatedAndNegativeIndices) {
  GradientCheck g;
  g.ir = lossOf("%t: tensor<4x3xf64>, %i: tensor<2x2xi64>",
                "  %y = pp.gather %t[%i] dim 0 : (tensor<4x3xf64>, "
                "tensor<2x2xi64>) -> tensor<2x2x3xf64>",
                "tensor<2x2x3xf64>");
  g.args[1] = RefTensor{{2, 2}, {1, 3, 1, -1}};
  EXPECT_EQ(runGradientCheck(g), 12 + 12);
  g.ir = lossOf("%t: tensor<2x4xf64>, %i: tensor<3xi64>",
                "  %y = pp.gather %t[%i] dim 1 : (tensor<2x4xf64>, "
                "tensor<3xi64>) -> tensor<2x3xf64>",
                "tensor<2x3xf64>");
  g.args[1] = RefTensor{{3}, {0, -2, 2}};
  EXPECT_EQ(runGradientCheck(g), 8 + 6);
}

TEST(Gradients, ScatterAdd) {
  GradientCheck g;
  g.ir = lossOf("%u: tensor<3x2xf64>, %i: tensor<3xi64>",
                "  %y = pp.scatter_add %u[%i] dim 0 : (tensor<3x2xf64>, "
                "tensor<3xi64>) -> tensor<4x2xf64>",
                "tensor<4x2xf64>");
  g.args[1] = RefTensor{{3}, {2, 0, 2}};
  EXPECT_EQ(runGradientCheck(g), 6 + 8);
}

TEST(Gradients, Trilu) {
  EXPECT_EQ(check("%x: tensor<2x3x3xf64>",
                  "  %y = pp.trilu %x upper k 1 : tensor<2x3x3xf64>",
                  "tensor<2x3x3xf64>"),
            36);
}

TEST(Gradients, CrossEntropyIgnoresLabels) {
  GradientCheck g;
  g.ir = "func.func @f(%x: tensor<2x3x5xf64>, %l: tensor<2x3xi64>) -> "
         "tensor<f64> {\n"
         "  %y = pp.cross_entropy %x, %l ignore_index -100 : "
         "(tensor<2x3x5xf64>, tensor<2x3xi64>) -> tensor<f64>\n"
         "  return %y : tensor<f64>\n}\n";
  g.low = -3.0;
  g.high = 3.0;
  g.args[1] = RefTensor{{2, 3}, {4, -100, 0, 2, 2, -100}};
  EXPECT_EQ(runGradientCheck(g), 30);
  // All ignored: loss 0 and gradient 0, not NaN.
  g.args[1] = RefTensor{{2, 3}, {-100, -100, -100, -100, -100, -100}};
  EXPECT_EQ(runGradientCheck(g), 30);
}

} // namespace
