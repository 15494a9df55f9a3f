#include "collectors/scylla/scylla_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "agent/core/rate_limiter.h"
#include "collectors/scylla/scylla_api.h"
#include "collectors/scylla/scylla_metrics.h"

namespace tocsin {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Scylla's exposition is per shard and per table: tens of MB on big nodes.
constexpr size_t kMaxMetricsBody = 64 * 1024 * 1024;

class ScyllaCollector final : public Collector {
 public:
  ScyllaCollector(const ScyllaCollectorConfig& config, std::chrono::milliseconds timeout,
                  std::shared_ptr<HttpClient> http, scylla::FamilyFilter filter)
      : name_("scylla/" + config.name),
        metrics_url_(config.metrics_url),
        api_url_(config.api_url),
        timeout_(timeout),
        http_(std::move(http)),
        filter_(std::move(filter)) {
    while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
    for (const auto& [k, v] : config.labels) base_labels_.push_back(Label{k, v});
  }

  std::string_view name() const override { return name_; }

  Status Collect(const CollectContext& ctx, Appender& out) override {
    const auto deadline = WorkingDeadline(ctx, timeout_);
    out_ = &out;
    status_ = Status::Ok();
    families_.clear();

    // 1. Scylla's own metrics.
    bool up = false;
    HttpResponse r = Get(metrics_url_, deadline, kMaxMetricsBody);
    if (r.Ok2xx() && !r.truncated) {
      up = true;
      scylla::PassThroughStats stats;
      status_ = scylla::PassThrough(r.body, filter_, base_labels_, out, stats);
      if (stats.parse_errors > 0) {
        Warn("parse", "metrics endpoint: " + std::to_string(stats.parse_errors) +
                          " unparsable lines, first at " + stats.first_error);
      }
      Emit("scylla_scrape_samples_scraped", MetricType::kGauge,
           "Samples the metrics endpoint returned.", {}, static_cast<double>(stats.samples_seen));
      Emit("scylla_scrape_samples_post_filter", MetricType::kGauge,
           "Samples kept by the metric_families allow-list.", {},
           static_cast<double>(stats.samples_added));
    } else {
      Warn("metrics", "metrics endpoint " + RedactUrl(metrics_url_) + ": " + Describe(r));
    }
    Emit("scylla_up", MetricType::kGauge, "Whether Scylla's metrics endpoint answered.", {},
         up ? 1 : 0);

    // 2. Node state from the REST API.
    if (!api_url_.empty()) {
      bool api_ok = CollectApi(deadline);
      Emit("scylla_api_up", MetricType::kGauge,
           "Whether every call to Scylla's REST API succeeded.", {}, api_ok ? 1 : 0);
    }
    out_ = nullptr;
    return status_;
  }

