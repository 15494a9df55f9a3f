// RateLimiter: keeps floods from bad outside input (scrape bodies, UDP packets, requests) out of
// the log: one line per key per interval, with a count of what was suppressed.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tocsin {

// Thread-safe. Returns true when a message for `key` may be logged now; counts the suppressed
// ones so the next allowed line can say how many were dropped.
class RateLimiter {
 public:
  explicit RateLimiter(std::chrono::milliseconds interval) : interval_(interval) {}
  // `suppressed` is set to the number of calls dropped since the last allowed one.
  bool Allow(std::string_view key, uint64_t& suppressed);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point last;
    uint64_t suppressed = 0;
  };
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tocsin
