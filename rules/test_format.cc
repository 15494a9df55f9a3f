#include "rules/test_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "agent/core/go_format.h"
#include "rules/template/lexer.h"

namespace tocsin::rules {

std::string GoDurationString(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  int64_t h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60, frac = ms % 1000;
  if (ms < 1000) return out + std::to_string(ms) + "ms";
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

std::string GoLabelsString(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out += ", ";
    first = false;
    out += IsValidLabelName(l.name) ? l.name : tmpl::GoQuote(l.name);
    out += "=" + tmpl::GoQuote(l.value);
  }
  return out + "}";
}

std::string GoFormatFloatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, p);
  for (char& c : s) {
    if (c == 'e') c = 'E';
  }
  return s;
}

namespace {

// Compact(math.MaxInt) leaves one span per side without empty buckets at either end; the offset
// is printed only when not zero, the buckets only when there are any.
void AppendBuckets(std::vector<std::string>& parts, const char* buckets_key, const char* offset_key,
                   int32_t offset, const std::vector<double>& buckets) {
  size_t lo = 0, hi = buckets.size();
  while (lo < hi && buckets[lo] == 0) ++lo;
  while (hi > lo && buckets[hi - 1] == 0) --hi;
  if (lo == hi) return;
  const int32_t start = offset + static_cast<int32_t>(lo);
  if (start != 0) parts.push_back(std::string(offset_key) + ":" + std::to_string(start));
  std::string list = std::string(buckets_key) + ":[";
  for (size_t i = lo; i < hi; ++i) {
    if (i > lo) list += ' ';
    list += FormatGoFloatG(buckets[i]);
  }
  parts.push_back(list + "]");
}

}  // namespace

std::string GoHistogramTestExpression(const FloatHistogram& h) {
  std::vector<std::string> parts;
  if (h.schema != 0) parts.push_back("schema:" + std::to_string(h.schema));
  if (h.count != 0) parts.push_back("count:" + FormatGoFloatG(h.count));
  if (h.sum != 0) parts.push_back("sum:" + FormatGoFloatG(h.sum));
  if (h.zero_count != 0) parts.push_back("z_bucket:" + FormatGoFloatG(h.zero_count));
  if (h.zero_threshold != 0) parts.push_back("z_bucket_w:" + FormatGoFloatG(h.zero_threshold));
  if (h.UsesCustomBuckets()) {
    std::string cv = "custom_values:[";
    for (size_t i = 0; i < h.custom_values.size(); ++i) {
      if (i > 0) cv += ' ';
      cv += FormatGoFloatG(h.custom_values[i]);
    }
    parts.push_back(cv + "]");
  }
  switch (h.hint) {
    case FloatHistogram::CounterResetHint::kUnknown:
      break;
    case FloatHistogram::CounterResetHint::kCounterReset:
      parts.push_back("counter_reset_hint:reset");
      break;
    case FloatHistogram::CounterResetHint::kNotCounterReset:
      parts.push_back("counter_reset_hint:not_reset");
      break;
    case FloatHistogram::CounterResetHint::kGauge:
      parts.push_back("counter_reset_hint:gauge");
      break;
  }
  AppendBuckets(parts, "buckets", "offset", h.positive_offset, h.positive);
  AppendBuckets(parts, "n_buckets", "n_offset", h.negative_offset, h.negative);
  std::string out = "{{";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ' ';
    out += parts[i];
  }
  return out + "}}";
}

}  // namespace tocsin::rules