 private:
  HttpResponse Get(const std::string& url, SteadyClock::time_point deadline, size_t max_body) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      HttpResponse r;
      r.timed_out = true;
      r.error = "no time left before the collection deadline";
      return r;
    }
    HttpRequest req;
    req.method = "GET";
    req.url = url;
    req.timeout = left;
    req.max_response_body = max_body;
    req.accept_gzip = true;
    return http_->Do(req);
  }

  static std::string Describe(const HttpResponse& r) {
    if (r.status == 0) return (r.timed_out ? "timed out: " : "") + r.error;
    if (r.truncated) return "body larger than the limit";
    return "HTTP " + std::to_string(r.status);
  }

  // One REST call: the body on success, or nullopt (logged).
  std::optional<std::string> Api(const std::string& path, SteadyClock::time_point deadline) {
    HttpResponse r = Get(api_url_ + path, deadline, 1024 * 1024);
    if (r.Ok2xx() && !r.truncated) return std::move(r.body);
    Warn("api" + path, "REST API " + path + ": " + Describe(r));
    return std::nullopt;
  }

  bool CollectApi(SteadyClock::time_point deadline) {
    bool ok = true;
    auto fail = [&](const std::string& path, const Status& st) {
      Warn("api" + path, "REST API " + path + ": " + st.message());
      ok = false;
    };
    if (auto body = Api("/storage_service/operation_mode", deadline)) {
      Result<std::string> mode = scylla::DecodeJsonString(*body);
      if (mode.ok()) {
        Emit("scylla_api_operation_mode", MetricType::kGauge,
             "Operation mode from the REST API (/storage_service/operation_mode), coded as "
             "scylla_node_operation_mode: 0 unknown, 1 starting, 2 joining, 3 normal, 4 "
             "leaving, 5 decommissioned, 6 draining, 7 drained, 8 moving, 9 maintenance.",
             {{"mode", *mode}}, scylla::OperationModeCode(*mode));
      } else {
        fail("/storage_service/operation_mode", mode.status());
      }
    } else {
      ok = false;
    }
    struct State {
      const char* state;
      const char* path;
    };
    static constexpr State kStates[] = {
        {"live", "/gossiper/endpoint/live/"},
        {"down", "/gossiper/endpoint/down/"},
        {"joining", "/storage_service/nodes/joining"},
        {"leaving", "/storage_service/nodes/leaving"},
        {"moving", "/storage_service/nodes/moving"},
    };
    std::set<std::string> seen_endpoints;
    for (const State& s : kStates) {
      auto body = Api(s.path, deadline);
      if (!body) {
        ok = false;
        continue;
      }
      Result<std::vector<std::string>> nodes = scylla::DecodeJsonStringList(*body);
      if (!nodes.ok()) {
        fail(s.path, nodes.status());
        continue;
      }
      Emit("scylla_nodes", MetricType::kGauge,
           "Nodes of the cluster in each state as this node sees them (gossiper live/down, "
           "storage_service joining/leaving/moving).",
           {{"state", s.state}}, static_cast<double>(nodes->size()));
      bool live = std::string_view(s.state) == "live";
      if (live || std::string_view(s.state) == "down") {
        for (const std::string& e : *nodes) {
          if (!seen_endpoints.insert(e).second) continue;
          Emit("scylla_endpoint_up", MetricType::kGauge,
               "1 when the gossiper sees this endpoint live, 0 when it sees it down.",
               {{"endpoint", e}}, live ? 1 : 0);
        }
      }
    }
    if (auto body = Api("/compaction_manager/metrics/pending_tasks", deadline)) {
      Result<double> n = scylla::DecodeJsonNumber(*body);
      if (n.ok()) {
        Emit("scylla_pending_compactions", MetricType::kGauge,
             "Pending compaction tasks (/compaction_manager/metrics/pending_tasks).", {}, *n);
      } else {
        fail("/compaction_manager/metrics/pending_tasks", n.status());
      }
    } else {
      ok = false;
    }
    return ok;
  }

  void Emit(const std::string& name, MetricType type, std::string_view help,
            std::vector<Label> labels, double value) {
    if (!status_.ok()) return;
    if (families_.insert(name).second) {
      Metadata md;
      md.type = type;
      md.help = std::string(help);
      out_->SetMetadata(name, md);
    }
    for (const Label& b : base_labels_) labels.push_back(b);
    labels.push_back(Label{std::string(kMetricNameLabel), name});
    status_ = out_->Add(Labels::FromUnsorted(std::move(labels)), value);
  }

  void Warn(const std::string& key, const std::string& message) {
    uint64_t suppressed = 0;
    if (!limiter_.Allow(name_ + "/" + key, suppressed)) return;
    spdlog::warn("collector {}: {}{}", name_, message,
                 suppressed ? " (" + std::to_string(suppressed) + " similar suppressed)" : "");
  }

  std::string name_, metrics_url_, api_url_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<HttpClient> http_;
  scylla::FamilyFilter filter_;
  std::vector<Label> base_labels_;
  RateLimiter limiter_{std::chrono::minutes(1)};
  // Per cycle.
  Appender* out_ = nullptr;
  Status status_;
  std::set<std::string> families_;
};

}  // namespace

Result<std::unique_ptr<Collector>> MakeScyllaCollector(const ScyllaCollectorConfig& config,
                                                       std::chrono::milliseconds timeout,
                                                       std::shared_ptr<HttpClient> http) {
  Result<scylla::FamilyFilter> filter = scylla::FamilyFilter::Compile(
      config.metric_families.empty() ? scylla::DefaultMetricFamilies() : config.metric_families);
  if (!filter.ok()) return filter.status().WithContext("collectors.scylla " + config.name);
  return std::unique_ptr<Collector>(
      new ScyllaCollector(config, timeout, std::move(http), std::move(filter).value()));
}

}  // namespace tocsin
