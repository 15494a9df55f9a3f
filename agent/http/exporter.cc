#include "agent/http/exporter.h"

#include <prometheus/text_serializer.h>

#include <cmath>
#include <optional>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "agent/core/go_format.h"
#include "agent/core/internal_errors.h"
#include "agent/http/delivery_metrics.h"
#include "agent/http/metric_family.h"
#include "agent/http/remote_write_metrics.h"

namespace tocsin {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Pulls stats from the stages at scrape time.
class StageMetrics final : public prometheus::Collectable {
 public:
  explicit StageMetrics(const ExporterSources& s) : s_(s) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    auto info = MakeFamily("tocsin_build_info",
                           "A metric with a constant '1' value labeled by version, revision and "
                           "compiler from which tocsin was built.",
                           MetricType::Gauge);
    AddSample(info, 1,
              {{"compiler", s_.build.compiler},
               {"revision", s_.build.revision},
               {"version", s_.build.version}});
    out.push_back(std::move(info));
    if (s_.collectors) CollectorFamilies(s_.collectors(), out);
    if (s_.reload) ReloadFamilies(s_.reload(), out);
    if (s_.store) StoreFamilies(s_.store->Stats(), out);
    if (s_.rules) RuleFamilies(s_.rules(), out);
    if (s_.delivery) AppendDeliveryFamilies(s_.delivery(), out);
    if (s_.remote_write) AppendRemoteWriteFamilies(s_.remote_write(), out);
    if (s_.query_gate) QueryGateFamilies(*s_.query_gate, out);
    InternalErrorFamilies(out);
    return out;
  }

 private:
  static void QueryGateFamilies(const QueryGate& gate, std::vector<MetricFamily>& out) {
    auto queries = MakeFamily("tocsin_api_queries",
                              "PromQL queries of the HTTP API running or waiting for a slot.",
                              MetricType::Gauge);
    AddSample(queries, static_cast<double>(gate.running()), {{"state", "running"}});
    AddSample(queries, static_cast<double>(gate.waiting()), {{"state", "waiting"}});
    out.push_back(std::move(queries));
    auto max = MakeFamily("tocsin_api_queries_concurrent_max",
                          "The most PromQL queries that run at once (web.max_concurrent_queries).",
                          MetricType::Gauge);
    AddSample(max, static_cast<double>(gate.options().max_concurrent));
    out.push_back(std::move(max));
  }

  static void InternalErrorFamilies(std::vector<MetricFamily>& out) {
    auto errors = MakeFamily("tocsin_internal_errors_total",
                             "Exceptions caught at a thread or handler boundary; the component "
                             "logged the error and carried on. Any increase is a bug to report.",
                             MetricType::Counter);
    std::map<std::string, uint64_t> counts = InternalErrors::Process().Snapshot();
    for (const char* component : kInternalErrorComponents) counts.try_emplace(component, 0);
    for (const auto& [component, n] : counts) {
      AddSample(errors, static_cast<double>(n), {{"component", component}});
    }
    out.push_back(std::move(errors));
  }

  static void CollectorFamilies(const std::vector<CollectorStats>& stats,
                                std::vector<MetricFamily>& out) {
    auto dur = MakeFamily("tocsin_collector_last_duration_seconds",
                          "Duration of the collector's last collection.", MetricType::Gauge);
    auto dur_sum = MakeFamily("tocsin_collector_duration_seconds_total",
                              "Total time spent in collections.", MetricType::Counter);
    auto ok = MakeFamily("tocsin_collector_last_success",
                         "Whether the collector's last collection succeeded (1) or failed (0).",
                         MetricType::Gauge);
    auto runs =
        MakeFamily("tocsin_collector_collections_total", "Collections run.", MetricType::Counter);
    auto fails =
        MakeFamily("tocsin_collector_errors_total",
                   "Collections that failed (error or deadline exceeded).", MetricType::Counter);
    auto skipped = MakeFamily("tocsin_collector_skipped_total",
                              "Collection slots skipped because the previous run was still going.",
                              MetricType::Counter);
    auto samples =
        MakeFamily("tocsin_collector_last_samples",
                   "Samples committed by the collector's last collection.", MetricType::Gauge);
    for (const CollectorStats& c : stats) {
      std::vector<ClientMetric::Label> l = {{"collector", c.name}};
      AddSample(dur, c.last_duration_seconds, l);
      AddSample(dur_sum, c.duration_seconds_sum, l);
      AddSample(ok, c.last_success ? 1 : 0, l);
      AddSample(runs, static_cast<double>(c.runs), l);
      AddSample(fails, static_cast<double>(c.failures), l);
      AddSample(skipped, static_cast<double>(c.skipped), l);
      AddSample(samples, static_cast<double>(c.last_samples), l);
    }
    for (auto* f : {&dur, &dur_sum, &ok, &runs, &fails, &skipped, &samples}) {
      out.push_back(std::move(*f));
    }
  }

