// ProcessMetrics: process_* series as Prometheus client libraries name them, read from
// /proc/self at collection time. Stateless apart from the procfs root; thread-safe.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace tocsin {

class ProcessMetrics final : public prometheus::Collectable {
 public:
  explicit ProcessMetrics(std::string procfs = "/proc") : procfs_(std::move(procfs)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string procfs_;
};

}  // namespace tocsin
