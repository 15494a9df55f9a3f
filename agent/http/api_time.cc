#include "agent/http/api_time.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

#include "agent/core/duration.h"
#include "agent/core/rfc3339.h"

namespace tocsin {
namespace {

bool ParseFloat(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

Result<TimestampMs> ParseApiTime(std::string_view text) {
  double seconds;
  if (ParseFloat(text, seconds)) {
    // The bound the PromQL parser holds `@` timestamps to: the engine can still subtract a
    // lookback or range from such a time without leaving int64 milliseconds.
    double ms = std::round(seconds * 1000);
    if (std::abs(ms) > 9.2e18) {
      return InvalidArgument("cannot parse \"" + std::string(text) +
                             "\" to a valid timestamp: out of range");
    }
    return static_cast<TimestampMs>(ms);
  }
  TimestampMs t;
  if (ParseRfc3339(text, &t)) return t;
  return InvalidArgument("cannot parse \"" + std::string(text) + "\" to a valid timestamp");
}

Result<int64_t> ParseApiDurationMs(std::string_view text) {
  double seconds;
  if (ParseFloat(text, seconds)) {
    double ms = std::round(seconds * 1000);
    if (std::abs(ms) >= 9223372036854775808.0) {  // as Prometheus's parseDuration
      return InvalidArgument("cannot parse \"" + std::string(text) +
                             "\" to a valid duration. It overflows int64");
    }
    return static_cast<int64_t>(ms);
  }
  auto d = ParseDuration(text);
  if (d.ok()) return d->count();
  return InvalidArgument("cannot parse \"" + std::string(text) + "\" to a valid duration");
}

}  // namespace tocsin
