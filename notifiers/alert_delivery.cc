#include "notifiers/alert_delivery.h"

#include <spdlog/spdlog.h>

#include <mutex>

namespace tocsin {

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
  return current_ ? current_->Stats() : DispatcherStats{};
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
