#include "collectors/scrape/text_parser.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "agent/core/utf8.h"

namespace tocsin {
namespace {

// Character classes, one table lookup each on the hot path.
enum : uint8_t { kNameStart = 1, kNameChar = 2, kLabelStart = 4, kLabelChar = 8 };

constexpr auto kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    uint8_t v = 0;
    if (alpha || c == ':') v |= kNameStart | kNameChar;
    if (digit) v |= kNameChar | kLabelChar;
    if (alpha) v |= kLabelStart | kLabelChar;
    t[c] = v;
  }
  return t;
}();

inline bool Is(char c, uint8_t cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }
inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }
inline const char* SkipBlanks(const char* p, const char* end) {
  while (p < end && IsBlank(*p)) ++p;
  return p;
}
inline const char* TokenEnd(const char* p, const char* end) {
  while (p < end && !IsBlank(*p)) ++p;
  return p;
}

bool ParseType(std::string_view word, TextFormat format, MetricType* out) {
  struct Name {
    std::string_view text;
    MetricType type;
    bool openmetrics_only;
    bool prometheus_only;
  };
  static constexpr Name kNames[] = {
      {"counter", MetricType::kCounter, false, false},
      {"gauge", MetricType::kGauge, false, false},
      {"histogram", MetricType::kHistogram, false, false},
      {"summary", MetricType::kSummary, false, false},
      {"untyped", MetricType::kUnknown, false, true},
      {"unknown", MetricType::kUnknown, true, false},
      {"gaugehistogram", MetricType::kGaugeHistogram, true, false},
      {"info", MetricType::kInfo, true, false},
      {"stateset", MetricType::kStateSet, true, false},
  };
  for (const Name& n : kNames) {
    if (n.text != word) continue;
    if (format == TextFormat::kPrometheus && n.openmetrics_only) return false;
    if (format == TextFormat::kOpenMetrics && n.prometheus_only) return false;
    *out = n.type;
    return true;
  }
  return false;
}

}  // namespace

TextFormat TextFormatFromContentType(std::string_view content_type) {
  size_t i = 0;
  while (i < content_type.size() && IsBlank(content_type[i])) ++i;
  constexpr std::string_view kOm = "application/openmetrics-text";
  return content_type.substr(i, kOm.size()) == kOm ? TextFormat::kOpenMetrics
                                                   : TextFormat::kPrometheus;
}

bool ParsePromFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = false;
  if (*p == '+' || *p == '-') {
    negative = *p == '-';
    ++p;
    if (p == end || *p == '+' || *p == '-') return false;
  }
  double v = 0;
  if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    auto [q, ec] = std::from_chars(p + 2, end, v, std::chars_format::hex);
    if (ec != std::errc() || q != end) return false;
  } else {
    // from_chars accepts "inf", "infinity" and "nan" in any case, as ParseFloat does; it also
    // takes "nan(chars)", which ParseFloat rejects.
    auto [q, ec] = std::from_chars(p, end, v, std::chars_format::general);
    if (ec != std::errc() || q != end) return false;
    if (std::isnan(v) && s.back() == ')') return false;
  }
  *out = negative ? -v : v;
  return true;
}

TextParser::TextParser(std::string_view body, TextFormat format) : body_(body), format_(format) {
  labels_.reserve(16);
}

TextEntry TextParser::Fail(std::string message) {
  error_ = std::move(message);
  return TextEntry::kError;
}

TextEntry TextParser::Next() {
  const char* const data = body_.data();
  const size_t size = body_.size();
  while (pos_ < size) {
    const char* begin = data + pos_;
    const char* nl = static_cast<const char*>(std::memchr(begin, '\n', size - pos_));
    const char* end = nl != nullptr ? nl : data + size;
    pos_ = nl != nullptr ? static_cast<size_t>(nl - data) + 1 : size;
    ++line_number_;
    if (end > begin && end[-1] == '\r') --end;
    const char* p = SkipBlanks(begin, end);
    if (p == end) continue;  // blank line
    if (seen_eof_) return Fail("unexpected content after # EOF");
    size_t len = static_cast<size_t>(end - p);
    if (scratch_.size() < len) scratch_.resize(len);
    scratch_used_ = 0;
    if (*p == '#') return ParseComment(p + 1, end);
    return ParseSample(p, end);
  }
  if (format_ == TextFormat::kOpenMetrics && !seen_eof_) {
    seen_eof_ = true;  // report once
    ++line_number_;
    return Fail("OpenMetrics body does not end with # EOF");
  }
  return TextEntry::kEnd;
}

