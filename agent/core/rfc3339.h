// RFC 3339 timestamps as Prometheus and Alertmanager write them in their APIs and payloads.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/clock.h"

namespace tocsin {

// RFC 3339 with milliseconds in UTC ("2024-05-01T12:00:00.000Z"), as Go's strfmt.DateTime.
std::string FormatRfc3339(TimestampMs t);
// Parses RFC 3339 (fractional seconds and numeric offsets accepted). Returns false on error.
bool ParseRfc3339(std::string_view text, TimestampMs* out);

}  // namespace tocsin
