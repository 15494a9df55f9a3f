// RFC 3339 timestamps as Prometheus and Alertmanager write them in their APIs and payloads.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/clock.h"

namespace tocsin {

// RFC 3339 with milliseconds in UTC ("2024-05-01T12:00:00.000Z"), as Go's strfmt.DateTime.
std::string FormatRfc3339(TimestampMs t);
// Parses RFC 3339 as Go's time.Parse(time.RFC3339Nano) does: fractional seconds (truncated to
// milliseconds) and numeric offsets accepted; a day its month lacks (Feb 31), a leap second
// (":60") or an offset beyond 23:59 is an error. Also accepts 't' or ' ' for 'T' (Alertmanager's
// strfmt.DateTime). Returns false on error.
bool ParseRfc3339(std::string_view text, TimestampMs* out);

}  // namespace tocsin
