#include "notifiers/pagerduty/pagerduty_notifier.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"

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

// Alertmanager's default template "__text_alert_list" (pagerduty.default.instances) over the
// alerts with the given status.
std::string TextAlertList(const Notification& n, bool firing) {
  std::string out;
  for (const Alert& a : n.alerts) {
    if ((a.ends_at == 0) != firing) continue;
    out += "Labels:\n";
    for (const Label& l : SortedPairs(a.labels)) out += " - " + l.name + " = " + l.value + "\n";
    out += "Annotations:\n";
    for (const auto& [k, v] : a.annotations) out += " - " + k + " = " + v + "\n";
    out += "Source: " + a.generator_url + "\n";
  }
  return out;
}

}  // namespace

PagerDutyNotifier::PagerDutyNotifier(PagerDutyConfig config, HttpClient& http, const Clock& clock)
    : config_(std::move(config)), http_(http), clock_(clock) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) hostname_ = host;
}

std::string PagerDutyNotifier::Severity(const Notification& n) const {
  auto map_one = [this](std::string_view value) -> std::string {
    auto it = config_.severity_map.find(std::string(value));
    if (it != config_.severity_map.end()) return it->second;
    if (Rank(value) > 0) return std::string(value);
    return "";
  };
  if (!config_.severity.empty()) return config_.severity;
  // The most severe mapped value among the alerts that fire (all alerts when resolving).
  std::string best;
  for (const Alert& a : n.alerts) {
    if (n.Firing() && a.ends_at != 0) continue;
    std::string s = map_one(a.labels.Get(config_.severity_label));
    if (Rank(s) > Rank(best)) best = s;
  }
  return best.empty() ? config_.default_severity : best;
}

std::string PagerDutyNotifier::Render(const Notification& n) const {
  json firing = json::array(), resolved = json::array();
  for (const Alert& a : n.alerts) (a.ends_at == 0 ? firing : resolved).push_back(AlertToJson(a));
  json payload{{"summary", TruncateRunes(Subject(n), kPagerDutyMaxSummaryRunes)},
               {"source", !config_.source.empty() ? config_.source
                          : !hostname_.empty()    ? hostname_
                                                  : config_.client},
               {"severity", Severity(n)},
               {"timestamp", FormatRfc3339(n.created_at)},
               {"custom_details",
                {{"firing", std::move(firing)},
                 {"resolved", std::move(resolved)},
                 {"num_firing", n.NumFiring()},
                 {"num_resolved", n.NumResolved()}}}};
  if (!config_.component.empty()) payload["component"] = config_.component;
  if (!config_.group.empty()) payload["group"] = config_.group;
  if (!config_.class_name.empty()) payload["class"] = config_.class_name;
  json msg{{"routing_key", config_.routing_key.value},
           {"dedup_key", n.GroupKeyHash()},
           {"event_action", n.Firing() ? "trigger" : "resolve"},
           {"payload", std::move(payload)}};
  if (!config_.client.empty()) msg["client"] = config_.client;
  std::string client_url = !config_.client_url.empty() ? config_.client_url : n.external_url;
  if (!client_url.empty()) msg["client_url"] = client_url;
  std::string body = EncodeJson(msg);
  if (body.size() > kPagerDutyMaxEventBytes) {
    msg["payload"]["custom_details"] = {
        {"error",
         "Custom details have been removed because the original event exceeds the maximum size "
         "of 512KB"}};
    body = EncodeJson(msg);
  }
  return body;
}

std::string PagerDutyNotifier::RenderV1(const Notification& n) const {
  std::string description = config_.description.empty() ? Subject(n) : config_.description;
  json msg{{"service_key", config_.service_key.value},
           {"event_type", n.Firing() ? "trigger" : "resolve"},
           {"incident_key", n.GroupKeyHash()},
           {"description", TruncateRunes(description, kPagerDutyMaxSummaryRunes)},
           {"details",
            {{"firing", TextAlertList(n, true)},
             {"resolved", TextAlertList(n, false)},
             {"num_firing", std::to_string(n.NumFiring())},
             {"num_resolved", std::to_string(n.NumResolved())}}}};
  if (n.Firing()) {
    std::string client_url = !config_.client_url.empty() ? config_.client_url : n.external_url;
    if (!config_.client.empty()) msg["client"] = config_.client;
    if (!client_url.empty()) msg["client_url"] = client_url;
  }
  return EncodeJson(msg);
}

SendResult PagerDutyNotifier::Send(const Notification& n) {
  std::string body = config_.service_key.empty() ? Render(n) : RenderV1(n);
  return PostJson(http_, clock_, config_.url, std::move(body), config_.timeout);
}

}  // namespace tocsin
