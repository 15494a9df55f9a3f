// Eventually: the tests' one bounded poll. Checks `cond` every `interval` until it holds or
// `limit` has passed (then checks once more), so tests wait for state without fixed sleeps.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace tocsin::testing {

inline bool Eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds limit = std::chrono::seconds(10),
                       std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(interval);
  }
  return cond();
}

}  // namespace tocsin::testing
