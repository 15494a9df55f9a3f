#include "agent/http/api_rules.h"

#include <nlohmann/json.hpp>

#include "agent/core/duration.h"
#include "agent/core/go_format.h"
#include "agent/core/json.h"
#include "agent/core/rfc3339.h"

namespace tocsin {
namespace {

using nlohmann::json;

ServerResponse Json(int status, const json& body) {
  return {status, "application/json", EncodeJson(body), {}};
}

json Pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json m = json::object();
  for (const auto& [k, v] : pairs) m[k] = v;
  return m;
}

json LabelsJson(const Labels& l) {
  json m = json::object();
  for (const auto& p : l) m[p.name] = p.value;
  return m;
}

json AlertJson(const rules::Alert& a) {
  json j = {{"labels", LabelsJson(a.labels)},
            {"annotations", LabelsJson(a.annotations)},
            {"state", std::string(rules::AlertStateName(a.state))},
            {"activeAt", ApiTimestamp(a.active_at)},
            {"value", FormatGoFloatE(a.value)}};
  if (a.keep_firing_since) j["keepFiringSince"] = ApiTimestamp(*a.keep_firing_since);
  return j;
}

}  // namespace

std::string ApiTimestamp(TimestampMs t) {
  if (t == 0) return "0001-01-01T00:00:00Z";
  // Go's RFC3339Nano: the fraction without trailing zeros, none at all on a whole second.
  std::string out = FormatRfc3339(t);  // ...:SS.mmmZ
  out.pop_back();
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out + "Z";
}

std::string RulesDataJson(const rules::RulesSnapshot& snapshot, const std::string& type_filter,
                          bool exclude_alerts, const std::string& rule_name,
                          const std::string& rule_group, const std::string& file) {
  json groups = json::array();
  for (const auto& g : snapshot.groups) {
    if (!rule_group.empty() && g.name != rule_group) continue;
    if (!file.empty() && g.file != file) continue;
    json rules = json::array();
    for (const auto& r : g.rules) {
      bool alerting = r.kind == rules::RuleSpec::Kind::kAlerting;
      if (type_filter == "alert" && !alerting) continue;
      if (type_filter == "record" && alerting) continue;
      if (!rule_name.empty() && r.name != rule_name) continue;
      json j;
      if (alerting) {
        j["state"] = r.state == rules::AlertState::kUnknown
                         ? "inactive"
                         : std::string(rules::AlertStateName(r.state));
      }
      j["name"] = r.name;
      j["query"] = r.query;
      if (alerting) {
        j["duration"] = r.duration_seconds;
        j["keepFiringFor"] = r.keep_firing_for_seconds;
      }
      j["labels"] = Pairs(r.labels);
      if (alerting) {
        j["annotations"] = Pairs(r.annotations);
        if (!exclude_alerts) {
          json alerts = json::array();
          for (const auto& a : r.alerts) alerts.push_back(AlertJson(a));
          j["alerts"] = std::move(alerts);
        }
      }
      j["health"] = r.health;
      j["lastError"] = r.last_error;
      j["evaluationTime"] = r.evaluation_seconds;
      j["lastEvaluation"] = ApiTimestamp(r.last_evaluation);
      j["type"] = alerting ? "alerting" : "recording";
      if (r.last_error.empty()) j.erase("lastError");
      // tocsin's mark (Prometheus has no such field; clients ignore unknown ones): the rule
      // reads further back than global.retention keeps.
      if (r.reads_past_retention) {
        j["readsPastRetention"] = true;
        j["lookbackSeconds"] = r.lookback_seconds;
      }
      rules.push_back(std::move(j));
    }
    if (rules.empty() && (!type_filter.empty() || !rule_name.empty())) continue;
    groups.push_back({{"name", g.name},
                      {"file", g.file},
                      {"rules", std::move(rules)},
                      {"interval", g.interval_seconds},
                      {"limit", g.limit},
                      {"evaluationTime", g.evaluation_seconds},
                      {"lastEvaluation", ApiTimestamp(g.last_evaluation)}});
  }
  return EncodeJson(json({{"groups", std::move(groups)}}));
}

std::string RulesDataJson(const rules::RulesSnapshot& snapshot, const std::string& type_filter,
                          bool exclude_alerts) {
  return RulesDataJson(snapshot, type_filter, exclude_alerts, "", "", "");
}

std::string AlertsDataJson(const rules::RulesSnapshot& snapshot) {
  json alerts = json::array();
  for (const auto& g : snapshot.groups) {
    for (const auto& r : g.rules) {
      for (const auto& a : r.alerts) alerts.push_back(AlertJson(a));
    }
  }
  return EncodeJson(json({{"alerts", std::move(alerts)}}));
}

void RegisterRulesApi(HttpServer& server, RulesSnapshotFn snapshot) {
  server.Route("/api/v1/rules", {"GET", "POST"}, [snapshot](const ServerRequest& req) {
    std::string type = req.Param("type");
    if (!type.empty() && type != "alert" && type != "record") {
      return Json(400, {{"status", "error"},
                        {"errorType", "bad_data"},
                        {"error", "invalid query parameter type='" + type +
                                      "', must be one of 'alert' or 'record'"}});
    }
    std::string ex = req.Param("exclude_alerts");
    bool exclude = ex == "true" || ex == "1";
    const rules::RulesSnapshot snap = snapshot();
    std::string data = RulesDataJson(snap, type, exclude, req.Param("rule_name[]"),
                                     req.Param("rule_group[]"), req.Param("file[]"));
    json body = {{"status", "success"}, {"data", json::parse(data)}};
    // Prometheus's place for caveats of an answer: the response's `warnings`, which Grafana
    // shows.
    json warnings = json::array();
    for (const auto& g : snap.groups) {
      for (const auto& r : g.rules) {
        if (!r.reads_past_retention) continue;
        warnings.push_back("rule \"" + r.name + "\" in group \"" + g.name + "\" (" + g.file +
                           ") reads " +
                           FormatDuration(std::chrono::milliseconds(
                               static_cast<int64_t>(r.lookback_seconds * 1000))) +
                           " back, further than global.retention");
      }
    }
    if (!warnings.empty()) body["warnings"] = std::move(warnings);
    return Json(200, body);
  });
  server.Route("/api/v1/alerts", {"GET", "POST"}, [snapshot](const ServerRequest&) {
    return Json(200, {{"status", "success"}, {"data", json::parse(AlertsDataJson(snapshot()))}});
  });
}

}  // namespace tocsin
