#include "collectors/statsd/statsd_line.h"

#include <charconv>
#include <cmath>

#include "agent/core/utf8.h"

namespace tocsin {

std::string_view StatsdErrorName(StatsdError e) {
  switch (e) {
    case StatsdError::kOk:
      return "ok";
    case StatsdError::kMalformedLine:
      return "malformed_line";
    case StatsdError::kInvalidName:
      return "invalid_name";
    case StatsdError::kMalformedValue:
      return "malformed_value";
    case StatsdError::kUnknownType:
      return "unknown_type";
    case StatsdError::kInvalidSampleRate:
      return "invalid_sample_rate";
    case StatsdError::kMalformedComponent:
      return "malformed_component";
    case StatsdError::kTypeConflict:
      return "type_conflict";
    case StatsdError::kSeriesLimit:
      return "series_limit";
    case StatsdError::kInvalidUtf8:
      return "invalid_utf8";
    case StatsdError::kCount:
      break;
  }
  return "unknown";
}

bool ParseStatsdNumber(std::string_view s, double& value, bool& relative) {
  relative = false;
  if (s.empty()) return false;
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = false;
  if (*p == '+' || *p == '-') {
    relative = true;
    negative = *p == '-';
    ++p;
  }
  if (p == end || !((*p >= '0' && *p <= '9') || *p == '.')) return false;  // no inf/nan
  auto [q, ec] = std::from_chars(p, end, value);
  if (ec != std::errc() || q != end || !std::isfinite(value)) return false;
  if (negative) value = -value;
  return true;
}

bool StatsdValueIterator::Next(double& value, bool& relative) {
  if (rest_.empty()) return false;
  size_t colon = rest_.find(':');
  std::string_view v = rest_.substr(0, colon);
  rest_ = colon == std::string_view::npos ? std::string_view() : rest_.substr(colon + 1);
  return ParseStatsdNumber(v, value, relative);
}

StatsdError ParseStatsdLine(std::string_view line, StatsdLine& out) {
  out = StatsdLine{};
  if (!ValidUtf8(line)) return StatsdError::kInvalidUtf8;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return StatsdError::kMalformedLine;
  out.name = line.substr(0, colon);
  if (out.name.empty()) return StatsdError::kInvalidName;
  std::string_view rest = line.substr(colon + 1);
  size_t bar = rest.find('|');
  if (bar == std::string_view::npos) return StatsdError::kMalformedLine;
  out.values = rest.substr(0, bar);
  rest = rest.substr(bar + 1);
  bar = rest.find('|');
  std::string_view type = rest.substr(0, bar);
  rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  if (type == "c") {
    out.type = StatsdType::kCounter;
  } else if (type == "g") {
    out.type = StatsdType::kGauge;
  } else if (type == "ms") {
    out.type = StatsdType::kTimer;
  } else if (type == "h") {
    out.type = StatsdType::kHistogram;
  } else if (type == "d") {
    out.type = StatsdType::kDistribution;
  } else if (type == "s") {
    out.type = StatsdType::kSet;
  } else if (type.empty()) {
    return StatsdError::kMalformedLine;
  } else {
    return StatsdError::kUnknownType;
  }
  while (!rest.empty()) {
    bar = rest.find('|');
    std::string_view field = rest.substr(0, bar);
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    if (field.empty()) return StatsdError::kMalformedComponent;
    if (field[0] == '@') {
      double rate = 0;
      auto [q, ec] = std::from_chars(field.data() + 1, field.data() + field.size(), rate);
      if (ec != std::errc() || q != field.data() + field.size() || !(rate > 0 && rate <= 1)) {
        return StatsdError::kInvalidSampleRate;
      }
      out.sample_rate = rate;
    } else if (field[0] == '#') {
      out.tags = field.substr(1);
    } else if (field.starts_with("c:") || field[0] == 'T' || field.starts_with("e:")) {
      // DogStatsD container id, timestamp and external data: accepted and ignored.
    } else {
      return StatsdError::kMalformedComponent;
    }
  }
  if (out.type == StatsdType::kSet) {
    return out.values.empty() ? StatsdError::kMalformedValue : StatsdError::kOk;
  }
  for (std::string_view all = out.values;;) {
    size_t c = all.find(':');
    double v = 0;
    bool relative = false;
    if (!ParseStatsdNumber(all.substr(0, c), v, relative)) return StatsdError::kMalformedValue;
    if (c == std::string_view::npos) break;
    all = all.substr(c + 1);
  }
  return StatsdError::kOk;
}

}  // namespace tocsin
