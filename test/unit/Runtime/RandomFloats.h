//===- RandomFloats.h - seeded test data ------------------------*- C++ -*-===//

#ifndef PP_TEST_UNIT_RUNTIME_RANDOMFLOATS_H
#define PP_TEST_UNIT_RUNTIME_RANDOMFLOATS_H

#include <random>
#include <vector>

/// `n` floats drawn uniformly from [lo, hi) with `seed`.
inline std::vector<float> randomFloats(size_t n, unsigned seed, float lo = -1,
                                       float hi = 1) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

#endif // PP_TEST_UNIT_RUNTIME_RANDOMFLOATS_H
