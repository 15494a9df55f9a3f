// Pure formatting and parsing: matchers, hashes, times, Retry-After, outcome classification,
// and the PagerDuty / Slack / webhook / Alertmanager request bodies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/core/matcher_parser.h"
#include "notifiers/alertmanager/alertmanager_forwarder.h"
#include "notifiers/msteams/msteams_notifier.h"
#include "notifiers/opsgenie/opsgenie_notifier.h"
#include "notifiers/outcome.h"
#include "notifiers/pagerduty/pagerduty_notifier.h"
#include "notifiers/sha256.h"
#include "notifiers/slack/slack_notifier.h"
#include "notifiers/template/notification_templates.h"
#include "notifiers/template/template_data.h"
#include "notifiers/webhook/webhook_notifier.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using testing::MakeAlert;

TEST(NotifiersMatcherParser, ParsesAlertmanagerForms) {
  struct Case {
    std::string text;
    std::string name;
    MatchOp op;
    std::string value;
  };
  std::vector<Case> cases = {
      {"severity=\"critical\"", "severity", MatchOp::kEqual, "critical"},
      {"severity=~\"crit.*\"", "severity", MatchOp::kRegexMatch, "crit.*"},
      {"a!=b", "a", MatchOp::kNotEqual, "b"},
      {"  job !~ \"api|db\" ", "job", MatchOp::kRegexNoMatch, "api|db"},
      {"msg=\"say \\\"hi\\\"\"", "msg", MatchOp::kEqual, "say \"hi\""},
      {"empty=\"\"", "empty", MatchOp::kEqual, ""},
  };
  for (const Case& c : cases) {
    auto m = ParseMatcher(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status().ToString();
    EXPECT_EQ(m->name(), c.name) << c.text;
    EXPECT_EQ(m->op(), c.op) << c.text;
    EXPECT_EQ(m->value(), c.value) << c.text;
  }
  auto set = ParseMatchers("{a=\"b,c\", d=~\"e|f\",}");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ((*set)[0].value(), "b,c");
  EXPECT_TRUE((*set)[1].Matches("f"));
  EXPECT_FALSE((*set)[1].Matches("ef"));  // anchored
  for (const char* bad : {"", "=x", "a", "a==", "a=\"x", "1a=b", "a=~\"(\"", "a=x\"y"}) {
    EXPECT_FALSE(ParseMatcher(bad).ok()) << bad;
  }
}

TEST(NotifiersMatcherParser, KeyStringIsAlertmanagers) {
  auto ms = ParseMatchers("{severity=\"page\", env=~\"prod\"}");
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(MatchersKeyString(*ms), "{env=~\"prod\",severity=\"page\"}");
  EXPECT_EQ(MatchersKeyString({}), "{}");
}

TEST(NotifiersHash, Sha256AndGroupKeyHash) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(std::string(1000, 'a')).size(), 64u);
  // The Alertmanager example key (reference §2.6), checked with sha256sum.
  Notification n;
  n.group_key = "{}:{alertname=\"OtherAlert\"}";
  EXPECT_EQ(n.GroupKeyHash(), "5b36771f8f23627967c662113cc5caf04d02b2c632d350f78bcc3886e4626339");
}

TEST(NotifiersTime, Rfc3339RoundTrip) {
  EXPECT_EQ(FormatRfc3339(1714564800123), "2024-05-01T12:00:00.123Z");
  TimestampMs t = 0;
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00:00.123Z", &t));
  EXPECT_EQ(t, 1714564800123);
  ASSERT_TRUE(ParseRfc3339("2024-05-01T14:00:00+02:00", &t));
  EXPECT_EQ(t, 1714564800000);
  ASSERT_TRUE(ParseRfc3339("2024-05-01T12:00:00.123456789Z", &t));
  EXPECT_EQ(t, 1714564800123);
  EXPECT_FALSE(ParseRfc3339("2024-05-01 12:00", &t));
  EXPECT_FALSE(ParseRfc3339("2024-05-01T12:00:00", &t));
  EXPECT_EQ(FormatAlertTime(0), "0001-01-01T00:00:00Z");
}

