// Parsing of the Prometheus HTTP API's time and duration parameters:
//   time:     RFC 3339 ("2015-07-01T20:10:51.781Z", offsets allowed) or Unix seconds
//   ("1435781451.781") duration: Prometheus duration ("15s", "1m") or float seconds ("15", "0.5")
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "agent/core/clock.h"
#include "agent/core/status.h"

namespace tocsin {

Result<TimestampMs> ParseApiTime(std::string_view text);
Result<int64_t> ParseApiDurationMs(std::string_view text);

}  // namespace tocsin
