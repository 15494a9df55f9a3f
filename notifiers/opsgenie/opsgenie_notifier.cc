#include "notifiers/opsgenie/opsgenie_notifier.h"

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"
#include "notifiers/template/template_data.h"

namespace tocsin {

using nlohmann::json;

namespace {

// strings.Split of the trimmed text, without empty items (Alertmanager's safeSplit).
std::vector<std::string> SafeSplit(const std::string& s, char sep) {
  size_t b = s.find_first_not_of(" \t\n\r\v\f");
  size_t e = s.find_last_not_of(" \t\n\r\v\f");
  std::string trimmed = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= trimmed.size()) {
    size_t at = trimmed.find(sep, start);
    std::string item = trimmed.substr(start, at == std::string::npos ? at : at - start);
    if (!item.empty()) out.push_back(item);
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

}  // namespace

OpsGenieNotifier::OpsGenieNotifier(OpsGenieConfig config, HttpClient& http, const Clock& clock,
                                   std::shared_ptr<const NotificationTemplates> templates)
    : config_(std::move(config)), http_(http), clock_(clock), templates_(std::move(templates)) {}

Result<std::vector<HttpRequest>> OpsGenieNotifier::Requests(const Notification& n) const {
  FieldExpander expand(*templates_, n);
  const std::string alias = n.GroupKeyHash();
  const std::string base = config_.api_url;  // ends with '/'
  std::vector<HttpRequest> requests;
  auto add = [&](const char* method, const std::string& url, const json& body) {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = EncodeJson(body);
    requests.push_back(std::move(r));
  };
  const std::string by_alias = "?identifierType=alias";
  if (!n.Firing()) {
    add("POST", base + "v2/alerts/" + alias + "/close" + by_alias,
        json{{"source", expand(config_.source)}});
  } else {
    json details = json::object();
    for (const Label& l : n.CommonLabels()) details[l.name] = l.value;
    for (const auto& [k, v] : config_.details) details[k] = expand(v);
    json responders = json::array();
    for (const OpsGenieResponderConfig& r : config_.responders) {
      json one = json::object();
      SetNonEmpty(one, "id", expand(r.id));
      SetNonEmpty(one, "name", expand(r.name));
      SetNonEmpty(one, "username", expand(r.username));
      std::string type = expand(r.type);
      if (one.empty() && type.empty()) continue;  // filled from labels that are absent
      if (type == "teams") {
        for (const std::string& team : SafeSplit(one.value("name", ""), ',')) {
          responders.push_back({{"name", team}, {"type", "team"}});
        }
        continue;
      }
      one["type"] = type;
      responders.push_back(std::move(one));
    }
    json msg{{"alias", alias},
             {"message", TruncateRunes(expand(config_.message), kOpsGenieMaxMessageRunes)},
             {"details", details},
             {"source", expand(config_.source)}};
    SetNonEmpty(msg, "description", expand(config_.description));
    if (!responders.empty()) msg["responders"] = responders;
    if (auto tags = SafeSplit(expand(config_.tags), ','); !tags.empty()) msg["tags"] = tags;
    SetNonEmpty(msg, "note", expand(config_.note));
    SetNonEmpty(msg, "priority", expand(config_.priority));
    SetNonEmpty(msg, "entity", expand(config_.entity));
    if (auto actions = SafeSplit(expand(config_.actions), ','); !actions.empty()) {
      msg["actions"] = actions;
    }
    add("POST", base + "v2/alerts", msg);
    if (config_.update_alerts) {
      json message = json::object(), description = json::object();
      SetNonEmpty(message, "message", msg["message"].get<std::string>());
      SetNonEmpty(description, "description", msg.value("description", ""));
      add("PUT", base + "v2/alerts/" + alias + "/message" + by_alias, message);
      add("PUT", base + "v2/alerts/" + alias + "/description" + by_alias, description);
    }
  }
  std::string key = expand(config_.api_key.value);
  if (!expand.status().ok()) return expand.status();
  for (HttpRequest& r : requests) {
    r.headers = {{"Content-Type", "application/json"}, {"Authorization", "GenieKey " + key}};
    ApplyHttpClientConfig(config_.http_config, r);
    r.timeout = config_.timeout;
  }
  return requests;
}

SendResult OpsGenieNotifier::Send(const Notification& n) {
  Result<std::vector<HttpRequest>> requests = Requests(n);
  if (!requests.ok()) return SendResult::Drop("opsgenie: " + requests.status().message());
  SendResult result = SendResult::Ok();
  for (const HttpRequest& r : *requests) {
    result = ClassifyHttpResponse(http_.Do(r), clock_.NowMs());
    if (result.outcome != SendResult::Outcome::kOk) {
      result.detail += " (" + RedactUrl(r.url) + ")";
      return result;
    }
  }
  return result;
}

}  // namespace tocsin
