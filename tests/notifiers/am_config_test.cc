// Alertmanager configuration files loaded as they are (`alerting.config_file`): the deprecated
// match forms, inhibit rules' source_/target_ match, time intervals (Alertmanager 0.25's
// ContainsTime, locations, negative days of month) and their effect on the dispatcher, and
// positioned errors for every Alertmanager key tocsin does not implement.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/config/loader.h"
#include "agent/core/matcher_parser.h"
#include "notifiers/dispatcher.h"
#include "notifiers/outcome.h"
#include "notifiers/time_interval.h"
#include "notifiers/webhook/webhook_notifier.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using namespace std::chrono_literals;

class NotifiersAmConfig : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TempDir("am-config"); }
  Result<Config> LoadAm(const std::string& am_yaml, const std::string& extra = "") {
    std::ofstream(dir_ + "/alertmanager.yml") << am_yaml;
    return LoadConfigString("alerting:\n  config_file: alertmanager.yml\n" + extra,
                            dir_ + "/tocsin.yml");
  }
  std::string dir_;
};

TEST_F(NotifiersAmConfig, DeprecatedMatchFormsBecomeMatchers) {
  auto c = LoadAm(R"(
global: {resolve_timeout: 2m}
route:
  receiver: a
  group_by: ['...']
  routes:
    - match: {severity: critical, team: db}
      match_re: {service: 'pg|redis'}
      matchers: ['env!="dev"']
      receiver: b
      continue: true
inhibit_rules:
  - source_match: {severity: critical}
    target_match_re: {severity: 'warning|info'}
    target_matchers: ['team="db"']
    equal: [instance]
receivers: [{name: a}, {name: b}]
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const AlertingConfig& a = c->alerting;
  EXPECT_EQ(a.resolve_timeout, 2min);
  ASSERT_EQ(a.route.routes.size(), 1u);
  const RouteConfig& r = a.route.routes[0];
  EXPECT_TRUE(r.continue_matching);
  EXPECT_EQ(MatchersKeyString(r.matchers),
            "{env!=\"dev\",service=~\"pg|redis\",severity=\"critical\",team=\"db\"}");
  ASSERT_EQ(a.inhibit_rules.size(), 1u);
  EXPECT_EQ(MatchersKeyString(a.inhibit_rules[0].source_matchers), "{severity=\"critical\"}");
  EXPECT_EQ(MatchersKeyString(a.inhibit_rules[0].target_matchers),
            "{severity=~\"warning|info\",team=\"db\"}");
  // match_re is anchored as Alertmanager anchors it.
  Labels partial({{"service", "pgbouncer"}, {"severity", "critical"}, {"team", "db"}});
  EXPECT_FALSE(MatchesAll(r.matchers, partial));
}

TEST_F(NotifiersAmConfig, ErrorsArePositionedInTheAlertmanagerFile) {
  auto c = LoadAm(R"(route:
  receiver: a
  routes:
    - receiver: nope
      frobnicate: true
receivers:
  - name: a
    discord_configs: [{webhook_url: 'https://discord.example/api/webhooks/1/x'}]
    slack_configs:
      - api_url: https://hooks.slack.com/services/x
        actions: [{type: button}]
)");
  ASSERT_FALSE(c.ok());
  std::string am = dir_ + "/alertmanager.yml";
  EXPECT_EQ(c.status().message(),
            am + ":4:17: route.routes[0].receiver: undefined receiver \"nope\" used in route\n" +
                am + ":5:7: route.routes[0].frobnicate: unknown key\n" + am +
                ":8:22: receivers[0].discord_configs: \"discord_configs\" is an Alertmanager "
                "setting tocsin does not implement\n" +
                am +
                ":11:19: receivers[0].slack_configs[0].actions[0].text: missing text in Slack "
                "action configuration\n" +
                am +
                ":11:19: receivers[0].slack_configs[0].actions[0]: missing name or url in "
                "Slack action configuration");
}

// global.http_config is inherited by integrations without their own; each integration's
// request carries its Authorization header, TLS settings and proxy.
TEST_F(NotifiersAmConfig, HttpConfigIsInheritedAndApplied) {
  std::ofstream(dir_ + "/token") << "s3cr3t-token\n";
  auto c = LoadAm(R"(global:
  http_config:
    basic_auth: {username: am, password: pw}
    tls_config: {ca_file: ca.pem, server_name: hooks.internal, min_version: TLS12}
    proxy_url: http://proxy.example:3128
route: {receiver: a}
receivers:
  - name: a
    webhook_configs:
      - url: https://hooks.example/inherits
      - url: https://hooks.example/own
        http_config:
          bearer_token_file: token
          tls_config: {insecure_skip_verify: true}
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& hooks = c->alerting.receivers.at(0).webhook_configs;
  ASSERT_EQ(hooks.size(), 2u);
  EXPECT_EQ(hooks[0].http_config.basic_auth_username, "am");
  EXPECT_EQ(hooks[0].http_config.tls.ca_file, dir_ + "/ca.pem");
  EXPECT_EQ(hooks[1].http_config.basic_auth_username, "");  // its own replaces the global one
  EXPECT_EQ(hooks[1].http_config.authorization_credentials.value, "s3cr3t-token");

  HttpRequest inherited;
  ApplyHttpClientConfig(hooks[0].http_config, inherited);
  ASSERT_EQ(inherited.headers.size(), 1u);
  EXPECT_EQ(inherited.headers[0].second, "Basic YW06cHc=");  // am:pw
  EXPECT_EQ(inherited.ca_file, dir_ + "/ca.pem");
  EXPECT_EQ(inherited.server_name, "hooks.internal");
  EXPECT_EQ(inherited.tls_min_version, "TLS12");
  EXPECT_EQ(inherited.proxy_url, "http://proxy.example:3128");
  EXPECT_TRUE(inherited.verify_tls);

  testing::RecordingHttpClient http;
  FakeClock clock(0);
  WebhookNotifier own(hooks[1], http, clock);
  Notification n;
  n.alerts.push_back(testing::MakeAlert({{"alertname", "A"}}, 1));
  ASSERT_EQ(own.Send(n).outcome, SendResult::Outcome::kOk);
  ASSERT_EQ(http.requests().size(), 1u);
  const HttpRequest sent = http.requests()[0];
  bool bearer = false;
  for (const auto& [k, v] : sent.headers)
    bearer |= k == "Authorization" && v == "Bearer s3cr3t-token";
  EXPECT_TRUE(bearer);
  EXPECT_FALSE(sent.verify_tls);
  EXPECT_EQ(sent.proxy_url, "");
}

TEST_F(NotifiersAmConfig, HttpConfigAndTemplateErrorsArePositioned) {
  auto c = LoadAm(R"(route: {receiver: a}
receivers:
  - name: a
    slack_configs:
      - api_url: https://hooks.slack.com/services/x
        title: '{{ .CommonLabels.alertname'
        text: '{{ humanize 3 }}'
        http_config:
          basic_auth: {username: u, password: p}
          bearer_token: t
          tls_config: {min_version: TLS9}
          oauth2: {client_id: x}
)");
  ASSERT_FALSE(c.ok());
  std::string am = dir_ + "/alertmanager.yml";
  EXPECT_EQ(c.status().message(),
            am + ":6:16: receivers[0].slack_configs[0].title: template: :1: unclosed action\n" +
                am +
                ":7:15: receivers[0].slack_configs[0].text: template: :1: function "
                "\"humanize\" not defined\n" +
                am +
                ":9:11: receivers[0].slack_configs[0].http_config: at most one of "
                "basic_auth, oauth2, bearer_token & bearer_token_file must be configured\n" +
                am +
                ":11:37: receivers[0].slack_configs[0].http_config.tls_config.min_version: "
                "unknown TLS version: TLS9\n" +
                am +
                ":12:19: receivers[0].slack_configs[0].http_config.oauth2: \"oauth2\" is an "
                "Alertmanager setting tocsin does not implement");
}

TEST_F(NotifiersAmConfig, TemplateFilesAreReadAndCheckedAtLoad) {
  std::filesystem::create_directories(dir_ + "/tmpl");
  std::ofstream(dir_ + "/tmpl/a.tmpl") << R"({{ define "x" }}ok{{ end }})";
  std::ofstream(dir_ + "/tmpl/b.tmpl") << "{{ define \"y\" }}\n{{ if }}{{ end }}";
  auto c = LoadAm(
      "templates: ['tmpl/a.tmpl', 'nothing/*.tmpl']\nroute: {receiver: a}\n"
      "receivers: [{name: a}]\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->alerting.templates.size(), 1u);
  EXPECT_EQ(c->alerting.templates[0].path, dir_ + "/tmpl/a.tmpl");
  c = LoadAm("templates: ['tmpl/*.tmpl']\nroute: {receiver: a}\nreceivers: [{name: a}]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), dir_ +
                                      "/alertmanager.yml:1:12: templates: template: "
                                      "b.tmpl:2: missing value for if");
}

TEST_F(NotifiersAmConfig, TocsinExtensionsAreRefusedInAnAlertmanagerFile) {
  auto c = LoadAm(R"(route: {receiver: a}
receivers:
  - name: a
    log_configs: [{}]
    webhook_configs: [{url: 'http://x:1/', rate_limit: {per_second: 1}}]
)");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("receivers[0].log_configs: unknown key"), std::string::npos);
  EXPECT_NE(c.status().message().find("webhook_configs[0].rate_limit: unknown key"),
            std::string::npos);
}

TEST_F(NotifiersAmConfig, InlineAndFileAtOnceAndMissingFile) {
  auto both =
      LoadAm("route: {receiver: a}\nreceivers: [{name: a}]\n", "  receivers: [{name: a}]\n");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find(
                "tocsin.yml:3:14: alerting.receivers: cannot be set inline together with "
                "alerting.config_file"),
            std::string::npos)
      << both.status().message();
  auto missing =
      LoadConfigString("alerting: {config_file: nothing-here.yml}\n", dir_ + "/tocsin.yml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(
      missing.status().message().find("alerting.config_file: cannot read Alertmanager config"),
      std::string::npos);
  auto no_route = LoadAm("receivers: [{name: a}]\n");
  ASSERT_FALSE(no_route.ok());
  EXPECT_NE(no_route.status().message().find("route: no routes provided"), std::string::npos);
}

TEST_F(NotifiersAmConfig, TimeIntervalsParse) {
  auto c = LoadAm(R"(route:
  receiver: a
  routes: [{receiver: a, mute_time_intervals: [old], active_time_intervals: [new]}]
receivers: [{name: a}]
mute_time_intervals:
  - name: old
    time_intervals: [{weekdays: ['Saturday', 'sunday']}]
time_intervals:
  - name: new
    time_intervals:
      - times: [{start_time: '09:30', end_time: '24:00'}]
        days_of_month: ['-3:-1', '7']
        months: ['january:3', 'December']
        years: ['2023']
        location: Europe/Berlin
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const auto& ti = c->alerting.time_intervals;
  ASSERT_EQ(ti.size(), 2u);
  ASSERT_EQ(ti.at("old")[0].weekdays.size(), 2u);
  EXPECT_EQ(ti.at("old")[0].weekdays[0].begin, 6);
  EXPECT_EQ(ti.at("old")[0].weekdays[1].end, 0);
  const TimeIntervalConfig& n = ti.at("new")[0];
  EXPECT_EQ(n.times[0].start_minute, 570);
  EXPECT_EQ(n.times[0].end_minute, 1440);
  EXPECT_EQ(n.days_of_month[0].begin, -3);
  EXPECT_EQ(n.months[0].end, 3);
  EXPECT_EQ(n.months[1].begin, 12);
  EXPECT_EQ(n.location, "Europe/Berlin");
  EXPECT_EQ(c->alerting.route.routes[0].mute_time_intervals, std::vector<std::string>{"old"});
}

// 2023-11-14T22:13:20Z is a Tuesday; in Berlin (CET, +1) it is 23:13.
constexpr TimestampMs kTuesdayUtc = 1'700'000'000'000;

TEST(NotifiersTimeInterval, ContainsTimeAsAlertmanager) {
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().ToString();
  TimeIntervalConfig evening;
  evening.times = {{23 * 60, 24 * 60}};
  EXPECT_FALSE(TimeIntervalContains(evening, nullptr, kTuesdayUtc));
  EXPECT_TRUE(TimeIntervalContains(evening, berlin->get(), kTuesdayUtc));

  TimeIntervalConfig weekdays;
  weekdays.weekdays = {{1, 5}};
  EXPECT_TRUE(TimeIntervalContains(weekdays, nullptr, kTuesdayUtc));
  weekdays.weekdays = {{3, 3}};
  EXPECT_FALSE(TimeIntervalContains(weekdays, nullptr, kTuesdayUtc));

  TimeIntervalConfig last_days;  // November has 30 days: -17 is the 14th
  last_days.days_of_month = {{-17, -17}};
  EXPECT_TRUE(TimeIntervalContains(last_days, nullptr, kTuesdayUtc));
  last_days.days_of_month = {{-16, -1}};
  EXPECT_FALSE(TimeIntervalContains(last_days, nullptr, kTuesdayUtc));
  last_days.days_of_month = {{31, 31}};  // begins after the month's end: skipped
  EXPECT_FALSE(TimeIntervalContains(last_days, nullptr, kTuesdayUtc));

  TimeIntervalConfig months_years;
  months_years.months = {{11, 12}};
  months_years.years = {{2020, 2023}};
  EXPECT_TRUE(TimeIntervalContains(months_years, nullptr, kTuesdayUtc));
  months_years.years = {{2024, 2025}};
  EXPECT_FALSE(TimeIntervalContains(months_years, nullptr, kTuesdayUtc));
}

// Alertmanager 0.25 counts a month's days as whole 24-hour spans between local midnights, so in
// Berlin March 2024 (31 days, one of them 23 hours) has 30: `-1` is March 30th there.
TEST(NotifiersTimeInterval, NegativeDaysOfMonthAcrossDstAsAlertmanager025) {
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok());
  TimeIntervalConfig last_day;
  last_day.days_of_month = {{-1, -1}};
  constexpr TimestampMs kMarch30Noon = 1'711'796'400'000;  // 2024-03-30T11:00:00Z
  constexpr TimestampMs kMarch31Noon = 1'711'882'800'000;  // 2024-03-31T11:00:00Z
  EXPECT_TRUE(TimeIntervalContains(last_day, berlin->get(), kMarch30Noon));
  EXPECT_FALSE(TimeIntervalContains(last_day, berlin->get(), kMarch31Noon));
  EXPECT_TRUE(TimeIntervalContains(last_day, nullptr, kMarch31Noon));  // UTC: 31 days
}

TEST(NotifiersTimeInterval, UnknownZoneIsAnError) {
  EXPECT_FALSE(TimeZone::Load("Mars/Base").ok());
  EXPECT_FALSE(TimeZone::Load("../../etc/passwd").ok());
  EXPECT_TRUE(TimeZone::Load("UTC").ok());
  EXPECT_TRUE(TimeZone::Load("Local").ok());
}

TEST(NotifiersTimeInterval, DispatcherMutesAndActivatesRoutes) {
  FakeClock clock(kTuesdayUtc);
  testing::RecordingHttpClient http;
  AlertingConfig c;
  c.route.receiver = "hook";
  c.route.group_by = std::vector<std::string>{"alertname"};
  ReceiverConfig hook;
  hook.name = "hook";
  WebhookConfig w;
  w.url.value = "http://hooks.test/hook";
  hook.webhook_configs.push_back(w);
  c.receivers.push_back(hook);
  TimeIntervalConfig tuesday;
  tuesday.weekdays = {{2, 2}};
  TimeIntervalConfig wednesday;
  wednesday.weekdays = {{3, 3}};
  c.time_intervals["tuesday"] = {tuesday};
  c.time_intervals["wednesday"] = {wednesday};
  RouteConfig muted;
  muted.matchers = *ParseMatchers("alertname=\"Muted\"");
  muted.mute_time_intervals = {"tuesday"};
  RouteConfig inactive;
  inactive.matchers = *ParseMatchers("alertname=\"Inactive\"");
  inactive.active_time_intervals = {"wednesday"};
  RouteConfig active;
  active.matchers = *ParseMatchers("alertname=\"Active\"");
  active.active_time_intervals = {"tuesday"};
  c.route.routes = {muted, inactive, active};
  auto d = Dispatcher::Create(c, {}, clock, http);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  TimestampMs until = kTuesdayUtc + 3 * 3600'000;
  (*d)->Receive({testing::MakeAlert({{"alertname", "Muted"}}, kTuesdayUtc, until),
                 testing::MakeAlert({{"alertname", "Inactive"}}, kTuesdayUtc, until),
                 testing::MakeAlert({{"alertname", "Active"}}, kTuesdayUtc, until)});
  clock.Advance(30s);
  (*d)->Tick();
  while ((*d)->ProcessDeliveriesOnce() > 0) {
  }
  std::vector<std::string> sent;
  for (const auto& body : http.Bodies()) sent.push_back(body["commonLabels"]["alertname"]);
  EXPECT_EQ(sent, std::vector<std::string>{"Active"});
}

}  // namespace
}  // namespace tocsin
