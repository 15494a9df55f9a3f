#include "notifiers/alert_delivery.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>

namespace tocsin {
namespace {

bool SameIntegration(const IntegrationStats& a, const IntegrationStats& b) {
  return a.receiver == b.receiver && a.integration == b.integration && a.index == b.index;
}

// Adds the counters of `from` to `to` (gauges: queue length, breaker, active alerts, groups are
// the running dispatcher's alone). Integrations and Alertmanagers are matched by identity;
// those `to` lacks are added when `add_missing` (the retired baseline keeps every identity).
void AddCounters(DispatcherStats& to, const DispatcherStats& from, bool add_missing) {
  to.alerts_received_total += from.alerts_received_total;
  to.alerts_invalid_total += from.alerts_invalid_total;
  to.silenced_total += from.silenced_total;
  to.inhibited_total += from.inhibited_total;
  to.queue_corrupt_files += from.queue_corrupt_files;
  for (const IntegrationStats& f : from.integrations) {
    auto it = std::find_if(to.integrations.begin(), to.integrations.end(),
                           [&f](const IntegrationStats& t) { return SameIntegration(t, f); });
    if (it == to.integrations.end()) {
      if (!add_missing) continue;
      IntegrationStats fresh;
      fresh.receiver = f.receiver;
      fresh.integration = f.integration;
      fresh.index = f.index;
      it = to.integrations.insert(to.integrations.end(), fresh);
    }
    it->notifications_total += f.notifications_total;
    it->delivered_total += f.delivered_total;
    it->failed_total += f.failed_total;
    it->dropped_total += f.dropped_total;
    it->dropped_queue_full += f.dropped_queue_full;
    it->dropped_rejected += f.dropped_rejected;
    it->dropped_expired += f.dropped_expired;
    it->superseded_total += f.superseded_total;
    for (size_t i = 0; i < f.latency_buckets.size(); ++i) {
      it->latency_buckets[i] += f.latency_buckets[i];
    }
    it->latency_count += f.latency_count;
    it->latency_sum_seconds += f.latency_sum_seconds;
  }
  for (const AlertmanagerTargetStats& f : from.alertmanagers) {
    auto it = std::find_if(to.alertmanagers.begin(), to.alertmanagers.end(),
                           [&f](const AlertmanagerTargetStats& t) { return t.url == f.url; });
    if (it == to.alertmanagers.end()) {
      if (!add_missing) continue;
      AlertmanagerTargetStats fresh;
      fresh.url = f.url;
      it = to.alertmanagers.insert(to.alertmanagers.end(), fresh);
    }
    it->sent_total += f.sent_total;
    it->errors_total += f.errors_total;
    it->dropped_total += f.dropped_total;
  }
}

// A reloaded dispatcher recovers what an earlier one left queued and counts it as accepted
// again; the retired baseline already holds it, so it comes off there (per identity) to keep
// accepted = delivered + superseded + dropped + queued across reloads.
void UncountRecovered(DispatcherStats& retired, const DispatcherStats& recovered) {
  for (const IntegrationStats& r : recovered.integrations) {
    auto it = std::find_if(retired.integrations.begin(), retired.integrations.end(),
                           [&r](const IntegrationStats& t) { return SameIntegration(t, r); });
    if (it == retired.integrations.end()) continue;
    it->notifications_total -= std::min(it->notifications_total, r.notifications_total);
  }
}

}  // namespace

AlertDelivery::AlertDelivery(const Clock& clock, HttpClient& http, std::string state_dir)
    : clock_(clock), http_(http), state_dir_(std::move(state_dir)) {}

AlertDelivery::~AlertDelivery() { Stop(); }

Result<std::function<void()>> AlertDelivery::Prepare(
    const AlertingConfig& config, std::map<std::string, std::string> external_labels) {
  DispatcherOptions probe;  // in memory: validation only, nothing touches state_dir
  probe.external_labels = external_labels;
  auto check = Dispatcher::Create(config, probe, clock_, http_);
  if (!check.ok()) return check.status().WithContext("alerting");
  return std::function<void()>(
      [this, config, labels = std::move(external_labels)] { Install(config, labels); });
}

void AlertDelivery::Install(const AlertingConfig& config,
                            const std::map<std::string, std::string>& labels) {
  std::unique_lock lock(mu_);
  DispatcherState carried;
  if (current_) {
    current_->Stop();
    carried = current_->ExportState();
    AddCounters(retired_, current_->Stats(), /*add_missing=*/true);
  }
  current_.reset();
  DispatcherOptions options;
  options.state_dir = state_dir_;
  options.external_labels = labels;
  auto next = Dispatcher::Create(config, options, clock_, http_);
  if (!next.ok()) {
    spdlog::error("alerting: cannot start the dispatcher on {}: {}; alerts are only logged",
                  state_dir_, next.status().message());
    return;
  }
  current_ = std::move(next).value();
  UncountRecovered(retired_, current_->Stats());  // no-op at start: nothing retired yet
  current_->ImportState(std::move(carried));
  current_->Start();
}

NotifyFn AlertDelivery::AsNotifyFn() {
  return [this](std::vector<Alert> alerts) { Receive(std::move(alerts)); };
}

void AlertDelivery::Receive(std::vector<Alert> alerts) {
  std::shared_lock lock(mu_);
  if (current_) {
    current_->Receive(std::move(alerts));
  } else {
    for (const Alert& a : alerts) {
      spdlog::warn("alert {} {} not delivered: no dispatcher is running", a.Name(),
                   a.labels.ToString());
    }
  }
}

DispatcherStats AlertDelivery::Stats() const {
  std::shared_lock lock(mu_);
  DispatcherStats s = current_ ? current_->Stats() : DispatcherStats{};
  AddCounters(s, retired_, /*add_missing=*/false);
  return s;
}

ApiResponse AlertDelivery::HandleSilencesApi(std::string_view method, std::string_view path,
                                             std::string_view query, std::string_view body) {
  std::shared_lock lock(mu_);
  if (!current_) return {503, "\"alert delivery is not running\"", "application/json"};
  return tocsin::HandleSilencesApi(current_->silences(), method, path, query, body);
}

void AlertDelivery::Stop() {
  std::unique_lock lock(mu_);
  if (current_) current_->Stop();
  current_.reset();
}

}  // namespace tocsin