TEST(NotifiersTime, GeneratorUrlIsPrometheus) {
  EXPECT_EQ(GeneratorUrl("http://db-1:9469/", "rate(x[5m]) > 0.5"),
            "http://db-1:9469/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+0.5&g0.tab=1");
}

TEST(NotifiersOutcome, RetryAfterSecondsAndHttpDate) {
  const TimestampMs now = 1445412480000;  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), now + 120000);
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), now);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), now + 30000);
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:28:30 GMT", now), now + 30000);
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:28:30 2015", now), now + 30000);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
}

TEST(NotifiersOutcome, Classification) {
  using O = SendResult::Outcome;
  struct Case {
    int status;
    O outcome;
  };
  for (Case c : std::vector<Case>{{200, O::kOk},
                                  {202, O::kOk},
                                  {204, O::kOk},
                                  {429, O::kRetry},
                                  {500, O::kRetry},
                                  {502, O::kRetry},
                                  {503, O::kRetry},
                                  {400, O::kDrop},
                                  {403, O::kDrop},
                                  {404, O::kDrop},
                                  {410, O::kDrop},
                                  {301, O::kDrop}}) {
    EXPECT_EQ(ClassifyHttpResponse(testing::Status(c.status), 0).outcome, c.outcome) << c.status;
  }
  HttpResponse refused;
  refused.error = "Couldn't connect to server";
  EXPECT_EQ(ClassifyHttpResponse(refused, 0).outcome, O::kRetry);
  HttpResponse timeout;
  timeout.timed_out = true;
  EXPECT_EQ(ClassifyHttpResponse(timeout, 0).outcome, O::kRetry);
  SendResult r = ClassifyHttpResponse(testing::Status(429, "", "7"), 1000);
  EXPECT_EQ(r.not_before, 8000);
  SendResult bad = ClassifyHttpResponse(testing::Status(400, "{\"errors\":[\"x\"]}"), 0);
  EXPECT_NE(bad.detail.find("HTTP 400"), std::string::npos);
  EXPECT_NE(bad.detail.find("errors"), std::string::npos);
}

TEST(NotifiersRedact, UrlsLoseTheirSecrets) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T1/B2/sekrit"),
            "https://hooks.slack.com/<redacted>");
  EXPECT_EQ(RedactUrl("http://user:pw@host:80/x?y"), "http://<redacted>@host:80/<redacted>");
  EXPECT_EQ(RedactUrl("http://host:80"), "http://host:80");
}

Notification TwoAlertGroup() {
  Notification n;
  n.receiver = "oncall";
  n.group_key = "{}/{severity=\"critical\"}:{alertname=\"HighLatency\"}";
  n.group_labels = Labels{{"alertname", "HighLatency"}};
  n.created_at = 1714564800000;
  n.external_url = "http://tocsin.example:9469";
  n.alerts.push_back(MakeAlert(
      {{"alertname", "HighLatency"}, {"severity", "critical"}, {"env", "prod"}, {"job", "api"}},
      1714564700000));
  n.alerts.push_back(MakeAlert(
      {{"alertname", "HighLatency"}, {"severity", "warning"}, {"env", "prod"}, {"job", "db"}},
      1714564700000, 1714564790000));
  return n;
}

TEST(NotifiersSubject, AlertmanagerDefault) {
  Notification n = TwoAlertGroup();
  EXPECT_EQ(Subject(n), "[FIRING:1] HighLatency (prod)");
  n.alerts.pop_back();
  EXPECT_EQ(Subject(n), "[FIRING:1] HighLatency (prod api critical)");
  n.alerts[0].ends_at = 5;
  EXPECT_EQ(Subject(n), "[RESOLVED] HighLatency (prod api critical)");
}