  static void ReloadFamilies(const ReloadStatus& r, std::vector<MetricFamily>& out) {
    auto ok = MakeFamily("tocsin_config_last_reload_successful",
                         "Whether the last configuration reload attempt was successful.",
                         MetricType::Gauge);
    AddSample(ok, r.last_successful ? 1 : 0);
    auto ts =
        MakeFamily("tocsin_config_last_reload_success_timestamp_seconds",
                   "Timestamp of the last successful configuration reload.", MetricType::Gauge);
    AddSample(ts, static_cast<double>(r.last_success_ms) / 1000.0);
    auto fails = MakeFamily("tocsin_config_reload_failures_total",
                            "Configuration reloads that failed and kept the running configuration.",
                            MetricType::Counter);
    AddSample(fails, static_cast<double>(r.failures));
    out.push_back(std::move(ok));
    out.push_back(std::move(ts));
    out.push_back(std::move(fails));
  }

  static void StoreFamilies(const StoreStats& s, std::vector<MetricFamily>& out) {
    auto gauge = [&](const char* name, const char* help, uint64_t v) {
      auto f = MakeFamily(name, help, MetricType::Gauge);
      AddSample(f, static_cast<double>(v));
      out.push_back(std::move(f));
    };
    auto counter = [&](const char* name, const char* help, uint64_t v) {
      auto f = MakeFamily(name, help, MetricType::Counter);
      AddSample(f, static_cast<double>(v));
      out.push_back(std::move(f));
    };
    gauge("tocsin_store_series", "Series held in the in-memory store.", s.series);
    gauge("tocsin_store_max_series",
          "The store's bound on live series (storage.max_series); new series past it are refused.",
          s.max_series);
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
        MakeFamily("tocsin_store_series_rejected_total",
                   "New series refused because a series limit was reached.", MetricType::Counter);
    AddSample(rejected, static_cast<double>(s.rejected_global_limit), {{"reason", "global_limit"}});
    AddSample(rejected, static_cast<double>(s.rejected_source_limit), {{"reason", "source_limit"}});
    out.push_back(std::move(rejected));
  }