TextEntry TextParser::ParseComment(const char* p, const char* end) {
  const char* kw = SkipBlanks(p, end);
  if (kw == p && format_ == TextFormat::kPrometheus) return TextEntry::kComment;  // "#HELP"
  const char* kw_end = TokenEnd(kw, end);
  std::string_view keyword(kw, static_cast<size_t>(kw_end - kw));
  if (format_ == TextFormat::kOpenMetrics && keyword == "EOF") {
    if (SkipBlanks(kw_end, end) != end) return Fail("unexpected text after # EOF");
    seen_eof_ = true;
    return TextEntry::kEof;
  }
  bool help = keyword == "HELP";
  bool type = keyword == "TYPE";
  bool unit = keyword == "UNIT" && format_ == TextFormat::kOpenMetrics;
  if (!help && !type && !unit) return TextEntry::kComment;
  if (kw_end == end || !IsBlank(*kw_end)) {
    return Fail("# " + std::string(keyword) + " needs a metric name");
  }
  const char* n = SkipBlanks(kw_end, end);
  const char* n_end = n;
  if (n_end < end && Is(*n_end, kNameStart)) {
    ++n_end;
    while (n_end < end && Is(*n_end, kNameChar)) ++n_end;
  }
  if (n_end == n || (n_end < end && !IsBlank(*n_end))) {
    return Fail("invalid metric name in # " + std::string(keyword) + " line");
  }
  name_ = std::string_view(n, static_cast<size_t>(n_end - n));
  const char* rest = n_end < end ? n_end + 1 : end;  // one separator; HELP keeps the rest
  if (help) {
    char* out = scratch_.data();
    size_t k = 0;
    for (const char* c = rest; c < end; ++c) {
      if (*c == '\\' && c + 1 < end) {
        char e = c[1];
        if (e == '\\' || e == 'n' || (e == '"' && format_ == TextFormat::kOpenMetrics)) {
          out[k++] = e == 'n' ? '\n' : e;
          ++c;
          continue;
        }
      }
      out[k++] = *c;
    }
    text_ = std::string_view(out, k);
    return TextEntry::kHelp;
  }
  const char* w = SkipBlanks(rest, end);
  const char* w_end = TokenEnd(w, end);
  if (SkipBlanks(w_end, end) != end) {
    return Fail("unexpected text after # " + std::string(keyword) + " " + std::string(name_));
  }
  std::string_view word(w, static_cast<size_t>(w_end - w));
  if (unit) {
    text_ = word;
    return TextEntry::kUnit;
  }
  if (!ParseType(word, format_, &type_)) {
    return Fail("invalid metric type \"" + std::string(word) + "\"");
  }
  return TextEntry::kType;
}

const char* TextParser::ParseLabelValue(const char* p, const char* end, std::string_view* out) {
  // p points after the opening quote.
  const char* q = p;
  while (q < end && *q != '"' && *q != '\\') ++q;
  if (q < end && *q == '"') {
    *out = std::string_view(p, static_cast<size_t>(q - p));
    return q + 1;
  }
  // Escapes: unescape into scratch_ (sized for the whole line at its start).
  char* dst = scratch_.data() + scratch_used_;
  size_t k = static_cast<size_t>(q - p);
  std::memcpy(dst, p, k);
  for (; q < end; ++q) {
    char c = *q;
    if (c == '"') {
      *out = std::string_view(dst, k);
      scratch_used_ += k;
      return q + 1;
    }
    if (c == '\\') {
      if (q + 1 >= end) break;
      char e = *++q;
      if (e == 'n') {
        dst[k++] = '\n';
      } else if (e == '\\' || e == '"') {
        dst[k++] = e;
      } else {
        dst[k++] = '\\';  // unknown escapes stay as written (Prometheus keeps them)
        dst[k++] = e;
      }
      continue;
    }
    dst[k++] = c;
  }
  error_ = "unterminated label value";
  return nullptr;
}

