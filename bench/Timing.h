// The benches' one timer: the mean milliseconds of `repeat` calls after
// one untimed warm-up call.

#ifndef PP_BENCH_TIMING_H
#define PP_BENCH_TIMING_H

#include <chrono>

template <typename F> double millis(F &&f, int repeat) {
  f(); // warm-up
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeat; ++i)
    f();
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0)
             .count() /
         repeat;
}

#endif // PP_BENCH_TIMING_H
