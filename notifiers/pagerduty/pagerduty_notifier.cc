#include "notifiers/pagerduty/pagerduty_notifier.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"
#include "notifiers/template/template_data.h"

namespace tocsin {

using nlohmann::json;

namespace {

int Rank(std::string_view severity) {
  if (severity == "critical") return 4;
  if (severity == "error") return 3;
  if (severity == "warning") return 2;
  if (severity == "info") return 1;
  return 0;
}

}  // namespace

PagerDutyNotifier::PagerDutyNotifier(PagerDutyConfig config, HttpClient& http, const Clock& clock,
                                     std::shared_ptr<const NotificationTemplates> templates)
    : config_(std::move(config)), http_(http), clock_(clock), templates_(std::move(templates)) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) hostname_ = host;
}

std::string PagerDutyNotifier::SeverityFromLabels(const Notification& n) const {
  auto map_one = [this](std::string_view value) -> std::string {
    auto it = config_.severity_map.find(std::string(value));
    if (it != config_.severity_map.end()) return it->second;
    if (Rank(value) > 0) return std::string(value);
    return "";
  };
  // The most severe mapped value among the alerts that fire (all alerts when resolving).
  std::string best;
  for (const Alert& a : n.alerts) {
    if (n.Firing() && a.ends_at != 0) continue;
    std::string s = map_one(a.labels.Get(config_.severity_label));
    if (Rank(s) > Rank(best)) best = s;
  }
  return best.empty() ? config_.default_severity : best;
}

Result<std::string> PagerDutyNotifier::Render(const Notification& n) const {
  // notify.TmplText: the first failure is kept and the event is not sent.
  FieldExpander expand(*templates_, n);
  json details = json::object();
  for (const auto& [name, text] : config_.details) {
    details[name] = expand(text);
    if (!expand.status().ok()) return expand.status().WithContext("details \"" + name + "\"");
  }
  const bool v1 = !config_.service_key.empty();
  json msg = json::object();
  std::string summary = TruncateRunes(expand(config_.description), kPagerDutyMaxSummaryRunes);
  if (v1) {
    msg["service_key"] = config_.service_key.value;
    msg["event_type"] = n.Firing() ? "trigger" : "resolve";
    msg["incident_key"] = n.GroupKeyHash();
    SetNonEmpty(msg, "description", summary);
    if (!details.empty()) msg["details"] = details;
    if (n.Firing()) {
      SetNonEmpty(msg, "client", expand(config_.client));
      SetNonEmpty(msg, "client_url", expand(config_.client_url));
    }
    msg["payload"] = nullptr;  // Go's nil *pagerDutyPayload
    msg["event_action"] = "";
  } else {
    std::string source = expand(config_.source);
    if (source.empty()) source = !hostname_.empty() ? hostname_ : expand(config_.client);
    json payload{
        {"summary", summary},
        {"source", source},
        {"severity", config_.severity.empty() ? SeverityFromLabels(n) : expand(config_.severity)}};
    if (config_.send_timestamp) payload["timestamp"] = FormatRfc3339(n.created_at);
    SetNonEmpty(payload, "class", expand(config_.class_name));
    SetNonEmpty(payload, "component", expand(config_.component));
    SetNonEmpty(payload, "group", expand(config_.group));
    if (!details.empty()) payload["custom_details"] = details;
    msg["routing_key"] = config_.routing_key.value;
    msg["dedup_key"] = n.GroupKeyHash();
    msg["event_action"] = n.Firing() ? "trigger" : "resolve";
    msg["payload"] = std::move(payload);
    SetNonEmpty(msg, "client", expand(config_.client));
    SetNonEmpty(msg, "client_url", expand(config_.client_url));
    json images = json::array(), links = json::array();
    for (const PagerDutyImageConfig& i : config_.images) {
      json image{{"src", expand(i.src)}, {"alt", expand(i.alt)}, {"href", expand(i.href)}};
      if (!image["src"].get<std::string>().empty()) images.push_back(std::move(image));
    }
    for (const PagerDutyLinkConfig& l : config_.links) {
      json link{{"href", expand(l.href)}, {"text", expand(l.text)}};
      if (!link["href"].get<std::string>().empty()) links.push_back(std::move(link));
    }
    if (!images.empty()) msg["images"] = std::move(images);
    if (!links.empty()) msg["links"] = std::move(links);
  }
  if (!expand.status().ok()) return expand.status();
  std::string body = EncodeJson(msg);
  if (body.size() > kPagerDutyMaxEventBytes) {
    json removed = {
        {"error",
         "Custom details have been removed because the original event exceeds the maximum size "
         "of 512KB"}};
    if (v1) {
      msg["details"] = removed;
    } else {
      msg["payload"]["custom_details"] = removed;
    }
    body = EncodeJson(msg);
  }
  return body;
}

SendResult PagerDutyNotifier::Send(const Notification& n) {
  Result<std::string> body = Render(n);
  if (!body.ok()) return SendResult::Drop("pagerduty: " + body.status().message());
  return PostJson(http_, clock_, config_.url, std::move(body).value(), config_.timeout,
                  config_.http_config);
}

}  // namespace tocsin