  static void RuleFamilies(const rules::RulesSnapshot& snap, std::vector<MetricFamily>& out) {
    auto g_last = MakeFamily("tocsin_rule_group_last_evaluation_timestamp_seconds",
                             "Timestamp of the group's last evaluation.", MetricType::Gauge);
    auto g_dur = MakeFamily("tocsin_rule_group_last_duration_seconds",
                            "Duration of the group's last evaluation.", MetricType::Gauge);
    auto g_iv = MakeFamily("tocsin_rule_group_interval_seconds", "The group's evaluation interval.",
                           MetricType::Gauge);
    auto g_iter =
        MakeFamily("tocsin_rule_group_iterations_total",
                   "Group evaluations (scheduled and event-driven).", MetricType::Counter);
    auto g_missed = MakeFamily("tocsin_rule_group_iterations_missed_total",
                               "Scheduled evaluation slots missed because an evaluation overran.",
                               MetricType::Counter);
    auto g_event = MakeFamily("tocsin_rule_group_event_evaluations_total",
                              "Group evaluations triggered by a store commit (rules.event_driven).",
                              MetricType::Counter);
    auto g_rules = MakeFamily("tocsin_rule_group_rules", "Rules in the group.", MetricType::Gauge);
    auto r_evals =
        MakeFamily("tocsin_rule_evaluations_total", "Rule evaluations.", MetricType::Counter);
    auto r_fails = MakeFamily("tocsin_rule_evaluation_failures_total",
                              "Rule evaluations that failed.", MetricType::Counter);
    auto r_health =
        MakeFamily("tocsin_rule_health",
                   "Whether the rule's last evaluation succeeded (1) or failed (0); the "
                   "error is in /api/v1/rules.",
                   MetricType::Gauge);
    auto r_dur = MakeFamily("tocsin_rule_last_duration_seconds",
                            "Duration of the rule's last evaluation.", MetricType::Gauge);
    auto r_last = MakeFamily("tocsin_rule_last_evaluation_timestamp_seconds",
                             "Timestamp of the rule's last evaluation.", MetricType::Gauge);
    auto r_past = MakeFamily("tocsin_rule_reads_past_retention",
                             "Whether the rule's range or offset reaches further back than "
                             "global.retention keeps samples (1): it sees less history than "
                             "written.",
                             MetricType::Gauge);
    auto r_tmpl =
        MakeFamily("tocsin_rule_template_errors_total",
                   "Alert label/annotation template expansions that failed.", MetricType::Counter);
    for (const auto& g : snap.groups) {
      std::vector<ClientMetric::Label> gl = {{"rule_group", g.file + ";" + g.name}};
      AddSample(g_last, static_cast<double>(g.last_evaluation) / 1000.0, gl);
      AddSample(g_dur, g.evaluation_seconds, gl);
      AddSample(g_iv, g.interval_seconds, gl);
      AddSample(g_iter, static_cast<double>(g.iterations), gl);
      AddSample(g_missed, static_cast<double>(g.iterations_missed), gl);
      AddSample(g_event, static_cast<double>(g.event_evaluations), gl);
      AddSample(g_rules, static_cast<double>(g.rules.size()), gl);
      for (const auto& r : g.rules) {
        auto rl = gl;
        rl.push_back({"rule", r.name});
        AddSample(r_evals, static_cast<double>(r.evaluations), rl);
        AddSample(r_fails, static_cast<double>(r.failures), rl);
        AddSample(r_health, r.health == "err" ? 0 : 1, rl);
        AddSample(r_dur, r.evaluation_seconds, rl);
        AddSample(r_last, static_cast<double>(r.last_evaluation) / 1000.0, rl);
        AddSample(r_past, r.reads_past_retention ? 1 : 0, rl);
        if (r.kind == rules::RuleSpec::Kind::kAlerting) {
          AddSample(r_tmpl, static_cast<double>(r.template_errors), rl);
        }
      }
    }
    for (auto* f : {&g_last, &g_dur, &g_iv, &g_iter, &g_missed, &g_event, &g_rules, &r_evals,
                    &r_fails, &r_health, &r_dur, &r_last, &r_past, &r_tmpl}) {
      out.push_back(std::move(*f));
    }
    auto counter = [&](const char* name, const char* help, uint64_t v) {
      auto f = MakeFamily(name, help, MetricType::Counter);
      AddSample(f, static_cast<double>(v));
      out.push_back(std::move(f));
    };
    counter("tocsin_rule_notifications_total",
            "Alerts handed by the rule manager to the notification hand-off.", snap.notifications);
    counter("tocsin_rule_state_load_errors_total",
            "Alert state files that could not be read at start and were set aside.",
            snap.state_load_errors);
    counter("tocsin_rule_state_writes_total", "Alert state files written (fsynced).",
            snap.state_writes);
    counter("tocsin_rule_state_write_errors_total", "Alert state files that could not be written.",
            snap.state_write_errors);
  }

  const ExporterSources& s_;
};

// The sample names a family writes (name, or name_bucket/_sum/_count ...).
std::unordered_set<std::string> SampleNames(const std::vector<MetricFamily>& families) {
  std::unordered_set<std::string> names;
  for (const MetricFamily& f : families) {
    names.insert(f.name);
    if (f.type == MetricType::Histogram || f.type == MetricType::Summary) {
      names.insert(f.name + "_sum");
      names.insert(f.name + "_count");
      names.insert(f.name + "_bucket");
    }
  }
  return names;
}

Metadata FamilyMetadata(const MetricFamily& f) {
  switch (f.type) {
    case MetricType::Counter:
      return {tocsin::MetricType::kCounter, f.help, ""};
    case MetricType::Gauge:
      return {tocsin::MetricType::kGauge, f.help, ""};
    case MetricType::Histogram:
      return {tocsin::MetricType::kHistogram, f.help, ""};
    case MetricType::Summary:
      return {tocsin::MetricType::kSummary, f.help, ""};
    default:
      return {tocsin::MetricType::kUnknown, f.help, ""};
  }
}

