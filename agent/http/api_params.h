// Request parameters shared by the Prometheus API's read endpoints (labels, label values,
// series, metadata, query_exemplars), parsed with Prometheus's rules and error texts:
//   - start/end: RFC 3339 or Unix seconds; absent means Prometheus's MinTime/MaxTime, whose
//     RFC 3339 spellings ("-292273086-05-16T16:47:06Z", "292277025-08-18T07:12:54.999999999Z")
//     are accepted too;
//   - limit: a non-negative integer (Go's strconv.Atoi), 0 = no limit;
//   - match[]: series selectors (parser.ParseMetricSelector), each with a non-empty matcher.
// Each error's message is the whole text Prometheus answers with (e.g. `invalid parameter
// "start": invalid time value for 'start': cannot parse "x" to a valid timestamp`).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/matcher.h"
#include "agent/core/status.h"
#include "agent/http/server.h"

namespace tocsin {

// timestamp.FromTime of Prometheus's v1.MinTime and v1.MaxTime.
inline constexpr TimestampMs kApiMinTimeMs = (INT64_MIN / 1000 + 62135596801) * 1000;
inline constexpr TimestampMs kApiMaxTimeMs = (INT64_MAX / 1000 - 62135596801) * 1000 + 999;

// Go's strconv.Atoi: optional sign, decimal digits, int64 range. Errors read
// `strconv.Atoi: parsing "x": invalid syntax` / `... value out of range`.
Result<int64_t> ParseGoAtoi(std::string_view text);

// The `name` time parameter, or `default_value` when absent or empty.
Result<TimestampMs> TimeParam(const ServerRequest& req, std::string_view name,
                              TimestampMs default_value);
// The `limit` parameter (parseLimitParam): 0 when absent.
Result<int64_t> LimitParam(const ServerRequest& req);
// One matcher set per match[] value (parseMatchersParam). The message is the parser's error
// or "match[] must contain at least one non-empty matcher".
Result<std::vector<std::vector<LabelMatcher>>> MatchersParam(
    const std::vector<std::string>& values);

}  // namespace tocsin
