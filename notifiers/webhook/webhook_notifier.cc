#include "notifiers/webhook/webhook_notifier.h"

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"

namespace tocsin {

WebhookNotifier::WebhookNotifier(WebhookConfig config, HttpClient& http, const Clock& clock)
    : config_(std::move(config)), http_(http), clock_(clock) {}

std::string WebhookNotifier::Render(const Notification& n) const {
  Notification shown = n;
  uint64_t truncated = 0;
  if (config_.max_alerts > 0 && shown.alerts.size() > config_.max_alerts) {
    truncated = shown.alerts.size() - config_.max_alerts;
    shown.alerts.resize(config_.max_alerts);
  }
  nlohmann::json j = TemplateData(shown);
  j["version"] = "4";
  j["groupKey"] = n.group_key;
  j["truncatedAlerts"] = truncated;
  return EncodeJson(j, {.escape_html = true});
}

SendResult WebhookNotifier::Send(const Notification& n) {
  return PostJson(http_, clock_, config_.url.value, Render(n), config_.timeout,
                  config_.http_config);
}

}  // namespace tocsin