// Alertmanager's notifyV1 shape for a `service_key`: v1 endpoint, event_type, incident_key,
// details rendered as the default templates' text.
TEST(NotifiersPagerDuty, ServiceKeySendsEventsApiV1) {
  testing::RecordingHttpClient http;
  FakeClock clock(1714564800000);
  PagerDutyConfig c = TocsinPagerDutyConfig();
  c.service_key.value = "<team-X-key>";
  c.url = kPagerDutyV1Url;
  PagerDutyNotifier pd(c, http, clock);
  Notification n = TwoAlertGroup();
  ASSERT_EQ(pd.Send(n).outcome, SendResult::Outcome::kOk);
  ASSERT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(http.requests()[0].url, kPagerDutyV1Url);
  json ev = json::parse(http.requests()[0].body);
  EXPECT_EQ(ev["service_key"], "<team-X-key>");
  EXPECT_EQ(ev["event_type"], "trigger");
  EXPECT_EQ(ev["incident_key"], Sha256Hex(n.group_key));
  EXPECT_EQ(ev["description"], "[FIRING:1] HighLatency (prod)");
  EXPECT_EQ(ev["client"], "tocsin");
  EXPECT_EQ(ev["details"]["num_firing"], "1");
  EXPECT_EQ(ev["details"]["num_resolved"], "1");
  std::string firing = ev["details"]["firing"];
  EXPECT_TRUE(firing.starts_with("Labels:\n - alertname = HighLatency\n")) << firing;
  EXPECT_NE(firing.find("Annotations:\n - summary = "), std::string::npos) << firing;
  EXPECT_NE(firing.find("\nSource: http"), std::string::npos) << firing;
  EXPECT_FALSE(ev.contains("routing_key"));
  // Go's pagerDutyMessage always has these two (no omitempty): null and "".
  EXPECT_TRUE(ev["payload"].is_null());
  EXPECT_EQ(ev["event_action"], "");
  for (Alert& a : n.alerts) a.ends_at = a.ends_at == 0 ? 1714564700000 : a.ends_at;
  ASSERT_EQ(pd.Send(n).outcome, SendResult::Outcome::kOk);
  json resolve = json::parse(http.requests()[1].body);
  EXPECT_EQ(resolve["event_type"], "resolve");
  EXPECT_FALSE(resolve.contains("client"));
}

