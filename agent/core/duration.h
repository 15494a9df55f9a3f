// Prometheus duration syntax: "1h30m", "15s", "500ms", "2d", "1w", "1y" (y = 365d, w = 7d).
//
// Units must appear in decreasing order and at most once, as in prometheus/common's
// model.ParseDuration; "0" alone is accepted. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "agent/core/status.h"

namespace tocsin {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Formats like Prometheus does: largest units first, zero units dropped ("1h30m", "15s", "0s").
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace tocsin
