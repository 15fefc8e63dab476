//===- Watchdog.cpp - turning a hung communication into an error ----------===//

#include "pprt/Watchdog.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sched.h>
#include <thread>

namespace pprt {

bool commTimeoutFromEnv(double &seconds, std::string &error) {
  seconds = kDefaultCommTimeout;
  const char *env = std::getenv("PPRT_COMM_TIMEOUT");
  if (!env || !*env)
    return true;
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(env, &end);
  if (*end || errno || !std::isfinite(value) || value <= 0) {
    error = std::string("PPRT_COMM_TIMEOUT must be a positive number of "
                        "seconds, got '") +
            env + "'";
    return false;
  }
  seconds = value;
  return true;
}

Deadline::Deadline(double seconds) {
  // Clamp so that huge timeouts do not overflow the clock.
  double capped = std::min(seconds, 1e9);
  end = std::chrono::steady_clock::now() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(capped));
}

void Backoff::pause() {
  if (polls < 64) {
    ++polls;
    sched_yield();
    return;
  }
  int micros = 16 << std::min(polls++ - 64, 6); // 16 us .. 1 ms
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

namespace {
std::atomic<CommAbortHook> abortHook{nullptr};
std::atomic<bool> dying{false};
} // namespace

void setCommAbortHook(CommAbortHook hook) { abortHook = hook; }

void commFatal(const std::string &message) {
  // When several rank threads fail together, one message is enough.
  if (dying.exchange(true)) {
    for (;;)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::fflush(stderr);
  std::fflush(stdout);
  if (CommAbortHook hook = abortHook.load())
    hook();
  std::_Exit(1);
}

void commTimedOut(int rank, double seconds, const std::string &op,
                  const char *what) {
  char amount[32];
  std::snprintf(amount, sizeof(amount), "%g", seconds);
  std::string message = "rank " + std::to_string(rank) + ": timed out after " +
                        amount + " s in " + op;
  if (what && *what)
    message += std::string(": ") + what;
  commFatal(message);
}

} // namespace pprt
