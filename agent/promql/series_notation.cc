#include "agent/promql/series_notation.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "agent/promql/lexer.h"
#include "agent/promql/quote.h"
#include "agent/store/queryable.h"

namespace tocsin::promql {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Scans an unsigned number (decimal with optional fraction and exponent, Inf, NaN) at s[pos].
bool ScanNumber(std::string_view s, size_t& pos, double& out) {
  if (s.substr(pos, 3).size() == 3 &&
      (EqualFold(s.substr(pos, 3), "inf") || EqualFold(s.substr(pos, 3), "nan"))) {
    out = EqualFold(s.substr(pos, 3), "inf") ? std::numeric_limits<double>::infinity()
                                             : std::numeric_limits<double>::quiet_NaN();
    pos += 3;
    return true;
  }
  size_t start = pos;
  bool digits = false;
  while (pos < s.size() && IsDigit(s[pos])) {
    ++pos;
    digits = true;
  }
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos])) {
      ++pos;
      digits = true;
    }
  }
  if (!digits) {
    pos = start;
    return false;
  }
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    size_t save = pos++;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    if (pos < s.size() && IsDigit(s[pos])) {
      while (pos < s.size() && IsDigit(s[pos])) ++pos;
    } else {
      pos = save;
    }
  }
  std::string text(s.substr(start, pos - start));
  out = std::strtod(text.c_str(), nullptr);
  return true;
}

bool ScanSigned(std::string_view s, size_t& pos, double& out) {
  size_t start = pos;
  double sign = 1;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    sign = s[pos] == '-' ? -1 : 1;
    ++pos;
  }
  if (!ScanNumber(s, pos, out)) {
    pos = start;
    return false;
  }
  out *= sign;
  return true;
}

bool ScanUint(std::string_view s, size_t& pos, uint64_t& out) {
  if (pos >= s.size() || !IsDigit(s[pos])) return false;
  out = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (out > 100'000'000) return false;  // guards against absurd expansions
    out = out * 10 + static_cast<uint64_t>(s[pos] - '0');
    ++pos;
  }
  return true;
}

Status ParseItem(std::string_view item, SeriesValues& out) {
  auto bad = [&] { return InvalidArgument("invalid series value \"" + std::string(item) + "\""); };
  if (item == "_") {
    out.emplace_back(std::nullopt);
    return Status::Ok();
  }
  if (item.size() > 2 && item[0] == '_' && item[1] == 'x') {
    size_t pos = 2;
    uint64_t n = 0;
    if (!ScanUint(item, pos, n) || pos != item.size()) return bad();
    out.insert(out.end(), n, std::nullopt);
    return Status::Ok();
  }
  if (item == "stale") {
    out.emplace_back(StaleNaN());
    return Status::Ok();
  }
  size_t pos = 0;
  double a = 0;
  if (!ScanSigned(item, pos, a)) return bad();
  if (pos == item.size()) {
    out.emplace_back(a);
    return Status::Ok();
  }
  double b = 0;
  if (item[pos] == '+' || item[pos] == '-') {
    if (!ScanSigned(item, pos, b)) return bad();
  }
  if (pos >= item.size() || item[pos] != 'x') return bad();
  ++pos;
  uint64_t n = 0;
  if (!ScanUint(item, pos, n) || pos != item.size()) return bad();
  for (uint64_t i = 0; i <= n; ++i) {
    out.emplace_back(a);
    a += b;
  }
  return Status::Ok();
}

// Scans a quoted string at s[pos] (any of " ' `) and unquotes it.
Result<std::string> ScanString(std::string_view s, size_t& pos) {
  char q = s[pos];
  size_t end = pos + 1;
  while (end < s.size() && s[end] != q) {
    if (s[end] == '\\' && q != '`') ++end;
    ++end;
  }
  if (end >= s.size()) return InvalidArgument("unterminated quoted string");
  auto r = Unquote(s.substr(pos, end - pos + 1));
  pos = end + 1;
  return r;
}

void SkipSpace(std::string_view s, size_t& pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
}

