// Small builders for prometheus-cpp metric families, shared by the exporter's renderers.
// Pure functions; thread-safe.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace tocsin {

prometheus::MetricFamily MakeFamily(std::string name, std::string help,
                                    prometheus::MetricType type);
// Appends one counter or gauge sample (by the family's type) with `labels`.
void AddSample(prometheus::MetricFamily& family, double value,
               std::vector<prometheus::ClientMetric::Label> labels = {});

}  // namespace tocsin