TEST(NotifiersPagerDuty, TriggerEvent) {
  testing::RecordingHttpClient http;
  FakeClock clock(1714564800000);
  PagerDutyConfig c = TocsinPagerDutyConfig();
  c.routing_key.value = testing::kRoutingKey;
  c.url = "https://events.eu.pagerduty.com/v2/enqueue";
  c.component = "api";
  c.group = "{{ .CommonLabels.env }}";
  c.class_name = "latency";
  c.client_url = "{{ .ExternalURL }}/alerts";
  c.links = {{"https://runbooks.example/{{ .CommonLabels.alertname }}", "runbook"},
             {"{{ .CommonLabels.nothing }}", "dropped: empty href"}};
  PagerDutyNotifier pd(c, http, clock);
  Notification n = TwoAlertGroup();
  ASSERT_EQ(pd.Send(n).outcome, SendResult::Outcome::kOk);
  ASSERT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(http.requests()[0].url, c.url);
  json ev = json::parse(http.requests()[0].body);
  EXPECT_EQ(ev["routing_key"], testing::kRoutingKey);
  EXPECT_EQ(ev["event_action"], "trigger");
  EXPECT_EQ(ev["dedup_key"], Sha256Hex(n.group_key));
  EXPECT_EQ(ev["client"], "tocsin");
  EXPECT_EQ(ev["client_url"], "http://tocsin.example:9469/alerts");
  EXPECT_EQ(ev["payload"]["summary"], "[FIRING:1] HighLatency (prod)");
  EXPECT_EQ(ev["payload"]["severity"], "critical");  // from the firing alert's label
  EXPECT_EQ(ev["payload"]["component"], "api");
  EXPECT_EQ(ev["payload"]["group"], "prod");
  EXPECT_EQ(ev["payload"]["class"], "latency");
  EXPECT_FALSE(ev["payload"]["source"].get<std::string>().empty());
  EXPECT_EQ(ev["payload"]["timestamp"], "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(ev["payload"]["custom_details"]["num_firing"], "1");
  EXPECT_EQ(ev["payload"]["custom_details"]["num_resolved"], "1");
  std::string firing = ev["payload"]["custom_details"]["firing"];
  EXPECT_NE(firing.find(" - job = api\n"), std::string::npos) << firing;
  std::string resolved = ev["payload"]["custom_details"]["resolved"];
  EXPECT_NE(resolved.find(" - job = db\n"), std::string::npos) << resolved;
  EXPECT_EQ(ev["links"],
            json::array({{{"href", "https://runbooks.example/HighLatency"}, {"text", "runbook"}}}));
  EXPECT_FALSE(ev.contains("images"));
}

// Alertmanager's DefaultPagerdutyConfig: client "Alertmanager" linking to its UI, the source
// defaulting to the client, no timestamp.
TEST(NotifiersPagerDuty, AlertmanagerDefaultEvent) {
  testing::RecordingHttpClient http;
  FakeClock clock(1714564800000);
  PagerDutyConfig c;
  c.routing_key.value = testing::kRoutingKey;
  c.source = c.client;
  c.severity = R"({{ if eq .CommonLabels.env "prod" }}critical{{ else }}info{{ end }})";
  PagerDutyNotifier pd(c, http, clock);
  json ev = json::parse(*pd.Render(TwoAlertGroup()));
  EXPECT_EQ(ev["client"], "Alertmanager");
  EXPECT_EQ(ev["client_url"], "http://tocsin.example:9469/#/alerts?receiver=oncall");
  EXPECT_EQ(ev["payload"]["source"], "Alertmanager");
  EXPECT_EQ(ev["payload"]["severity"], "critical");
  EXPECT_FALSE(ev["payload"].contains("timestamp"));
  EXPECT_FALSE(ev["payload"].contains("component"));

  c.details["broken"] = "{{ template \"nope\" . }}";
  PagerDutyNotifier broken(c, http, clock);
  EXPECT_FALSE(broken.Render(TwoAlertGroup()).ok());
  EXPECT_EQ(broken.Send(TwoAlertGroup()).outcome, SendResult::Outcome::kDrop);
}

TEST(NotifiersPagerDuty, ResolveSeverityMappingAndLimits) {
  testing::RecordingHttpClient http;
  FakeClock clock(0);
  PagerDutyConfig c;
  c.routing_key.value = testing::kRoutingKey;
  PagerDutyNotifier pd(c, http, clock);
  Notification n = TwoAlertGroup();
  n.alerts[0].ends_at = n.created_at - 1;
  json ev = json::parse(*pd.Render(n));
  EXPECT_EQ(ev["event_action"], "resolve");
  EXPECT_EQ(ev["dedup_key"].get<std::string>().size(), 64u);

  struct Case {
    std::string label;
    std::string want;
  };
  for (const Case& k : std::vector<Case>{{"critical", "critical"},
                                         {"page", "critical"},
                                         {"warning", "warning"},
                                         {"warn", "warning"},
                                         {"info", "info"},
                                         {"none", "info"},
                                         {"bogus", "error"},
                                         {"", "error"}}) {
    Notification one;
    one.group_key = "{}:{}";
    one.alerts.push_back(MakeAlert({{"alertname", "A"}, {"severity", k.label}}, 1));
    EXPECT_EQ(pd.SeverityFromLabels(one), k.want) << k.label;
  }
  PagerDutyConfig fixed = c;
  fixed.severity = "warning";
  EXPECT_EQ(
      json::parse(
          *PagerDutyNotifier(fixed, http, clock).Render(TwoAlertGroup()))["payload"]["severity"],
      "warning");

  // Summary: at most 1024 runes, counted as characters not bytes.
  Notification long_n = TwoAlertGroup();
  long_n.group_labels = Labels{{"alertname", std::string(3000, 'x')}};
  json ev2 = json::parse(*pd.Render(long_n));
  std::string summary = ev2["payload"]["summary"];
  EXPECT_EQ(summary.size(), 1023u + 3u);  // 1023 ASCII + "…" (3 bytes)
  long_n.group_labels = Labels{{"alertname", "\u00e9" + std::string(1100, 'y')}};
  summary = json::parse(*pd.Render(long_n))["payload"]["summary"];
  size_t runes = 0;
  for (unsigned char ch : summary) runes += (ch & 0xC0) != 0x80 ? 1 : 0;
  EXPECT_EQ(runes, kPagerDutyMaxSummaryRunes);
  EXPECT_NE(summary.find("\u00e9"), std::string::npos);

  // Over 512000 bytes: custom_details replaced, as in Alertmanager.
  Notification big = TwoAlertGroup();
  for (int i = 0; i < 400; ++i) {
    Alert a = MakeAlert({{"alertname", "HighLatency"}, {"i", std::to_string(i)}}, 1);
    a.annotations["description"] = std::string(2000, 'd');
    big.alerts.push_back(a);
  }
  std::string body = *pd.Render(big);
  EXPECT_LE(body.size(), kPagerDutyMaxEventBytes);
  json ev3 = json::parse(body);
  EXPECT_NE(ev3["payload"]["custom_details"]["error"].get<std::string>().find("removed"),
            std::string::npos);
}

// Alertmanager's DefaultSlackConfig through its default templates (config/notifiers.go,
// template/default.tmpl).
TEST(NotifiersSlack, AlertmanagerDefaultMessage) {
  testing::RecordingHttpClient http;
  FakeClock clock(0);
  SlackConfig c;
  c.api_url.value = "https://hooks.slack.com/services/T1/B2/secret";
  SlackNotifier slack(c, http, clock);
  EXPECT_FALSE(slack.SendResolved());
  EXPECT_EQ(slack.RateLimit().per_second, 1);
  Notification n = TwoAlertGroup();
  json msg = json::parse(*slack.Render(n));
  EXPECT_EQ(msg["username"], "Alertmanager");
  EXPECT_FALSE(msg.contains("channel"));
  ASSERT_EQ(msg["attachments"].size(), 1u);
  const json& a = msg["attachments"][0];
  EXPECT_EQ(a["title"], "[FIRING:1] HighLatency (prod)");
  EXPECT_EQ(a["title_link"], "http://tocsin.example:9469/#/alerts?receiver=oncall");
  EXPECT_EQ(a["fallback"],
            "[FIRING:1] HighLatency (prod) | http://tocsin.example:9469/#/alerts?receiver=oncall");
  EXPECT_EQ(a["text"], "");
  EXPECT_EQ(a["footer"], "");
  EXPECT_EQ(a["callback_id"], "");
  EXPECT_EQ(a["color"], "danger");
  EXPECT_EQ(a["mrkdwn_in"], json::array({"fallback", "pretext", "text"}));
  EXPECT_FALSE(a.contains("fields"));
  EXPECT_FALSE(a.contains("pretext"));
  n.alerts[0].ends_at = 1;
  json resolved = json::parse(*slack.Render(n));
  EXPECT_EQ(resolved["attachments"][0]["color"], "good");
  EXPECT_EQ(resolved["attachments"][0]["title"], "[RESOLVED] HighLatency (prod)");
  n.receiver = "team.a+b";  // regexp-quoted, then URL-escaped, as Alertmanager does
  EXPECT_EQ(json::parse(*slack.Render(n))["attachments"][0]["title_link"],
            "http://tocsin.example:9469/#/alerts?receiver=team%5C.a%5C%2Bb");
}

TEST(NotifiersSlack, CustomTemplatesAndFields) {
  testing::RecordingHttpClient http;
  FakeClock clock(0);
  auto templates = NotificationTemplates::Load(
      {{"/etc/am/slack.tmpl",
        R"({{ define "team.title" }}{{ .CommonLabels.alertname }} on {{ .CommonLabels.env }}{{ end }})"
        R"({{ define "team.text" }}{{ range .Alerts.Firing }}{{ .Labels.job }} since )"
        R"({{ .StartsAt.Format "15:04" }}
{{ end }}{{ end }})"}});
  ASSERT_TRUE(templates.ok()) << templates.status().message();
  SlackConfig c;
  c.api_url.value = "https://hooks.slack.com/services/T1/B2/secret";
  c.title = R"({{ template "team.title" . }})";
  c.text = R"({{ template "team.text" . }})";
  c.channel = R"(#{{ .CommonLabels.env }}-alerts)";
  c.fields = {{"Severity", R"({{ .CommonLabels.severity | toUpper }})", std::nullopt},
              {"Jobs", R"({{ range .Alerts }}{{ .Labels.job }} {{ end }})", true}};
  c.short_fields = false;
  SlackNotifier slack(c, http, clock, *templates);
  Notification n = TwoAlertGroup();
  json msg = json::parse(*slack.Render(n));
  EXPECT_EQ(msg["channel"], "#prod-alerts");
  const json& a = msg["attachments"][0];
  EXPECT_EQ(a["title"], "HighLatency on prod");
  EXPECT_EQ(a["text"], "api since 11:58\n");
  ASSERT_EQ(a["fields"].size(), 2u);
  EXPECT_EQ(a["fields"][0], json({{"title", "Severity"}, {"short", false}}));  // "" omitted
  EXPECT_EQ(a["fields"][1], json({{"title", "Jobs"}, {"value", "api db "}, {"short", true}}));

  // A template that fails to expand drops the notification with Go's message.
  c.title = R"({{ template "missing" . }})";
  SlackNotifier broken(c, http, clock, *templates);
  auto body = broken.Render(n);
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("no such template \"missing\""), std::string::npos)
      << body.status().message();
  EXPECT_EQ(broken.Send(n).outcome, SendResult::Outcome::kDrop);
}

// Found by go_template_fuzzer: a field without actions is still made valid UTF-8.
TEST(NotifiersTemplates, PlainTextIsValidUtf8) {
  auto data = NotificationTemplateData(TwoAlertGroup());
  auto out = NotificationTemplates::Default()->Expand("A -\xa0 {b", data);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "A -\xef\xbf\xbd {b");
  out = NotificationTemplates::Default()->Expand("{{ .Receiver }}\xff", data);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "oncall\xef\xbf\xbd");
}

