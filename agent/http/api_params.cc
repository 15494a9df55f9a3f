#include "agent/http/api_params.h"

#include <charconv>

#include "agent/http/api_time.h"
#include "agent/promql/engine.h"
#include "agent/promql/quote.h"

namespace tocsin {
namespace {

constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
constexpr std::string_view kMaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

}  // namespace

Result<int64_t> ParseGoAtoi(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto fail = [&](std::string_view why) {
    return InvalidArgument("strconv.Atoi: parsing " + promql::Quote(text) + ": " +
                           std::string(why));
  };
  if (digits.empty()) return fail("invalid syntax");
  for (char c : digits) {
    if (c < '0' || c > '9') return fail("invalid syntax");
  }
  // Parse with the sign so that INT64_MIN fits.
  std::string signed_digits = (negative ? "-" : "") + std::string(digits);
  int64_t v = 0;
  auto [p, ec] =
      std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), v);
  if (ec == std::errc::result_out_of_range) return fail("value out of range");
  if (ec != std::errc() || p != signed_digits.data() + signed_digits.size()) {
    return fail("invalid syntax");
  }
  return v;
}

Result<TimestampMs> TimeParam(const ServerRequest& req, std::string_view name,
                              TimestampMs default_value) {
  std::string value = req.Param(std::string(name));
  if (value.empty()) return default_value;
  if (value == kMinTimeFormatted) return kApiMinTimeMs;
  if (value == kMaxTimeFormatted) return kApiMaxTimeMs;
  auto t = ParseApiTime(value);
  if (!t.ok()) {
    return InvalidArgument("invalid parameter \"" + std::string(name) +
                           "\": invalid time value for '" + std::string(name) +
                           "': " + t.status().message());
  }
  return *t;
}

Result<int64_t> LimitParam(const ServerRequest& req) {
  std::string value = req.Param("limit");
  if (value.empty()) return int64_t{0};
  auto limit = ParseGoAtoi(value);
  if (!limit.ok())
    return InvalidArgument("invalid parameter \"limit\": " + limit.status().message());
  if (*limit < 0) return InvalidArgument("invalid parameter \"limit\": limit must be non-negative");
  return *limit;
}

Result<std::vector<std::vector<LabelMatcher>>> MatchersParam(
    const std::vector<std::string>& values) {
  std::vector<std::vector<LabelMatcher>> sets;
  sets.reserve(values.size());
  for (const std::string& v : values) {
    auto matchers = promql::ParseMetricSelector(v);
    if (!matchers.ok()) return matchers.status();
    sets.push_back(std::move(matchers).value());
  }
  for (const auto& set : sets) {
    bool non_empty = false;
    for (const LabelMatcher& m : set) non_empty = non_empty || !m.MatchesEmpty();
    if (!non_empty) return InvalidArgument("match[] must contain at least one non-empty matcher");
  }
  return sets;
}

}  // namespace tocsin
