#include "agent/http/delivery_metrics.h"

#include <map>
#include <string>
#include <utility>

#include "agent/http/metric_family.h"

namespace tocsin {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using LabelList = std::vector<ClientMetric::Label>;

void IntegrationFamilies(const std::vector<IntegrationStats>& integrations,
                         std::vector<MetricFamily>& out) {
  auto total = MakeFamily("tocsin_notifications_total", "Notifications accepted for delivery.",
                          MetricType::Counter);
  auto delivered = MakeFamily("tocsin_notifications_delivered_total",
                              "Notifications the receiver accepted (2xx).", MetricType::Counter);
  auto failed = MakeFamily("tocsin_notifications_failed_total",
                           "Failed delivery attempts, retried or not.", MetricType::Counter);
  auto dropped = MakeFamily("tocsin_notifications_dropped_total",
                            "Notifications given up, by reason (rejected, queue_full, expired).",
                            MetricType::Counter);
  auto superseded = MakeFamily(
      "tocsin_notifications_superseded_total",
      "Undelivered notifications replaced by a newer one of the same group.", MetricType::Counter);
  auto queue = MakeFamily("tocsin_notifications_queue_length",
                          "Notifications waiting for delivery.", MetricType::Gauge);
  auto breaker = MakeFamily("tocsin_notifications_breaker_open",
                            "1 while the receiver's circuit breaker is open.", MetricType::Gauge);
  auto latency = MakeFamily("tocsin_notifications_latency_seconds",
                            "Time from enqueue to successful delivery.", MetricType::Histogram);
  // A receiver with several configs of one kind tells them apart by `index` (its position in
  // the *_configs list); a receiver with one keeps the shorter label set.
  std::map<std::pair<std::string, std::string>, int> configs_of_kind;
  for (const IntegrationStats& s : integrations) ++configs_of_kind[{s.receiver, s.integration}];
  for (const IntegrationStats& s : integrations) {
    LabelList l = {{"integration", s.integration}};
    if (configs_of_kind[{s.receiver, s.integration}] > 1) {
      l.push_back({"index", std::to_string(s.index)});
    }
    l.push_back({"receiver", s.receiver});
    AddSample(total, static_cast<double>(s.notifications_total), l);
    AddSample(delivered, static_cast<double>(s.delivered_total), l);
    AddSample(failed, static_cast<double>(s.failed_total), l);
    for (auto [reason, n] :
         {std::pair{"expired", s.dropped_expired}, std::pair{"queue_full", s.dropped_queue_full},
          std::pair{"rejected", s.dropped_rejected}}) {
      LabelList lr = l;
      lr.push_back({"reason", reason});
      AddSample(dropped, static_cast<double>(n), lr);
    }
    AddSample(superseded, static_cast<double>(s.superseded_total), l);
    AddSample(queue, static_cast<double>(s.queue_length), l);
    AddSample(breaker, s.breaker_open ? 1 : 0, l);
    ClientMetric h;
    h.label = l;
    h.histogram.sample_count = s.latency_count;
    h.histogram.sample_sum = s.latency_sum_seconds;
    for (size_t i = 0; i < kDeliveryLatencyBuckets.size(); ++i) {
      h.histogram.bucket.push_back({s.latency_buckets[i], kDeliveryLatencyBuckets[i]});
    }
    latency.metric.push_back(std::move(h));
  }
  for (auto* f : {&total, &delivered, &failed, &dropped, &superseded, &queue, &breaker, &latency}) {
    out.push_back(std::move(*f));
  }
}

}  // namespace

void AppendDeliveryFamilies(const DispatcherStats& stats, std::vector<MetricFamily>& out) {
  IntegrationFamilies(stats.integrations, out);
  auto sent = MakeFamily("tocsin_alertmanager_alerts_sent_total",
                         "Alerts forwarded to Alertmanager.", MetricType::Counter);
  auto errors = MakeFamily("tocsin_alertmanager_alerts_errors_total",
                           "Alerts in batches Alertmanager did not accept.", MetricType::Counter);
  auto dropped =
      MakeFamily("tocsin_alertmanager_alerts_dropped_total",
                 "Alerts dropped (failed batches, queue overflow).", MetricType::Counter);
  auto queue = MakeFamily("tocsin_alertmanager_queue_length", "Alerts waiting to be forwarded.",
                          MetricType::Gauge);
  for (const AlertmanagerTargetStats& am : stats.alertmanagers) {
    LabelList l = {{"alertmanager", am.url}};
    AddSample(sent, static_cast<double>(am.sent_total), l);
    AddSample(errors, static_cast<double>(am.errors_total), l);
    AddSample(dropped, static_cast<double>(am.dropped_total), l);
    AddSample(queue, static_cast<double>(am.queue_length), l);
  }
  for (auto* f : {&sent, &errors, &dropped, &queue}) out.push_back(std::move(*f));
  auto scalar = [&](const char* name, const char* help, MetricType type, uint64_t v) {
    auto f = MakeFamily(name, help, type);
    AddSample(f, static_cast<double>(v));
    out.push_back(std::move(f));
  };
  scalar("tocsin_alerts_received_total", "Alerts handed to the dispatcher.", MetricType::Counter,
         stats.alerts_received_total);
  scalar("tocsin_alerts_invalid_total", "Alerts refused as invalid.", MetricType::Counter,
         stats.alerts_invalid_total);
  scalar("tocsin_alerts_active", "Alerts held by the dispatcher that are not resolved.",
         MetricType::Gauge, stats.active_alerts);
  scalar("tocsin_alert_groups", "Aggregation groups.", MetricType::Gauge, stats.aggregation_groups);
  scalar("tocsin_alerts_silenced_total", "Alerts left out of a notification by a silence.",
         MetricType::Counter, stats.silenced_total);
  scalar("tocsin_alerts_inhibited_total", "Alerts left out of a notification by an inhibit rule.",
         MetricType::Counter, stats.inhibited_total);
}

}  // namespace tocsin
