#include "agent/http/exporter.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "agent/http/process_metrics.h"

namespace tocsin {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void Add(MetricFamily& f, double v, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(std::move(m));
}

// Pulls stats from the stages at scrape time.
class StageMetrics final : public prometheus::Collectable {
 public:
  explicit StageMetrics(const ExporterSources& s) : s_(s) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    auto info = Family("tocsin_build_info",
                       "A metric with a constant '1' value labeled by version, revision and "
                       "compiler from which tocsin was built.",
                       MetricType::Gauge);
    Add(info, 1,
        {{"compiler", s_.build.compiler},
         {"revision", s_.build.revision},
         {"version", s_.build.version}});
    out.push_back(std::move(info));
    if (s_.collectors) CollectorFamilies(s_.collectors(), out);
    if (s_.reload) ReloadFamilies(s_.reload(), out);
    if (s_.store) StoreFamilies(s_.store->Stats(), out);
    return out;
  }

 private:
  static void CollectorFamilies(const std::vector<CollectorStats>& stats,
                                std::vector<MetricFamily>& out) {
    auto dur = Family("tocsin_collector_last_duration_seconds",
                      "Duration of the collector's last collection.", MetricType::Gauge);
    auto dur_sum = Family("tocsin_collector_duration_seconds_total",
                          "Total time spent in collections.", MetricType::Counter);
    auto ok = Family("tocsin_collector_last_success",
                     "Whether the collector's last collection succeeded (1) or failed (0).",
                     MetricType::Gauge);
    auto runs =
        Family("tocsin_collector_collections_total", "Collections run.", MetricType::Counter);
    auto fails =
        Family("tocsin_collector_errors_total",
               "Collections that failed (error or deadline exceeded).", MetricType::Counter);
    auto skipped = Family("tocsin_collector_skipped_total",
                          "Collection slots skipped because the previous run was still going.",
                          MetricType::Counter);
    auto samples =
        Family("tocsin_collector_last_samples",
               "Samples committed by the collector's last collection.", MetricType::Gauge);
    for (const CollectorStats& c : stats) {
      std::vector<ClientMetric::Label> l = {{"collector", c.name}};
      Add(dur, c.last_duration_seconds, l);
      Add(dur_sum, c.duration_seconds_sum, l);
      Add(ok, c.last_success ? 1 : 0, l);
      Add(runs, static_cast<double>(c.runs), l);
      Add(fails, static_cast<double>(c.failures), l);
      Add(skipped, static_cast<double>(c.skipped), l);
      Add(samples, static_cast<double>(c.last_samples), l);
    }
    for (auto* f : {&dur, &dur_sum, &ok, &runs, &fails, &skipped, &samples}) {
      out.push_back(std::move(*f));
    }
  }

  static void ReloadFamilies(const ReloadStatus& r, std::vector<MetricFamily>& out) {
    auto ok =
        Family("tocsin_config_last_reload_successful",
               "Whether the last configuration reload attempt was successful.", MetricType::Gauge);
    Add(ok, r.last_successful ? 1 : 0);
    auto ts = Family("tocsin_config_last_reload_success_timestamp_seconds",
                     "Timestamp of the last successful configuration reload.", MetricType::Gauge);
    Add(ts, static_cast<double>(r.last_success_ms) / 1000.0);
    auto fails = Family("tocsin_config_reload_failures_total",
                        "Configuration reloads that failed and kept the running configuration.",
                        MetricType::Counter);
    Add(fails, static_cast<double>(r.failures));
    out.push_back(std::move(ok));
    out.push_back(std::move(ts));
    out.push_back(std::move(fails));
  }

  static void StoreFamilies(const StoreStats& s, std::vector<MetricFamily>& out) {
    auto gauge = [&](const char* name, const char* help, uint64_t v) {
      auto f = Family(name, help, MetricType::Gauge);
      Add(f, static_cast<double>(v));
      out.push_back(std::move(f));
    };
    auto counter = [&](const char* name, const char* help, uint64_t v) {
      auto f = Family(name, help, MetricType::Counter);
      Add(f, static_cast<double>(v));
      out.push_back(std::move(f));
    };
    gauge("tocsin_store_series", "Series held in the in-memory store.", s.series);
    gauge("tocsin_store_chunks", "Compressed chunks held in the store.", s.chunks);
    gauge("tocsin_store_bytes", "Estimated memory used by the store (chunks, index, labels).",
          s.bytes);
    counter("tocsin_store_samples_appended_total", "Samples appended to the store.",
            s.samples_appended);
    counter("tocsin_store_samples_out_of_order_total",
            "Samples rejected because they were older than the series' newest sample.",
            s.out_of_order);
    counter("tocsin_store_samples_duplicate_total",
            "Samples rejected because their timestamp equalled the series' newest one with a "
            "different value.",
            s.duplicate);
    counter("tocsin_store_stale_markers_total", "Stale markers written for vanished series.",
            s.stale_markers);
    auto rejected =
        Family("tocsin_store_series_rejected_total",
               "New series refused because a series limit was reached.", MetricType::Counter);
    Add(rejected, static_cast<double>(s.rejected_global_limit), {{"reason", "global_limit"}});
    Add(rejected, static_cast<double>(s.rejected_source_limit), {{"reason", "source_limit"}});
    out.push_back(std::move(rejected));
  }

  const ExporterSources& s_;
};

}  // namespace

Exporter::Exporter(ExporterSources sources)
    : sources_(std::move(sources)), registry_(std::make_shared<prometheus::Registry>()) {
  http_requests_ = &prometheus::BuildCounter()
                        .Name("tocsin_http_requests_total")
                        .Help("HTTP requests served, by handler and status code.")
                        .Register(*registry_);
  collectables_.push_back(registry_);
  collectables_.push_back(std::make_shared<StageMetrics>(sources_));
  collectables_.push_back(std::make_shared<ProcessMetrics>());
}

Exporter::~Exporter() = default;

std::string Exporter::Render() const {
  std::string out;
  if (sources_.store != nullptr) {
    sources_.store->WriteExposition(out, sources_.clock->NowMs(), kExpositionMaxAge);
  }
  std::vector<MetricFamily> families;
  for (const auto& c : collectables_) {
    auto f = c->Collect();
    families.insert(families.end(), std::make_move_iterator(f.begin()),
                    std::make_move_iterator(f.end()));
  }
  std::ostringstream ss;
  prometheus::TextSerializer().Serialize(ss, families);
  out += ss.str();
  return out;
}

void Exporter::CountRequest(const std::string& handler, int code) {
  http_requests_->Add({{"handler", handler}, {"code", std::to_string(code)}}).Increment();
}

}  // namespace tocsin
