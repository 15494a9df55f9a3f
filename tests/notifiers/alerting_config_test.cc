// The `alerting:` section of the config file (agent/config/alerting_section.cc): every key,
// Alertmanager's defaults, secrets from files, and errors as `file:line:col: key: message`.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/config/loader.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using namespace std::chrono_literals;

class NotifiersAlertingConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir("alerting-config");
    std::ofstream(dir_ + "/pd") << testing::kRoutingKey << "\n";
    std::ofstream(dir_ + "/slack") << "https://hooks.slack.com/services/T1/B2/abc\n";
  }
  Result<Config> Load(const std::string& yaml) {
    return LoadConfigString(yaml, dir_ + "/tocsin.yml");
  }
  std::string dir_;
};

TEST_F(NotifiersAlertingConfig, DefaultIsTheLogReceiver) {
  auto c = Load("global: {interval: 15s}\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->alerting.route.receiver, "log");
  ASSERT_EQ(c->alerting.receivers.size(), 1u);
  EXPECT_EQ(c->alerting.receivers[0].log_configs.size(), 1u);
}

TEST_F(NotifiersAlertingConfig, FullSection) {
  auto c = Load(R"(
alerting:
  external_url: http://db-1:9469
  alertmanagers:
    - static_configs: [{targets: ['am-1:9093', 'am-2:9093']}]
      path_prefix: /am
      timeout: 5s
  route:
    receiver: slack-ops
    group_by: [alertname, instance]
    group_wait: 10s
    group_interval: 1m
    repeat_interval: 4h
    routes:
      - matchers: ['severity="critical"', 'team=~"db|cache"']
        receiver: pagerduty-oncall
        continue: true
        routes:
          - matchers: ['{env!="dev"}']
            group_by: ['...']
  inhibit_rules:
    - source_matchers: ['severity="critical"']
      target_matchers: ['severity="warning"']
      equal: [alertname, instance]
  receivers:
    - name: pagerduty-oncall
      pagerduty_configs:
        - routing_key_file: pd
          url: https://events.eu.pagerduty.com/v2/enqueue
          severity_map: {page: critical}
          component: postgres
          class: db
          rate_limit: {per_second: 1, burst: 5}
    - name: slack-ops
      slack_configs: [{api_url_file: slack, channel: '#ops', send_resolved: true}]
    - name: hooks
      webhook_configs: [{url: 'http://127.0.0.1:5001/', max_alerts: 10}]
    - name: log
      log_configs: [{}]
  delivery:
    queue_capacity: 500
    max_backoff: 1m
    breaker_failures: 3
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const AlertingConfig& a = c->alerting;
  EXPECT_EQ(a.external_url, "http://db-1:9469");
  ASSERT_EQ(a.alertmanagers.size(), 1u);
  EXPECT_EQ(a.alertmanagers[0].targets, (std::vector<std::string>{"am-1:9093", "am-2:9093"}));
  EXPECT_EQ(a.alertmanagers[0].path_prefix, "/am");
  EXPECT_EQ(a.alertmanagers[0].timeout, 5s);
  EXPECT_EQ(a.route.receiver, "slack-ops");
  EXPECT_EQ(a.route.group_wait, 10s);
  EXPECT_EQ(a.route.group_interval, 1min);
  ASSERT_EQ(a.route.routes.size(), 1u);
  EXPECT_EQ(a.route.routes[0].matchers.size(), 2u);
  EXPECT_TRUE(a.route.routes[0].continue_matching);
  EXPECT_FALSE(a.route.routes[0].group_wait.has_value());  // inherited at build time
  EXPECT_EQ(a.route.routes[0].routes[0].group_by, std::vector<std::string>{"..."});
  ASSERT_EQ(a.inhibit_rules.size(), 1u);
  EXPECT_EQ(a.inhibit_rules[0].equal, (std::vector<std::string>{"alertname", "instance"}));
  ASSERT_EQ(a.receivers.size(), 4u);
  const PagerDutyConfig& pd = a.receivers[0].pagerduty_configs.at(0);
  EXPECT_EQ(pd.routing_key.value, testing::kRoutingKey);
  EXPECT_EQ(pd.url, "https://events.eu.pagerduty.com/v2/enqueue");
  EXPECT_TRUE(pd.send_resolved);
  EXPECT_EQ(pd.severity_map.at("page"), "critical");
  EXPECT_EQ(pd.class_name, "db");
  EXPECT_EQ(pd.rate_limit.burst, 5);
  const SlackConfig& slack = a.receivers[1].slack_configs.at(0);
  EXPECT_EQ(slack.api_url.value, "https://hooks.slack.com/services/T1/B2/abc");
  EXPECT_TRUE(slack.send_resolved);
  EXPECT_EQ(slack.rate_limit.per_second, 1);
  EXPECT_EQ(a.receivers[2].webhook_configs.at(0).max_alerts, 10u);
  EXPECT_EQ(a.delivery.queue_capacity, 500u);
  EXPECT_EQ(a.delivery.breaker_failures, 3);
  std::ostringstream printed;
  printed << pd.routing_key;
  EXPECT_EQ(printed.str(), "<secret>");
}

TEST_F(NotifiersAlertingConfig, ForwardOnlyNeedsNoRoute) {
  auto c = Load("alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['am:9093']}]\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->alerting.route.receiver, "log");
  EXPECT_EQ(c->alerting.receivers.at(0).name, "log");
}

TEST_F(NotifiersAlertingConfig, Errors) {
  struct Case {
    std::string yaml;
    std::string error;  // a substring of the one-line error
  };
  std::vector<Case> cases = {
      {"alerting:\n  route: {receiver: nope}\n  receivers: [{name: a}]\n",
       "tocsin.yml:2:21: alerting.route.receiver: undefined receiver \"nope\""},
      {"alerting:\n  route: {receiver: a, matchers: ['x=y']}\n  receivers: [{name: a}]\n",
       "alerting.route.matchers: root route must not have any matchers"},
      {"alerting:\n  route:\n    receiver: a\n    routes: [{matchers: ['sev=~\"(\"']}]\n"
       "  receivers: [{name: a}]\n",
       "alerting.route.routes[0].matchers"},
      {"alerting:\n  route: {receiver: a, group_by: ['...', x]}\n  receivers: [{name: a}]\n",
       "alerting.route.group_by: cannot have wildcard group_by (`...`)"},
      {"alerting:\n  route: {receiver: a, group_interval: 0s}\n  receivers: [{name: a}]\n",
       "alerting.route.group_interval"},
      {"alerting:\n  route: {receiver: a}\n  receivers: [{name: a}, {name: a}]\n",
       "alerting.receivers: notification config name \"a\" is not unique"},
      {"alerting:\n  route: {receiver: a}\n  receivers: [{name: a, pagerduty_configs: [{}]}]\n",
       "alerting.receivers[0].pagerduty_configs[0]: missing service or routing key"},
      {"alerting:\n  route: {receiver: a}\n  receivers:\n    - name: a\n"
       "      pagerduty_configs: [{routing_key_file: slack}]\n",
       "must be 32 characters"},
      {"alerting:\n  route: {receiver: a}\n  receivers:\n    - name: a\n"
       "      pagerduty_configs: [{routing_key_file: pd, severity: high}]\n",
       "must be one of critical, error, warning, info"},
      {"alerting:\n  route: {receiver: a}\n  receivers: [{name: a, slack_configs: [{}]}]\n",
       "slack_configs[0]: no global Slack API URL set"},
      {"alerting:\n  route: {receiver: a}\n  receivers: [{name: a, webhook_configs: [{}]}]\n",
       "one of url or url_file is required"},
      {"alerting:\n  route: {receiver: a}\n  receivers: [{name: a, email_configs: [{}]}]\n",
       "alerting.receivers[0].email_configs[0].to: missing to address in email config"},
      {"alerting:\n  route: {receiver: a}\n  receivers: [{name: a, discord_configs: [{}]}]\n",
       "alerting.receivers[0].discord_configs: \"discord_configs\" is an Alertmanager setting "
       "tocsin does not implement"},
      {"alerting:\n  config_file: am.yml\n  route: {receiver: a}\n",
       "alerting.route: cannot be set inline together with alerting.config_file"},
      {"alerting:\n  route: {receiver: a, mute_time_intervals: [x]}\n  receivers: [{name: a}]\n",
       "alerting.route.mute_time_intervals: undefined time interval \"x\" used in route"},
      {"alerting:\n  time_intervals: [{name: x, time_intervals: [{weekdays: [funday]}]}]\n",
       "alerting.time_intervals[0].time_intervals[0].weekdays[0]: funday is not a valid weekday"},
      {"alerting:\n  time_intervals: [{name: x, time_intervals: [{days_of_month: ['-1:5']}]}]\n",
       "end day must be negative if start day is negative"},
      {"alerting:\n  time_intervals: [{name: x, time_intervals: [{location: Mars/Base}]}]\n",
       "location: unknown time zone Mars/Base"},
      {"alerting:\n  time_intervals:\n    - {name: x, time_intervals: [{times: [{start_time: "
       "'10:00', "
       "end_time: '09:00'}]}]}\n",
       "start time cannot be equal or greater than end time"},
      {"alerting:\n  alertmanagers: [{static_configs: [{targets: ['no-port']}]}]\n",
       "alerting.alertmanagers[0].static_configs[0].targets"},
      {"alerting:\n  routes: {}\n", "alerting.routes"},
      {"alerting:\n  inhibit_rules: [{source_matchers: ['a=b'], equal: ['1x']}]\n",
       "alerting.inhibit_rules[0].equal"},
  };
  for (const Case& k : cases) {
    auto c = Load(k.yaml);
    ASSERT_FALSE(c.ok()) << k.yaml;
    EXPECT_NE(c.status().message().find(k.error), std::string::npos)
        << k.yaml << "\n  got: " << c.status().message();
    EXPECT_EQ(c.status().message().find(testing::kRoutingKey), std::string::npos);
  }
}

}  // namespace
}  // namespace tocsin
