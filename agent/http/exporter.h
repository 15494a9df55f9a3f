// Exporter: renders /metrics — the store's newest samples (everything collected) followed by
// the agent's own metrics through prometheus-cpp (the only user of prometheus-cpp).
//
// Sources are pulled at render time through the functions given at construction, so stages
// never depend on prometheus-cpp. Render is thread-safe; the exporter holds no sample data.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/http/query_gate.h"
#include "agent/runtime/reload_status.h"
#include "agent/runtime/scheduler.h"
#include "agent/store/appender.h"
#include "agent/store/series_store.h"
#include "notifiers/stats.h"
#include "remote/stats.h"
#include "rules/rules_snapshot.h"

namespace tocsin {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string compiler;
};

struct ExporterSources {
  const SeriesStore* store = nullptr;
  const Clock* clock = nullptr;
  std::function<std::vector<CollectorStats>()> collectors;
  std::function<ReloadStatus()> reload;
  std::function<rules::RulesSnapshot()> rules;     // tocsin_rule_* families; optional
  std::function<DispatcherStats()> delivery;       // tocsin_notifications_* etc.; optional
  std::function<RemoteWriteStats()> remote_write;  // tocsin_remote_storage_*; optional
  // Target labels (global.target_labels) the store's series carry but /metrics leaves out, so
  // that the Prometheus scraping the agent attaches its own job/instance; optional.
  std::function<Labels()> target_labels;
  BuildInfo build;
  const QueryGate* query_gate = nullptr;  // tocsin_api_queries*; optional
};

class Exporter {
 public:
  explicit Exporter(ExporterSources sources);
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;
  ~Exporter();

  // The whole /metrics body in text format 0.0.4. The agent's own families are rendered live;
  // their copies in the store (AppendSelfMetrics) are left out.
  std::string Render() const;

  // Adds the agent's own families (tocsin_*, as on /metrics) to `out` with their metadata, so
  // that rules, the query API and dashboards read them from the store like any other series.
  // An error is the first sample the store refused.
  Status AppendSelfMetrics(Appender& out) const;

  // Counts an HTTP response for tocsin_http_requests_total{handler,code}.
  void CountRequest(const std::string& handler, int code);

 private:
  std::vector<prometheus::MetricFamily> CollectFamilies() const;

  ExporterSources sources_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* http_requests_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

// Series whose newest sample is older than this are left off /metrics (they are gone).
inline constexpr std::chrono::milliseconds kExpositionMaxAge{300000};

}  // namespace tocsin
