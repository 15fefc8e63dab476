//===- GradientCheck.cpp - pp-autodiff against finite differences ---------===//

#include "GradientCheck.h"

#include "pp/Dialect/PP/IR/PPDialect.h"
#include "pp/Dialect/PP/IR/ShapeUtils.h"
#include "pp/Dialect/PP/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "gtest/gtest.h"

#include <cmath>
#include <numeric>
#include <random>

using namespace mlir;
using namespace mlir::pp::test;

namespace {

RefTensor randomLike(ShapedType type, std::mt19937 &rng, double low,
                     double high) {
  RefTensor t{llvm::to_vector(type.getShape()), {}};
  t.data.resize(mlir::pp::numElements(t.shape));
  std::uniform_real_distribution<double> uniform(low, high);
  std::uniform_int_distribution<int> small(0, 3);
  Type element = type.getElementType();
  for (double &v : t.data)
    v = element.isInteger(1) ? double(small(rng) % 2)
        : element.isInteger() ? double(small(rng))
                              : uniform(rng);
  return t;
}

std::vector<RefTensor> run(func::FuncOp func, ArrayRef<RefTensor> args,
                           const llvm::StringMap<RefTensor> &weights) {
  auto results = evaluate(func, args, weights);
  if (!results) {
    ADD_FAILURE() << "@" << func.getName().str() << ": "
                  << llvm::toString(results.takeError());
    return {};
  }
  return *results;
}

/// The scalar the gradients are of: the loss, or with cotangents the sum of
/// each float result times its cotangent.
double objective(func::FuncOp func, ArrayRef<RefTensor> args,
                 const llvm::StringMap<RefTensor> &weights,
                 ArrayRef<std::optional<RefTensor>> cotangents) {
  std::vector<RefTensor> results = run(func, args, weights);
  double total = 0;
  for (auto [i, result] : llvm::enumerate(results)) {
    if (i >= cotangents.size() || !cotangents[i])
      continue;
    for (auto [y, c] : llvm::zip_equal(result.data, cotangents[i]->data))
      total += y * c;
  }
  return total;
}

int64_t intAttr(func::FuncOp func, bool isArg, unsigned i, StringRef name) {
  auto attr = isArg ? func.getArgAttrOfType<IntegerAttr>(i, name)
                    : func.getResultAttrOfType<IntegerAttr>(i, name);
  return attr ? attr.getInt() : -1;
}

/// Compares `grad` with central differences of `f` along each element of
/// `x`, which `f` reads.
int64_t compare(const RefTensor &grad, RefTensor &x,
                llvm::function_ref<double()> f, const std::string &what,
                int64_t sampled, std::mt19937 &rng) {
  EXPECT_EQ(grad.shape, x.shape) << what;
  if (grad.shape != x.shape)
    return 0;
  std::vector<size_t> elements(x.data.size());
  std::iota(elements.begin(), elements.end(), 0);
  if (sampled && int64_t(elements.size()) > sampled) {
    std::shuffle(elements.begin(), elements.end(), rng);
    elements.resize(sampled);
  }
  const double h = 1e-5;
  for (size_t i : elements) {
    double saved = x.data[i];
    x.data[i] = saved + h;
    double up = f();
    x.data[i] = saved - h;
    double down = f();
    x.data[i] = saved;
    double fd = (up - down) / (2 * h);
    EXPECT_NEAR(grad.data[i], fd, 1e-6 * std::max(1.0, std::fabs(fd)))
        << what << " element " << i;
  }
  return elements.size();
}

} // namespace

