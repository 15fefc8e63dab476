//===- ImportedModelTest.cpp - pp-autodiff on importer output -------------===//
//
// The same finite-difference check on a whole imported model, sampling a
// few elements of every weight's gradient. The model comes from
// test/e2e/autodiff-models.test, which exports it with torch and runs
// pp-add-loss on it; run alone (no PP_FD_MODEL), the test is skipped.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace mlir::pp::test;

namespace {

TEST(ImportedModel, GradientsMatchFiniteDifferences) {
  const char *path = std::getenv("PP_FD_MODEL");
  if (!path)
    GTEST_SKIP() << "set PP_FD_MODEL to a module whose @f is a loss of "
                    "(input_ids, labels), both [8, 16]";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  GradientCheck check;
  check.ir = text.str();
  check.sampled = 3;
  // Small weights keep the model's activations in the smooth range.
  check.low = -0.2;
  check.high = 0.2;
  // Token ids below 7 are valid for any vocabulary; every fifth label is
  // ignored.
  std::vector<double> ids(128), labels(128);
  for (int i = 0; i < 128; ++i) {
    ids[i] = (i * 5) % 7;
    labels[i] = i % 5 == 0 ? -100 : (i * 3) % 7;
  }
  check.args[0] = RefTensor{{8, 16}, ids};
  check.args[1] = RefTensor{{8, 16}, labels};
  int64_t compared = runGradientCheck(check);
  EXPECT_GT(compared, 0);
  std::printf("compared %lld gradient entries\n", (long long)compared);
}

} // namespace