// tocsin's inline dialect: a link to its own alert list and one escaped line per alert.
TEST(NotifiersSlack, TocsinDefaultMessageEscapedAndBounded) {
  testing::RecordingHttpClient http;
  FakeClock clock(0);
  SlackConfig c = TocsinSlackConfig();
  c.api_url.value = "https://hooks.slack.com/services/T1/B2/secret";
  c.channel = "#ops";
  SlackNotifier slack(c, http, clock);
  Notification n = TwoAlertGroup();
  n.alerts[0].annotations["summary"] = "p99 > 2s & <rising>";
  json msg = json::parse(*slack.Render(n));
  EXPECT_EQ(msg["channel"], "#ops");
  EXPECT_FALSE(msg.contains("username"));
  const json& a = msg["attachments"][0];
  EXPECT_EQ(a["title"], "[FIRING:1] HighLatency (prod)");
  EXPECT_EQ(a["title_link"], "http://tocsin.example:9469/alerts");
  EXPECT_EQ(a["fallback"], "[FIRING:1] HighLatency (prod) | http://tocsin.example:9469/alerts");
  EXPECT_EQ(a["text"],
            "*HighLatency* - p99 &gt; 2s &amp; &lt;rising&gt;\n"
            "    env=prod, job=api, severity=critical\n"
            "[resolved] *HighLatency* - summary of HighLatency\n"
            "    env=prod, job=db, severity=warning");

  Notification big = TwoAlertGroup();
  for (int i = 0; i < 500; ++i) {
    big.alerts.push_back(MakeAlert(
        {{"alertname", "HighLatency"}, {"i", std::to_string(i)}, {"x", std::string(100, '<')}}, 1));
  }
  std::string body = *slack.Render(big);
  EXPECT_LT(body.size(), kSlackMaxBodyBytes);
  std::string t2 = json::parse(body)["attachments"][0]["text"];
  EXPECT_LE(t2.size(), kSlackMaxTextChars + 3);  // + the UTF-8 ellipsis
  EXPECT_TRUE(t2.ends_with("\u2026")) << t2.substr(t2.size() - 20);
  EXPECT_EQ(t2.find("<"), std::string::npos);
}

