// Metric family metadata (HELP/TYPE/UNIT) as carried by the Prometheus text formats.
// Plain value type.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

enum class MetricType {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kSummary,
  kInfo,
  kStateSet,
  kGaugeHistogram
};

// "counter", "gauge", ... as written after "# TYPE name"; kUnknown prints "untyped".
std::string_view MetricTypeName(MetricType type);

struct Metadata {
  MetricType type = MetricType::kUnknown;
  std::string help;
  std::string unit;
  friend bool operator==(const Metadata&, const Metadata&) = default;
};

}  // namespace tocsin
