// TextParser: a streaming, allocation-free (per sample) parser for the Prometheus text
// exposition format 0.0.4 and OpenMetrics 1.0 text, used by the scrape and textfile collectors.
//
//   TextParser p(body, TextFormat::kPrometheus);
//   while (true) {
//     TextEntry e = p.Next();
//     if (e == TextEntry::kEnd) break;
//     if (e == TextEntry::kSeries) use(p.metric_name(), p.labels(), p.value(), p.timestamp_ms());
//     if (e == TextEntry::kError) report(p.line_number(), p.error());   // parsing goes on
//   }
//
// Handles HELP/TYPE/UNIT (UNIT and `# EOF` are OpenMetrics), label-value escapes (\\ \" \n),
// NaN/±Inf and Go ParseFloat spellings, optional timestamps (integer ms in 0.0.4, float seconds
// in OpenMetrics), exemplars (skipped) and a trailing comma in label sets. Histogram and
// summary samples (_bucket/_sum/_count with le/quantile) come out as ordinary series. A bad line
// yields kError with its 1-based line number and a message, and parsing resumes at the next
// line, so a caller can count every problem; the parser never reads outside `body`.
//
// Views returned (names, label names/values, help text) stay valid until the next Next() call;
// label values point into `body` unless they contained escapes (then into an internal buffer).
// Not thread-safe; the parser borrows `body`, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/store/metadata.h"

namespace tocsin {

enum class TextFormat { kPrometheus, kOpenMetrics };

// The format a Content-Type header announces (OpenMetrics for application/openmetrics-text).
TextFormat TextFormatFromContentType(std::string_view content_type);

enum class TextEntry {
  kSeries,   // a sample: metric_name(), labels(), value(), timestamp
  kHelp,     // family(), help()
  kType,     // family(), type()
  kUnit,     // family(), unit()
  kComment,  // any other # line (and exemplar-only noise)
  kEof,      // OpenMetrics "# EOF"
  kError,    // line_number(), error(); Next() continues with the following line
  kEnd,      // no more input
};

struct ParsedLabel {
  std::string_view name;
  std::string_view value;
};

class TextParser {
 public:
  TextParser(std::string_view body, TextFormat format);

  TextEntry Next();

  // kSeries.
  std::string_view metric_name() const { return name_; }
  std::span<const ParsedLabel> labels() const { return {labels_.data(), labels_.size()}; }
  double value() const { return value_; }
  bool has_timestamp() const { return has_timestamp_; }
  int64_t timestamp_ms() const { return timestamp_ms_; }

  // kHelp / kType / kUnit: the family as written after the keyword.
  std::string_view family() const { return name_; }
  std::string_view help() const { return text_; }  // unescaped
  std::string_view unit() const { return text_; }
  MetricType type() const { return type_; }

  // kError.
  size_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }

  // True after kEof; any further content is reported as an error.
  bool seen_eof() const { return seen_eof_; }

 private:
  TextEntry ParseComment(const char* p, const char* end);
  TextEntry ParseSample(const char* p, const char* end);
  // Parses `{...}` starting at p (which points at '{'); returns the position after '}' or
  // nullptr after setting error_.
  const char* ParseLabels(const char* p, const char* end);
  const char* ParseLabelValue(const char* p, const char* end, std::string_view* out);
  TextEntry Fail(std::string message);

  std::string_view body_;
  TextFormat format_;
  size_t pos_ = 0;
  size_t line_number_ = 0;
  bool seen_eof_ = false;

  std::string_view name_;
  std::string_view text_;
  MetricType type_ = MetricType::kUnknown;
  std::vector<ParsedLabel> labels_;
  size_t label_base_ = 0;  // duplicate-name checks start here
  double value_ = 0;
  bool has_timestamp_ = false;
  int64_t timestamp_ms_ = 0;
  std::string error_;
  std::string scratch_;  // unescaped label values / help of the current line
  size_t scratch_used_ = 0;
};

// Parses a sample value as Go's strconv.ParseFloat does for exposition values: decimal and
// exponent forms, a leading +/-, "NaN", "Inf"/"+Inf"/"-Inf"/"Infinity" in any case, and hex
// floats (0x1p-2). Returns false on anything else.
bool ParsePromFloat(std::string_view s, double* out);

}  // namespace tocsin