// Alertmanager's DefaultOpsGenieConfig; update_alerts' PUTs; a failing request in the middle
// makes the whole notification retried; the API key is sent as GenieKey, never in a URL.
TEST(NotifiersOpsGenie, CreateUpdateCloseAndFailures) {
  testing::RecordingHttpClient http;
  FakeClock clock(0);
  OpsGenieConfig c;
  c.api_key.value = "genie-secret";
  c.api_url = "https://api.eu.opsgenie.com/";
  c.update_alerts = true;
  c.http_config.basic_auth_username = "ignored";  // the GenieKey header wins, as in Go
  OpsGenieNotifier og(c, http, clock);
  EXPECT_TRUE(og.SendResolved());
  Notification n = TwoAlertGroup();
  auto requests = og.Requests(n);
  ASSERT_TRUE(requests.ok()) << requests.status().message();
  ASSERT_EQ(requests->size(), 3u);
  const HttpRequest& create = (*requests)[0];
  EXPECT_EQ(create.method, "POST");
  EXPECT_EQ(create.url, "https://api.eu.opsgenie.com/v2/alerts");
  ASSERT_EQ(create.headers.size(), 2u);
  EXPECT_EQ(create.headers[1],
            (std::pair<std::string, std::string>{"Authorization", "GenieKey genie-secret"}));
  json body = json::parse(create.body);
  EXPECT_EQ(body["alias"], Sha256Hex(n.group_key));
  EXPECT_EQ(body["message"], "[FIRING:1] HighLatency (prod)");
  EXPECT_EQ(body["source"], "http://tocsin.example:9469/#/alerts?receiver=oncall");
  EXPECT_EQ(body["details"], json({{"alertname", "HighLatency"}, {"env", "prod"}}));
  std::string description = body["description"];
  EXPECT_NE(description.find("Alerts Firing:\nLabels:\n - alertname = HighLatency\n"),
            std::string::npos)
      << description;
  EXPECT_NE(description.find("Alerts Resolved:\n"), std::string::npos) << description;
  EXPECT_EQ((*requests)[1].method, "PUT");
  EXPECT_EQ((*requests)[1].url, "https://api.eu.opsgenie.com/v2/alerts/" + Sha256Hex(n.group_key) +
                                    "/message?identifierType=alias");
  EXPECT_EQ(json::parse((*requests)[2].body), json({{"description", description}}));

  http.Script(testing::Status(202));
  http.Script(testing::Status(503));
  EXPECT_EQ(og.Send(n).outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(http.requests().size(), 2u);  // stopped at the failure

  for (Alert& a : n.alerts) a.ends_at = a.ends_at == 0 ? 5 : a.ends_at;
  requests = og.Requests(n);
  ASSERT_TRUE(requests.ok());
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ((*requests)[0].url, "https://api.eu.opsgenie.com/v2/alerts/" + Sha256Hex(n.group_key) +
                                    "/close?identifierType=alias");

  c.message = "{{ .Nope.Field }}";
  EXPECT_EQ(OpsGenieNotifier(c, http, clock).Send(TwoAlertGroup()).outcome,
            SendResult::Outcome::kDrop);
}

// Alertmanager 0.26's MessageCard with its default templates, delivered to the local Teams
// connector fake (which refuses a card without text), a 429 retried.
TEST(NotifiersMsTeams, DefaultCardDeliveredAndRateLimitRetried) {
  testing::FakeServer teams("msteams_fake.py");
  ASSERT_TRUE(teams.Start()) << "msteams_fake.py did not start";
  CurlHttpClient http;
  FakeClock clock(0);
  MsTeamsConfig c;
  c.webhook_url.value = teams.Url("/webhookb2/11111111-2222@3333/IncomingWebhook/abc/4444");
  MsTeamsNotifier msteams(c, http, clock);
  EXPECT_TRUE(msteams.SendResolved());
  Notification n = TwoAlertGroup();
  json card = json::parse(*msteams.Render(n));
  EXPECT_EQ(card["@context"], "http://schema.org/extensions");
  EXPECT_EQ(card["type"], "MessageCard");
  EXPECT_EQ(card["title"], "[FIRING:1] HighLatency (prod)");
  EXPECT_EQ(card["themeColor"], "8C1A1A");
  std::string text = card["text"];
  EXPECT_TRUE(text.starts_with("\n\n# Alerts Firing:\n\nLabels:\n  - alertname = HighLatency\n"))
      << text;
  EXPECT_NE(text.find("# Alerts Resolved:\n"), std::string::npos) << text;
  ASSERT_EQ(msteams.Send(n).outcome, SendResult::Outcome::kOk);

  ASSERT_TRUE(teams.Faults(http, json::array({{{"status", 429}, {"count", 1}}})));
  EXPECT_EQ(msteams.Send(n).outcome, SendResult::Outcome::kRetry);
  // An empty text is refused by Teams as by the fake: dropped, not retried.
  c.text = "{{ if false }}x{{ end }}";
  EXPECT_EQ(MsTeamsNotifier(c, http, clock).Send(n).outcome, SendResult::Outcome::kDrop);
  for (Alert& a : n.alerts) a.ends_at = a.ends_at == 0 ? 5 : a.ends_at;
  EXPECT_EQ(json::parse(*msteams.Render(n))["themeColor"], "2DC72D");
  json received = teams.Received(http);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0]["status"], 200);
  EXPECT_EQ(received[2]["status"], 400);
}

