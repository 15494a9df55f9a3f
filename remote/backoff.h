// Retry policy of remote_write (the spec's "retry with backoff on 5xx and 429"): what to do with
// an HTTP answer, the exponential backoff between attempts, and Retry-After parsing.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"

namespace tocsin::remote {

enum class SendOutcome {
  kAcknowledged,  // 2xx
  kRetry,         // 5xx, 429 (when retry_on_http_429), no response (refused, timeout)
  kRejected,      // any other status: the batch is dropped, counted and logged
};

SendOutcome ClassifyResponse(const HttpResponse& response, bool retry_on_http_429);

// Doubles `current` (min_backoff on the first retry), capped at max_backoff.
std::chrono::milliseconds NextBackoff(std::chrono::milliseconds current,
                                      std::chrono::milliseconds min_backoff,
                                      std::chrono::milliseconds max_backoff);

// Retry-After as a delay from `now`: delta-seconds ("120") or an IMF-fixdate
// ("Wed, 21 Oct 2015 07:28:00 GMT"). nullopt when absent or unparsable; never negative.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, TimestampMs now);

// The wait before the next attempt: Retry-After when the server sent one (on 429 or 5xx),
// otherwise `backoff`.
std::chrono::milliseconds RetryDelay(const HttpResponse& response,
                                     std::chrono::milliseconds backoff, TimestampMs now);

}  // namespace tocsin::remote