// One prometheus-cpp family as store samples, named as the text format names them.
Status AppendFamily(const MetricFamily& f, Appender& out) {
  std::string_view family = f.name;
  if (f.type == MetricType::Counter && family.ends_with("_total")) {
    family.remove_suffix(6);  // the exposition's family name, as Appender::SetMetadata wants
  }
  out.SetMetadata(family, FamilyMetadata(f));
  for (const ClientMetric& m : f.metric) {
    LabelsBuilder base;
    for (const auto& l : m.label) base.Set(l.name, l.value);
    auto add = [&](const std::string& name, double v,
                   std::optional<std::pair<const char*, std::string>> extra = std::nullopt) {
      LabelsBuilder b = base;
      b.Set(kMetricNameLabel, name);
      if (extra) b.Set(extra->first, extra->second);
      return out.Add(b.Build(), v);
    };
    switch (f.type) {
      case MetricType::Counter:
        TOCSIN_RETURN_IF_ERROR(add(f.name, m.counter.value));
        break;
      case MetricType::Gauge:
        TOCSIN_RETURN_IF_ERROR(add(f.name, m.gauge.value));
        break;
      case MetricType::Untyped:
        TOCSIN_RETURN_IF_ERROR(add(f.name, m.untyped.value));
        break;
      case MetricType::Histogram:
        for (const auto& b : m.histogram.bucket) {
          TOCSIN_RETURN_IF_ERROR(add(f.name + "_bucket", static_cast<double>(b.cumulative_count),
                                     std::pair{"le", FormatGoFloatG(b.upper_bound)}));
        }
        // prometheus-cpp's text serializer adds the +Inf bucket (the count); so does this.
        if (m.histogram.bucket.empty() || !std::isinf(m.histogram.bucket.back().upper_bound)) {
          TOCSIN_RETURN_IF_ERROR(add(f.name + "_bucket",
                                     static_cast<double>(m.histogram.sample_count),
                                     std::pair{"le", std::string("+Inf")}));
        }
        TOCSIN_RETURN_IF_ERROR(add(f.name + "_sum", m.histogram.sample_sum));
        TOCSIN_RETURN_IF_ERROR(
            add(f.name + "_count", static_cast<double>(m.histogram.sample_count)));
        break;
      case MetricType::Summary:
        for (const auto& q : m.summary.quantile) {
          TOCSIN_RETURN_IF_ERROR(
              add(f.name, q.value, std::pair{"quantile", FormatGoFloatG(q.quantile)}));
        }
        TOCSIN_RETURN_IF_ERROR(add(f.name + "_sum", m.summary.sample_sum));
        TOCSIN_RETURN_IF_ERROR(add(f.name + "_count", static_cast<double>(m.summary.sample_count)));
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace

Exporter::Exporter(ExporterSources sources)
    : sources_(std::move(sources)), registry_(std::make_shared<prometheus::Registry>()) {
  http_requests_ = &prometheus::BuildCounter()
                        .Name("tocsin_http_requests_total")
                        .Help("HTTP requests served, by handler and status code.")
                        .Register(*registry_);
  collectables_.push_back(registry_);
  collectables_.push_back(std::make_shared<StageMetrics>(sources_));
}

Exporter::~Exporter() = default;

std::vector<MetricFamily> Exporter::CollectFamilies() const {
  std::vector<MetricFamily> families;
  for (const auto& c : collectables_) {
    auto f = c->Collect();
    families.insert(families.end(), std::make_move_iterator(f.begin()),
                    std::make_move_iterator(f.end()));
  }
  return families;
}

std::string Exporter::Render() const {
  std::vector<MetricFamily> families = CollectFamilies();
  std::string out;
  if (sources_.store != nullptr) {
    const std::unordered_set<std::string> live = SampleNames(families);
    sources_.store->WriteExposition(
        out, sources_.clock->NowMs(), kExpositionMaxAge,
        sources_.target_labels ? sources_.target_labels() : Labels{},
        [&live](std::string_view name) { return live.count(std::string(name)) > 0; });
  }
  std::ostringstream ss;
  prometheus::TextSerializer().Serialize(ss, families);
  out += ss.str();
  return out;
}

Status Exporter::AppendSelfMetrics(Appender& out) const {
  for (const MetricFamily& f : CollectFamilies()) {
    TOCSIN_RETURN_IF_ERROR(AppendFamily(f, out));
  }
  return Status::Ok();
}

void Exporter::CountRequest(const std::string& handler, int code) {
  http_requests_->Add({{"handler", handler}, {"code", std::to_string(code)}}).Increment();
}

}  // namespace tocsin
