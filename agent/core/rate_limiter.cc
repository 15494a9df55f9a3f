#include "agent/core/rate_limiter.h"

namespace tocsin {

bool RateLimiter::Allow(std::string_view key, uint64_t& suppressed) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.try_emplace(std::string(key));
  Entry& e = it->second;
  if (inserted || now - e.last >= interval_) {
    suppressed = e.suppressed;
    e.suppressed = 0;
    e.last = now;
    return true;
  }
  ++e.suppressed;
  return false;
}

}  // namespace tocsin
