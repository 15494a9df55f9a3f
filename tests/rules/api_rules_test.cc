// /api/v1/rules and /api/v1/alerts data against the shapes in Prometheus's HTTP API docs
// (docs/querying/api.md "Rules" and "Alerts" examples).
#include "agent/http/api_rules.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tocsin {
namespace {

using nlohmann::json;

rules::RulesSnapshot Example() {
  rules::RulesSnapshot s;
  rules::GroupSnapshot g;
  g.name = "example";
  g.file = "/rules.yaml";
  g.interval_seconds = 60;
  g.last_evaluation = 1530728832606;
  g.evaluation_seconds = 0.002;
  rules::RuleSnapshot a;
  a.kind = rules::RuleSpec::Kind::kAlerting;
  a.name = "HighRequestLatency";
  a.query = "job:request_latency_seconds:mean5m{job=\"myjob\"} > 0.5";
  a.duration_seconds = 600;
  a.labels = {{"severity", "page"}};
  a.annotations = {{"summary", "High request latency"}};
  a.health = "ok";
  a.state = rules::AlertState::kFiring;
  rules::Alert al;
  al.state = rules::AlertState::kFiring;
  al.labels = Labels{{"alertname", "HighRequestLatency"}, {"severity", "page"}};
  al.annotations = Labels{{"summary", "High request latency"}};
  al.active_at = 1530728832606;
  al.value = 1;
  a.alerts = {al};
  rules::RuleSnapshot r;
  r.kind = rules::RuleSpec::Kind::kRecording;
  r.name = "job:http_inprogress_requests:sum";
  r.query = "sum by (job) (http_inprogress_requests)";
  r.health = "err";
  r.last_error = "boom";
  g.rules = {a, r};
  s.groups = {g};
  return s;
}

TEST(ApiRules, RulesShapeMatchesPrometheus) {
  json d = json::parse(RulesDataJson(Example(), "", false));
  ASSERT_EQ(d["groups"].size(), 1u);
  const json& g = d["groups"][0];
  EXPECT_EQ(g["name"], "example");
  EXPECT_EQ(g["file"], "/rules.yaml");
  EXPECT_EQ(g["interval"], 60);
  EXPECT_EQ(g["limit"], 0);
  EXPECT_EQ(g["lastEvaluation"], "2018-07-04T18:27:12.606Z");
  EXPECT_TRUE(g["evaluationTime"].is_number());
  const json& a = g["rules"][0];
  EXPECT_EQ(a["type"], "alerting");
  EXPECT_EQ(a["state"], "firing");
  EXPECT_EQ(a["duration"], 600);
  EXPECT_EQ(a["keepFiringFor"], 0);
  EXPECT_EQ(a["health"], "ok");
  EXPECT_EQ(a["labels"], json({{"severity", "page"}}));
  EXPECT_EQ(a["annotations"], json({{"summary", "High request latency"}}));
  EXPECT_EQ(a["alerts"][0],
            json({{"activeAt", "2018-07-04T18:27:12.606Z"},
                  {"annotations", {{"summary", "High request latency"}}},
                  {"labels", {{"alertname", "HighRequestLatency"}, {"severity", "page"}}},
                  {"state", "firing"},
                  {"value", "1e+00"}}));
  EXPECT_FALSE(a.contains("lastError"));
  const json& r = g["rules"][1];
  EXPECT_EQ(r["type"], "recording");
  EXPECT_EQ(r["health"], "err");
  EXPECT_EQ(r["lastError"], "boom");
  EXPECT_FALSE(r.contains("alerts"));
  EXPECT_FALSE(r.contains("state"));

  json only_rec = json::parse(RulesDataJson(Example(), "record", false));
  ASSERT_EQ(only_rec["groups"][0]["rules"].size(), 1u);
  EXPECT_EQ(only_rec["groups"][0]["rules"][0]["type"], "recording");
  json no_alerts = json::parse(RulesDataJson(Example(), "", true));
  EXPECT_FALSE(no_alerts["groups"][0]["rules"][0].contains("alerts"));
}

TEST(ApiRules, AlertsShapeMatchesPrometheus) {
  json d = json::parse(AlertsDataJson(Example()));
  ASSERT_EQ(d["alerts"].size(), 1u);
  EXPECT_EQ(d["alerts"][0]["state"], "firing");
  EXPECT_EQ(d["alerts"][0]["value"], "1e+00");
  EXPECT_EQ(d["alerts"][0]["labels"]["alertname"], "HighRequestLatency");
}

TEST(ApiRules, Timestamps) {
  EXPECT_EQ(ApiTimestamp(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(ApiTimestamp(1700000000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(ApiTimestamp(1700000000120), "2023-11-14T22:13:20.12Z");
}

}  // namespace
}  // namespace tocsin
