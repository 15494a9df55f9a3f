#include "remote/backoff.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace tocsin::remote {

SendOutcome ClassifyResponse(const HttpResponse& response, bool retry_on_http_429) {
  if (response.status == 0) return SendOutcome::kRetry;
  if (response.Ok2xx()) return SendOutcome::kAcknowledged;
  if (response.status >= 500) return SendOutcome::kRetry;
  if (response.status == 429 && retry_on_http_429) return SendOutcome::kRetry;
  return SendOutcome::kRejected;
}

std::chrono::milliseconds NextBackoff(std::chrono::milliseconds current,
                                      std::chrono::milliseconds min_backoff,
                                      std::chrono::milliseconds max_backoff) {
  if (current < min_backoff) return std::min(min_backoff, max_backoff);
  return std::min(current * 2, max_backoff);
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, TimestampMs now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000);
  }
  std::tm tm{};
  std::string s(value);
  const char* parsed = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (parsed == nullptr || *parsed != '\0') return std::nullopt;
  int64_t at_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return std::chrono::milliseconds(std::max<int64_t>(0, at_ms - now));
}

std::chrono::milliseconds RetryDelay(const HttpResponse& response,
                                     std::chrono::milliseconds backoff, TimestampMs now) {
  if (response.status == 429 || response.status >= 500) {
    if (auto after = ParseRetryAfter(response.Header("retry-after"), now)) return *after;
  }
  return backoff;
}

}  // namespace tocsin::remote
