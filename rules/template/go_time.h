// Go's time.Time as notification templates see it (Alertmanager's Alert.StartsAt/EndsAt): its
// String() form and Format(layout) with Go's reference-time layouts ("2006-01-02 15:04:05",
// time.RFC3339, "Jan _2 3:04PM", ".000", "MST", "Z07:00", ...). Times are UTC, as Alertmanager
// holds the ones it parses from Prometheus's RFC 3339 "Z" timestamps.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin::rules::tmpl {

// Go's zero time.Time (0001-01-01T00:00:00Z) in Unix milliseconds.
inline constexpr int64_t kGoZeroTimeMs = -62135596800000;

// time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST" ("... +0000 UTC").
std::string GoTimeString(int64_t unix_ms);
// time.Time.Format(layout).
std::string GoTimeFormat(int64_t unix_ms, std::string_view layout);

}  // namespace tocsin::rules::tmpl
