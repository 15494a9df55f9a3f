// StatsD / DogStatsD line protocol: parsing of one line ("name:value|type|@rate|#tag:v,tag2")
// into views of the line, and the statsd_exporter name escaping. Pure functions; the parsed
// views point into the caller's line. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <string_view>

namespace tocsin {

enum class StatsdType : uint8_t { kCounter, kGauge, kTimer, kHistogram, kDistribution, kSet };

// Why a line was rejected; the names are the `reason` label of tocsin_statsd_bad_lines_total.
enum class StatsdError : uint8_t {
  kOk,
  kMalformedLine,       // no ':' or no '|type'
  kInvalidName,         // empty name
  kMalformedValue,      // not a number (or a +/- delta on something other than a gauge)
  kUnknownType,         // type other than c, g, ms, h, d, s
  kInvalidSampleRate,   // @rate not in (0, 1]
  kMalformedComponent,  // an unknown |field
  kTypeConflict,        // the metric name is already used with another type
  kSeriesLimit,         // a new series beyond collectors.statsd.max_series
  kInvalidUtf8,         // bytes that are not UTF-8 (tag values and set members become labels)
  kCount,
};
std::string_view StatsdErrorName(StatsdError e);

struct StatsdLine {
  std::string_view name;
  // The value field as sent: one value, or several joined by ':' (DogStatsD value packing,
  // statsd_exporter's multi-value). Sets take it verbatim as the member.
  std::string_view values;
  StatsdType type = StatsdType::kCounter;
  double sample_rate = 1;
  std::string_view tags;  // DogStatsD "k:v,k2:v2,valueless" (without the '#'); may be empty
};

// Parses one line (no trailing newline). Values are checked (all numeric, deltas only on
// gauges) so that a kOk line can be aggregated without further errors.
StatsdError ParseStatsdLine(std::string_view line, StatsdLine& out);

// Iterates the ':'-separated numbers of StatsdLine::values; `relative` is true for a gauge
// delta ("+3", "-2"). Returns false at the end.
class StatsdValueIterator {
 public:
  explicit StatsdValueIterator(std::string_view values) : rest_(values) {}
  bool Next(double& value, bool& relative);

 private:
  std::string_view rest_;
};

// Parses a StatsD number ("12", "-3.5", "+1e3"); `relative` reports a leading sign.
bool ParseStatsdNumber(std::string_view s, double& value, bool& relative);

// statsd_exporter's escaping: characters outside [a-zA-Z0-9_] become '_', a leading digit gets
// a '_' prefix. Appends to `out`.
template <typename String>
void AppendEscapedStatsdName(String& out, std::string_view name) {
  if (!name.empty() && name[0] >= '0' && name[0] <= '9') out += '_';
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
}

}  // namespace tocsin
