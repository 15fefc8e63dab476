//===- Timer.h - wall-clock timing ------------------------------*- C++ -*-===//
//
// Monotonic wall-clock time for `run --repeat`. Device work must be
// synchronized before reading it.
//
//===----------------------------------------------------------------------===//

#ifndef PPRT_TIMER_H
#define PPRT_TIMER_H

#include <chrono>

namespace pprt {

class Timer {
public:
  Timer() { reset(); }
  void reset() { start = std::chrono::steady_clock::now(); }
  /// Milliseconds since construction or the last reset().
  double elapsedMs() const {
    std::chrono::duration<double, std::milli> d =
        std::chrono::steady_clock::now() - start;
    return d.count();
  }

private:
  std::chrono::steady_clock::time_point start;
};

} // namespace pprt

#endif // PPRT_TIMER_H