int64_t mlir::pp::test::runGradientCheck(const GradientCheck &check) {
  MLIRContext context;
  context.loadDialect<mlir::pp::PPDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> original =
      parseSourceString<ModuleOp>(check.ir, &context);
  if (!original) {
    ADD_FAILURE() << "cannot parse the test IR";
    return 0;
  }
  OwningOpRef<ModuleOp> module = original->clone();
  PassManager pm(&context);
  mlir::pp::AutodiffPassOptions options;
  options.cotangents = check.cotangents;
  options.trainable.assign(check.trainable.begin(), check.trainable.end());
  options.frozen.assign(check.frozen.begin(), check.frozen.end());
  pm.addPass(mlir::pp::createAutodiffPass(options));
  if (failed(pm.run(*module))) {
    ADD_FAILURE() << "pp-autodiff failed";
    return 0;
  }
  auto f = original->lookupSymbol<func::FuncOp>("f");
  auto forward = module->lookupSymbol<func::FuncOp>("f");
  auto bFunc = module->lookupSymbol<func::FuncOp>("f_b");
  auto wFunc = module->lookupSymbol<func::FuncOp>("f_w");
  if (!f || !bFunc || !wFunc) {
    ADD_FAILURE() << "missing @f, @f_b or @f_w";
    return 0;
  }

  std::mt19937 rng(check.seed);
  std::vector<RefTensor> args;
  for (auto [i, type] : llvm::enumerate(f.getArgumentTypes())) {
    auto it = check.args.find(i);
    args.push_back(it != check.args.end()
                       ? it->second
                       : randomLike(cast<ShapedType>(type), rng, check.low,
                                    check.high));
  }
  llvm::StringMap<RefTensor> weights;
  f.walk([&](mlir::pp::WeightOp weight) {
    std::string name = weight.getName().str();
    auto it = check.weights.find(name);
    weights[name] = it != check.weights.end()
                        ? it->second
                        : randomLike(weight.getType(), rng, check.low,
                                     check.high);
  });
  // The loss's cotangent is 1; a stage's are random.
  unsigned numResults = f.getNumResults();
  std::vector<std::optional<RefTensor>> cotangents(numResults);
  for (unsigned i = 0; i < numResults; ++i) {
    auto type = cast<ShapedType>(f.getResultTypes()[i]);
    if (!isa<FloatType>(type.getElementType()))
      continue;
    cotangents[i] = check.cotangents ? randomLike(type, rng, -1.0, 1.0)
                                     : RefTensor{{}, {1.0}};
  }

  // Forward, B, W as the runtime will run them.
  std::vector<RefTensor> fwd = run(forward, args, weights);
  if (fwd.size() < numResults)
    return 0;
  auto inputsOf = [&](func::FuncOp func, ArrayRef<RefTensor> carried) {
    std::vector<RefTensor> inputs;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      int64_t saved = intAttr(func, true, i, "pp.saved");
      int64_t cotangent = intAttr(func, true, i, "pp.cotangent");
      int64_t fromB = intAttr(func, true, i, "pp.carried");
      if (saved >= 0)
        inputs.push_back(fwd[numResults + saved]);
      else if (cotangent >= 0)
        inputs.push_back(*cotangents[cotangent]);
      else if (fromB >= 0)
        inputs.push_back(carried[fromB]);
      else
        ADD_FAILURE() << "@" << func.getName().str() << " argument " << i
                      << " has no pp.saved, pp.cotangent or pp.carried";
    }
    return inputs;
  };
  std::vector<RefTensor> bResults = run(bFunc, inputsOf(bFunc, {}), weights);
  std::vector<RefTensor> carried;
  for (unsigned i = 0; i < bResults.size(); ++i)
    if (intAttr(bFunc, false, i, "pp.carried") >= 0)
      carried.push_back(bResults[i]);
  std::vector<RefTensor> wResults =
      run(wFunc, inputsOf(wFunc, carried), weights);

  auto objectiveNow = [&] { return objective(f, args, weights, cotangents); };
  int64_t compared = 0;
  for (unsigned i = 0; i < bResults.size(); ++i) {
    int64_t arg = intAttr(bFunc, false, i, "pp.arg_gradient");
    if (arg >= 0)
      compared += compare(bResults[i], args[arg], objectiveNow,
                          "gradient of argument " + std::to_string(arg),
                          check.sampled, rng);
  }
  std::vector<std::string> trained;
  for (unsigned i = 0; i < wResults.size(); ++i) {
    auto name =
        wFunc.getResultAttrOfType<StringAttr>(i, "pp.weight_gradient");
    if (!name) {
      ADD_FAILURE() << "@f_w result " << i << " has no pp.weight_gradient";
      continue;
    }
    trained.push_back(name.str());
    compared += compare(wResults[i], weights[name.getValue()], objectiveNow,
                        "gradient of weight " + name.str(), check.sampled,
                        rng);
  }
  if (check.expectTrained) {
    EXPECT_EQ(trained, *check.expectTrained);
  }
  return compared;
}