TEST(NotifiersWebhook, Version4Message) {
  testing::RecordingHttpClient http;
  FakeClock clock(0);
  WebhookConfig c;
  c.url.value = "http://127.0.0.1:1/hook";
  c.max_alerts = 1;
  WebhookNotifier hook(c, http, clock);
  json m = json::parse(hook.Render(TwoAlertGroup()));
  EXPECT_EQ(m["version"], "4");
  EXPECT_EQ(m["groupKey"], TwoAlertGroup().group_key);
  EXPECT_EQ(m["truncatedAlerts"], 1);
  EXPECT_EQ(m["receiver"], "oncall");
  EXPECT_EQ(m["status"], "firing");
  EXPECT_EQ(m["groupLabels"], json({{"alertname", "HighLatency"}}));
  EXPECT_EQ(m["externalURL"], "http://tocsin.example:9469");
  ASSERT_EQ(m["alerts"].size(), 1u);
  const json& a = m["alerts"][0];
  for (const char* k :
       {"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}) {
    EXPECT_TRUE(a.contains(k)) << k;
  }
  EXPECT_EQ(a["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(a["fingerprint"].get<std::string>().size(), 16u);
  // As in Alertmanager, the template data is computed over the alerts that are sent.
  EXPECT_EQ(m["commonLabels"], m["alerts"][0]["labels"]);
}

TEST(NotifiersAlertmanager, PostableAlerts) {
  Alert firing = MakeAlert({{"alertname", "A"}}, 1714564800000, 1714565040000);
  Alert fresh = MakeAlert({{"alertname", "B"}}, 0, 0);
  json arr = json::parse(AlertmanagerAlertsJson({firing, fresh}));
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["labels"]["alertname"], "A");
  EXPECT_EQ(arr[0]["startsAt"], "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(arr[0]["endsAt"], "2024-05-01T12:04:00.000Z");
  EXPECT_EQ(arr[0]["generatorURL"], firing.generator_url);
  EXPECT_FALSE(arr[1].contains("startsAt"));
  EXPECT_FALSE(arr[1].contains("endsAt"));
}

}  // namespace
}  // namespace tocsin