const char* TextParser::ParseLabels(const char* p, const char* end) {
  ++p;  // '{'
  while (true) {
    p = SkipBlanks(p, end);
    if (p == end) {
      error_ = "unterminated label set";
      return nullptr;
    }
    if (*p == '}') return p + 1;
    std::string_view label;
    bool quoted_name = false;
    if (*p == '"') {  // Prometheus 3 quoted (UTF-8) names
      quoted_name = true;
      p = ParseLabelValue(p + 1, end, &label);
      if (p == nullptr) return nullptr;
      if (!ValidUtf8(label)) {
        error_ = "invalid UTF-8 label name";
        return nullptr;
      }
    } else if (Is(*p, kLabelStart)) {
      const char* s = p++;
      while (p < end && Is(*p, kLabelChar)) ++p;
      label = std::string_view(s, static_cast<size_t>(p - s));
    } else {
      error_ = "invalid label name";
      return nullptr;
    }
    p = SkipBlanks(p, end);
    if (quoted_name && p < end && (*p == ',' || *p == '}') && name_.empty()) {
      name_ = label;  // {"metric.name", ...}
      if (*p == ',') ++p;
      continue;
    }
    if (p == end || *p != '=') {
      error_ = "expected '=' after label name \"" + std::string(label) + "\"";
      return nullptr;
    }
    p = SkipBlanks(p + 1, end);
    if (p == end || *p != '"') {
      error_ = "expected '\"' to start the value of label \"" + std::string(label) + "\"";
      return nullptr;
    }
    std::string_view value;
    p = ParseLabelValue(p + 1, end, &value);
    if (p == nullptr) return nullptr;
    if (!ValidUtf8(value)) {  // Prometheus rejects the sample with the same words
      error_ = "invalid UTF-8 label value: " + std::string(label);
      return nullptr;
    }
    for (size_t i = label_base_; i < labels_.size(); ++i) {
      if (labels_[i].name == label) {
        error_ = "duplicate label name \"" + std::string(label) + "\"";
        return nullptr;
      }
    }
    labels_.push_back({label, value});
    p = SkipBlanks(p, end);
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    if (p < end && *p == '}') return p + 1;
    error_ = "expected ',' or '}' after label value";
    return nullptr;
  }
}

TextEntry TextParser::ParseSample(const char* p, const char* end) {
  labels_.clear();
  name_ = {};
  has_timestamp_ = false;
  if (Is(*p, kNameStart)) {
    const char* s = p++;
    while (p < end && Is(*p, kNameChar)) ++p;
    name_ = std::string_view(s, static_cast<size_t>(p - s));
  } else if (*p != '{') {
    return Fail("invalid metric name");
  }
  if (p < end && *p == '{') {
    p = ParseLabels(p, end);
    if (p == nullptr) return TextEntry::kError;
    if (name_.empty()) return Fail("label set without a metric name");
  }
  if (p == end || !IsBlank(*p)) return Fail("expected a value after the series");
  p = SkipBlanks(p, end);
  const char* v_end = TokenEnd(p, end);
  if (!ParsePromFloat(std::string_view(p, static_cast<size_t>(v_end - p)), &value_)) {
    return Fail("invalid value \"" + std::string(p, v_end) + "\"");
  }
  p = SkipBlanks(v_end, end);
  if (p == end) return TextEntry::kSeries;
  if (*p != '#') {
    const char* t_end = TokenEnd(p, end);
    std::string_view ts(p, static_cast<size_t>(t_end - p));
    if (format_ == TextFormat::kPrometheus) {
      int64_t ms = 0;
      const char* b = ts.data();
      if (!ts.empty() && *b == '+') ++b;
      auto [q, ec] = std::from_chars(b, ts.data() + ts.size(), ms);
      if (ec != std::errc() || q != ts.data() + ts.size()) {
        return Fail("invalid timestamp \"" + std::string(ts) + "\"");
      }
      timestamp_ms_ = ms;
    } else {
      double seconds = 0;
      if (!ParsePromFloat(ts, &seconds) || !std::isfinite(seconds) || std::fabs(seconds) > 9.2e15) {
        return Fail("invalid timestamp \"" + std::string(ts) + "\"");
      }
      timestamp_ms_ = static_cast<int64_t>(seconds * 1000);
    }
    has_timestamp_ = true;
    p = SkipBlanks(t_end, end);
    if (p == end) return TextEntry::kSeries;
  }
  // What is left must be an OpenMetrics exemplar: " # {labels} value [timestamp]" (skipped,
  // but checked for shape so that garbage is not silently accepted).
  if (*p != '#' || format_ != TextFormat::kOpenMetrics) {
    return Fail("unexpected text after the sample value");
  }
  p = SkipBlanks(p + 1, end);
  if (p == end || *p != '{') return Fail("invalid exemplar: expected '{'");
  size_t kept = labels_.size();
  std::string_view kept_name = name_;
  label_base_ = kept;  // exemplar labels may repeat the series' label names
  const char* q = ParseLabels(p, end);
  label_base_ = 0;
  labels_.resize(kept);
  name_ = kept_name;
  if (q == nullptr) return Fail("invalid exemplar: " + error_);
  q = SkipBlanks(q, end);
  const char* e_end = TokenEnd(q, end);
  double ignored = 0;
  if (!ParsePromFloat(std::string_view(q, static_cast<size_t>(e_end - q)), &ignored)) {
    return Fail("invalid exemplar value");
  }
  return TextEntry::kSeries;
}

}  // namespace tocsin
