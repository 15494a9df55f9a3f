#include "agent/store/metadata.h"

namespace tocsin {

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateSet:
      return "stateset";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kUnknown:
      break;
  }
  return "untyped";
}

}  // namespace tocsin