// Parses a label set at s[pos]; advances pos past it.
Result<Labels> ScanLabels(std::string_view s, size_t& pos) {
  std::vector<Label> pairs;
  std::string name;
  if (pos < s.size() && IsIdentStart(s[pos])) {
    size_t start = pos;
    while (pos < s.size() && IsIdentChar(s[pos])) ++pos;
    name = std::string(s.substr(start, pos - start));
  }
  if (pos < s.size() && s[pos] == '{') {
    if (pos + 1 < s.size() && s[pos + 1] == '{') {
      return InvalidArgument("native histogram values are not supported");
    }
    ++pos;
    while (true) {
      SkipSpace(s, pos);
      if (pos >= s.size()) return InvalidArgument("unexpected end of label set");
      if (s[pos] == '}') {
        ++pos;
        break;
      }
      std::string lname;
      if (s[pos] == '"' || s[pos] == '\'' || s[pos] == '`') {
        auto str = ScanString(s, pos);
        if (!str.ok()) return str.status();
        lname = std::move(str).value();
      } else if (IsIdentStart(s[pos])) {
        size_t start = pos;
        while (pos < s.size() && IsIdentChar(s[pos])) ++pos;
        lname = std::string(s.substr(start, pos - start));
      } else {
        return InvalidArgument("unexpected character '" + std::string(1, s[pos]) +
                               "' in label set");
      }
      SkipSpace(s, pos);
      if (pos < s.size() && (s[pos] == ',' || s[pos] == '}')) {
        // A bare quoted string is the metric name (UTF-8 form).
        if (!name.empty()) return InvalidArgument("metric name set twice");
        name = lname;
      } else {
        if (pos >= s.size() || s[pos] != '=') {
          return InvalidArgument("expected '=' after label name \"" + lname + "\"");
        }
        ++pos;
        SkipSpace(s, pos);
        if (pos >= s.size() || (s[pos] != '"' && s[pos] != '\'' && s[pos] != '`')) {
          return InvalidArgument("expected a quoted label value for \"" + lname + "\"");
        }
        auto val = ScanString(s, pos);
        if (!val.ok()) return val.status();
        pairs.push_back({std::move(lname), std::move(val).value()});
      }
      SkipSpace(s, pos);
      if (pos < s.size() && s[pos] == ',') ++pos;
    }
  }
  if (!name.empty()) {
    for (const Label& l : pairs) {
      if (l.name == kMetricNameLabel) return InvalidArgument("metric name set twice");
    }
    pairs.push_back({std::string(kMetricNameLabel), name});
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    for (size_t j = i + 1; j < pairs.size(); ++j) {
      if (pairs[i].name == pairs[j].name) {
        return InvalidArgument("duplicate label name \"" + pairs[i].name + "\"");
      }
    }
  }
  return Labels::FromUnsorted(std::move(pairs));
}

}  // namespace

Result<SeriesValues> ParseSeriesValues(std::string_view text) {
  SeriesValues out;
  size_t pos = 0;
  while (true) {
    SkipSpace(text, pos);
    if (pos >= text.size()) break;
    if (text[pos] == '{') return InvalidArgument("native histogram values are not supported");
    size_t start = pos;
    while (pos < text.size() && !IsSpace(text[pos])) ++pos;
    TOCSIN_RETURN_IF_ERROR(ParseItem(text.substr(start, pos - start), out));
  }
  return out;
}

Result<Labels> ParseSeriesLabels(std::string_view text) {
  size_t pos = 0;
  SkipSpace(text, pos);
  auto labels = ScanLabels(text, pos);
  if (!labels.ok()) return labels.status();
  SkipSpace(text, pos);
  if (pos != text.size()) {
    return InvalidArgument("unexpected \"" + std::string(text.substr(pos)) + "\" after label set");
  }
  return labels;
}

size_t SeriesLabelsLength(std::string_view line) {
  size_t pos = 0;
  auto labels = ScanLabels(line, pos);
  return labels.ok() ? pos : 0;
}

Result<SeriesDescription> ParseSeriesDescription(std::string_view line) {
  size_t pos = 0;
  SkipSpace(line, pos);
  size_t start = pos;
  auto labels = ScanLabels(line, pos);
  if (!labels.ok()) return labels.status();
  if (pos == start) {
    return InvalidArgument("expected a metric name or label set in \"" + std::string(line) + "\"");
  }
  if (pos < line.size() && !IsSpace(line[pos])) {
    return InvalidArgument("unexpected character after label set in \"" + std::string(line) + "\"");
  }
  auto values = ParseSeriesValues(line.substr(pos));
  if (!values.ok()) return values.status();
  return SeriesDescription{std::move(labels).value(), std::move(values).value()};
}

}  // namespace tocsin::promql
