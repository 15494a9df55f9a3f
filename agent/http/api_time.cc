#include "agent/http/api_time.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

#include "agent/core/duration.h"

namespace tocsin {
namespace {

bool ParseFloat(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

bool ParseInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && p == s.data() + pos + len;
}

// RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
bool ParseRfc3339(std::string_view s, TimestampMs& out) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return false;
  }
  if (!ParseInt(s, 0, 4, y) || !ParseInt(s, 5, 2, mo) || !ParseInt(s, 8, 2, d) ||
      !ParseInt(s, 11, 2, h) || !ParseInt(s, 14, 2, mi) || !ParseInt(s, 17, 2, sec)) {
    return false;
  }
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
    std::string digits(s.substr(start, std::min<size_t>(3, pos - start)));
    while (digits.size() < 3) digits += '0';
    frac_ms = std::stoi(digits);
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (pos + 6 != s.size() || s[pos + 3] != ':' || !ParseInt(s, pos + 1, 2, oh) ||
        !ParseInt(s, pos + 4, 2, om)) {
      return false;
    }
    offset_min = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return false;
  int64_t days = sys_days(ymd).time_since_epoch().count();
  out = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000 + frac_ms;
  return true;
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
  if (ParseRfc3339(text, t)) return t;
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
