//===- GradientCheck.h - pp-autodiff against finite differences -*- C++ -*-===//
//
// Runs pp-autodiff on a module, evaluates the forward, B and W functions it
// builds with the reference evaluator, wired by their pp.saved,
// pp.cotangent and pp.carried attributes, and compares every argument and
// weight gradient with central finite differences of the original
// function in f64.
//
//===----------------------------------------------------------------------===//

#ifndef PP_TEST_UNIT_DIALECT_PP_GRADIENTCHECK_H
#define PP_TEST_UNIT_DIALECT_PP_GRADIENTCHECK_H

#include "ReferenceEvaluator.h"

#include <map>
#include <optional>
#include <string>

namespace mlir::pp::test {

struct GradientCheck {
  /// The module: `@f` is differentiated.
  std::string ir;
  /// Argument values by position; missing float arguments get uniform
  /// random values in [low, high], missing i1 ones random booleans.
  std::map<unsigned, RefTensor> args;
  double low = -1.0, high = 1.0;
  /// Weight values by name; missing ones are random in [low, high].
  std::map<std::string, RefTensor> weights;
  /// pp-autodiff options.
  bool cotangents = false;
  std::vector<std::string> trainable, frozen;
  /// Weight names expected among W's results, in order.
  std::optional<std::vector<std::string>> expectTrained;
  unsigned seed = 1;
  /// When nonzero, compare only this many randomly chosen elements of
  /// each gradient (for models too large to difference whole).
  int64_t sampled = 0;
};

/// Checks (with gtest assertions) every gradient of `check`, with relative
/// tolerance 1e-6. Returns the number of gradient entries compared.
int64_t runGradientCheck(const GradientCheck &check);

} // namespace mlir::pp::test

#endif // PP_TEST_UNIT_DIALECT_PP_GRADIENTCHECK_H
