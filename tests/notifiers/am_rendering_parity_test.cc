// Rendering parity with the real Alertmanager (Debian's prometheus-alertmanager 0.25): one
// alertmanager.yml, with Alertmanager's default templates for one receiver and a `templates:`
// file of custom ones for another, is run by Alertmanager against the local Slack, PagerDuty
// and Opsgenie fakes; tocsin
// loads the same file through `alerting.config_file` and renders the same groups. The messages
// must be equal as JSON, field by field, firing and resolved, with no normalisation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/config/loader.h"
#include "agent/core/rfc3339.h"
#include "agent/http_client/http_client.h"
#include "notifiers/opsgenie/opsgenie_notifier.h"
#include "notifiers/pagerduty/pagerduty_notifier.h"
#include "notifiers/slack/slack_notifier.h"
#include "notifiers/template/notification_templates.h"
#include "tests/notifiers/am_parity_util.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
using testing::Group;
using testing::kAlertmanagerBinary;
using testing::kExternalUrl;
using testing::PostBody;
using testing::TestAlert;
using testing::WholeSecondsAgo;

// Custom templates exercising the data and the functions users reach for: ranges over
// .Alerts.Firing/.Resolved, SortedPairs, Remove, join, toUpper/toLower/title, match,
// reReplaceAll, stringSlice, index, len, printf, urlquery, StartsAt.Format and trim markers.
constexpr const char* kCustomTemplates = R"tmpl(
{{ define "team.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} on {{ .CommonLabels.env | title }}{{ end }}
{{ define "team.text" -}}
{{ range .Alerts.Firing }}* {{ .Labels.instance }} since {{ .StartsAt.Format "2006-01-02 15:04:05 MST" }}: {{ .Annotations.summary }}
{{ end -}}
{{ range .Alerts.Resolved }}* resolved {{ .Labels.instance }} {{ .StartsAt }} ({{ .Fingerprint }})
{{ end -}}
{{ with .CommonLabels.Remove (stringSlice "alertname" "env") }}common: {{ .SortedPairs.Names | join "," }}={{ .Values | join "," }}{{ end }}
{{ if match "^api" .CommonLabels.job }}api job {{ .CommonLabels.job | reReplaceAll "api-(.*)" "$1" | toLower }}{{ end }}
first: {{ (index .Alerts 0).Labels.instance }} of {{ len .Alerts }}; {{ printf "%d/%d" (len .Alerts.Firing) (len .Alerts.Resolved) }}
receiver={{ .Receiver | urlquery }} group={{ range .GroupLabels.SortedPairs }}{{ .Name }}:{{ .Value }} {{ end }}
{{- end }}
{{ define "team.username" }}{{ template "__alertmanager" . }} for {{ .Receiver }}{{ end }}
)tmpl";

constexpr const char* kPdDefaultKey = "0123456789abcdef0123456789abcdea";
constexpr const char* kPdCustomKey = "0123456789abcdef0123456789abcdeb";

constexpr const char* kOgDefaultKey = "og-default-key";
constexpr const char* kOgCustomKey = "og-custom-key";

std::string AlertmanagerYaml(const std::string& slack_base, const std::string& pd_base,
                             const std::string& og_base, const std::string& templates_glob) {
  return "global:\n"
         "  slack_api_url: " +
         slack_base +
         "/services/TAM/BAM/defaults\n"
         "templates: ['" +
         templates_glob +
         "']\n"
         "route:\n"
         "  receiver: defaults\n"
         "  group_by: [alertname]\n"
         "  group_wait: 0s\n"
         "  group_interval: 1s\n"
         "  repeat_interval: 1h\n"
         "  routes:\n"
         "    - matchers: ['team=\"payments\"']\n"
         "      receiver: team.payments\n"
         "    - matchers: ['pager=\"default\"']\n"
         "      receiver: pd.defaults\n"
         "    - matchers: ['pager=\"custom\"']\n"
         "      receiver: pd.custom\n"
         "    - matchers: ['genie=\"default\"']\n"
         "      receiver: og.defaults\n"
         "    - matchers: ['genie=\"custom\"']\n"
         "      receiver: og.custom\n"
         "receivers:\n"
         "  - name: defaults\n"
         "    slack_configs:\n"
         "      - send_resolved: true\n"
         "  - name: team.payments\n"
         "    slack_configs:\n"
         "      - api_url: " +
         slack_base +
         "/services/TAM/BAM/payments\n"
         "        send_resolved: true\n"
         "        channel: '#{{ .CommonLabels.env }}-alerts'\n"
         "        username: '{{ template \"team.username\" . }}'\n"
         "        icon_emoji: ':rotating_light:'\n"
         "        color: '{{ if eq .Status \"firing\" }}#D63232{{ else }}good{{ end }}'\n"
         "        title: '{{ template \"team.title\" . }}'\n"
         "        title_link: 'https://runbooks.example/{{ .CommonLabels.alertname }}'\n"
         "        pretext: '{{ len .Alerts.Firing }} firing'\n"
         "        text: '{{ template \"team.text\" . }}'\n"
         "        footer: 'env {{ .CommonLabels.env }}'\n"
         "        short_fields: true\n"
         "        fields:\n"
         "          - title: Severity\n"
         "            value: '{{ .CommonLabels.severity | toUpper }}'\n"
         "          - title: Instances\n"
         "            value: '{{ range .Alerts }}{{ .Labels.instance }} {{ end }}'\n"
         "            short: false\n"
         "        actions:\n"
         "          - type: button\n"
         "            text: 'Runbook {{ .CommonLabels.alertname }}'\n"
         "            url: 'https://runbooks.example/{{ .CommonLabels.alertname }}'\n"
         "            style: primary\n"
         "            name: cleared-for-a-link-button\n"
         "          - type: button\n"
         "            text: Silence\n"
         "            name: silence\n"
         "            value: '{{ .CommonLabels.alertname }}'\n"
         "            style: danger\n"
         "            confirm:\n"
         "              text: 'Silence {{ len .Alerts }} alerts?'\n"
         "              ok_text: 'Yes'\n"
         "  - name: pd.defaults\n"
         "    pagerduty_configs:\n"
         "      - routing_key: " +
         std::string(kPdDefaultKey) +
         "\n"
         "        url: " +
         pd_base +
         "/v2/enqueue\n"
         "  - name: pd.custom\n"
         "    pagerduty_configs:\n"
         "      - routing_key: " +
         std::string(kPdCustomKey) +
         "\n"
         "        url: " +
         pd_base +
         "/v2/enqueue\n"
         "        description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}'\n"
         "        severity: '{{ if eq .CommonLabels.severity \"page\" }}critical{{ else "
         "}}warning{{ end }}'\n"
         "        client: 'Ops {{ template \"__alertmanager\" . }}'\n"
         "        class: '{{ .CommonLabels.job }}'\n"
         "        component: storage\n"
         "        group: '{{ .CommonLabels.env }}'\n"
         "        details:\n"
         "          firing: '{{ template \"team.text\" . }}'\n"
         "          runbook: 'https://runbooks.example/{{ .CommonLabels.alertname }}'\n"
         "        links:\n"
         "          - href: 'https://grafana.example/d/{{ .CommonLabels.job }}'\n"
         "            text: dashboard\n"
         "          - href: '{{ .CommonLabels.missing }}'\n"
         "            text: dropped for its empty href\n"
         "        images:\n"
         "          - src: 'https://grafana.example/render/{{ .CommonLabels.alertname }}.png'\n"
         "            alt: graph\n"
         "  - name: og.defaults\n"
         "    opsgenie_configs:\n"
         "      - api_key: " +
         std::string(kOgDefaultKey) +
         "\n"
         "        api_url: " +
         og_base +
         "\n"
         "  - name: og.custom\n"
         "    opsgenie_configs:\n"
         "      - api_key: " +
         std::string(kOgCustomKey) +
         "\n"
         "        api_url: " +
         og_base +
         "/\n"
         "        update_alerts: true\n"
         "        message: '{{ .CommonLabels.alertname }} on {{ .CommonLabels.cluster }}'\n"
         "        description: '{{ template \"team.text\" . }}'\n"
         "        source: 'tocsin parity'\n"
         "        priority: '{{ if eq .CommonLabels.severity \"page\" }}P1{{ else }}P3{{ end }}'\n"
         "        tags: '{{ .CommonLabels.cluster }}, {{ .CommonLabels.alertname }},,'\n"
         "        actions: 'restart,  drain'\n"
         "        note: 'first: {{ (index .Alerts 0).Labels.instance }}'\n"
         "        entity: '{{ .CommonLabels.cluster }}'\n"
         "        details:\n"
         "          runbook: 'https://runbooks.example/{{ .CommonLabels.alertname }}'\n"
         "          severity: 'overridden {{ .CommonLabels.severity }}'\n"
         "        responders:\n"
         "          - name: 'dba, sre ,'\n"
         "            type: teams\n"
         "          - username: oncall@example.org\n"
         "            type: user\n"
         "          - name: '{{ .CommonLabels.escalation }}'\n"
         "            type: escalation\n"
         "          - id: '{{ .CommonLabels.missing }}'\n"
         "            type: '{{ .CommonLabels.missing }}'\n";
}

class AlertmanagerRenderingParity : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kAlertmanagerBinary))
        << "install the Debian package prometheus-alertmanager";
    ASSERT_TRUE(slack_.Start()) << "slack_fake.py did not start";
    ASSERT_TRUE(pagerduty_.Start()) << "pagerduty_fake.py did not start";
    ASSERT_TRUE(opsgenie_.Start()) << "opsgenie_fake.py did not start";
    dir_ = testing::TempDir("am-render");
    std::filesystem::create_directories(dir_ + "/templates");
    std::ofstream(dir_ + "/templates/team.tmpl") << kCustomTemplates;
    config_file_ = dir_ + "/alertmanager.yml";
    std::ofstream(config_file_) << AlertmanagerYaml(slack_.Url(""), pagerduty_.Url(""),
                                                    opsgenie_.Url(""), dir_ + "/templates/*.tmpl");
    port_ = testing::StartAlertmanager(am_, config_file_, dir_);
    ASSERT_NE(port_, 0) << testing::ReadFileOrEmpty(dir_ + "/alertmanager.log");

    Result<Config> config =
        LoadConfigString("alerting:\n  config_file: " + config_file_ + "\n", dir_ + "/tocsin.yml");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    alerting_ = config->alerting;
    auto templates = NotificationTemplates::Load(alerting_.templates);
    ASSERT_TRUE(templates.ok()) << templates.status().message();
    templates_ = *templates;
  }

  void Post(const std::vector<TestAlert>& alerts, TimestampMs starts_at, TimestampMs ends_at) {
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port_) + "/api/v2/alerts";
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = PostBody(alerts, starts_at, ends_at).dump();
    ASSERT_EQ(http_.Do(r).status, 200);
  }

  // The `index`th message Alertmanager sent to `fake` that `match` accepts, waiting for it.
  json Sent(testing::FakeServer& fake, const std::function<bool(const json&)>& match,
            size_t index) {
    json found;
    bool ok = testing::WaitFor([&] {
      size_t seen = 0;
      for (const json& req : fake.Received(http_)) {
        if (!match(req)) continue;
        if (seen++ == index) {
          found = req["json"];
          EXPECT_LT(req["status"].get<int>(), 300) << req.dump();  // the fake accepted it
          return true;
        }
      }
      return false;
    });
    EXPECT_TRUE(ok) << "no message " << index << "\n"
                    << testing::ReadFileOrEmpty(dir_ + "/alertmanager.log");
    return found;
  }
  json SentToSlack(const std::string& path, size_t index) {
    return Sent(
        slack_, [&](const json& req) { return req.value("path", "") == path; }, index);
  }
  json SentToPagerDuty(const std::string& routing_key, size_t index) {
    return Sent(
        pagerduty_,
        [&](const json& req) { return req["json"].value("routing_key", "") == routing_key; },
        index);
  }

  // Alertmanager's requests to Opsgenie with `key`, from the `first`th on, once `count` arrived:
  // {method, path, auth, json} each.
  json SentToOpsGenie(const std::string& key, size_t first, size_t count) {
    json out = json::array();
    bool ok = testing::WaitFor([&] {
      out = json::array();
      size_t seen = 0;
      for (const json& req : opsgenie_.Received(http_)) {
        if (req.value("auth", "") != "GenieKey " + key || seen++ < first) continue;
        EXPECT_EQ(req["status"], 202) << req.dump();  // the fake accepted it as Opsgenie would
        out.push_back({{"method", req["method"]},
                       {"path", req["path"]},
                       {"auth", req["auth"]},
                       {"json", req["json"]}});
      }
      return out.size() >= count;
    });
    EXPECT_TRUE(ok) << "Opsgenie saw " << out.size() << " of " << count << "\n"
                    << testing::ReadFileOrEmpty(dir_ + "/alertmanager.log");
    return out;
  }

  // tocsin's requests for the same notification, in the same shape.
  json RenderedOpsGenie(const Notification& n) {
    const ReceiverConfig* rc = Receiver(n.receiver);
    if (rc == nullptr || rc->opsgenie_configs.empty()) return json();
    testing::RecordingHttpClient unused;
    FakeClock clock(0);
    auto requests =
        OpsGenieNotifier(rc->opsgenie_configs[0], unused, clock, templates_).Requests(n);
    EXPECT_TRUE(requests.ok()) << requests.status().message();
    json out = json::array();
    if (!requests.ok()) return out;
    for (const HttpRequest& r : *requests) {
      std::string auth;
      for (const auto& [k, v] : r.headers) {
        if (k == "Authorization") auth = v;
      }
      out.push_back({{"method", r.method},
                     {"path", r.url.substr(opsgenie_.Url("").size())},
                     {"auth", auth},
                     {"json", json::parse(r.body)}});
    }
    return out;
  }

  const ReceiverConfig* Receiver(const std::string& name) {
    for (const ReceiverConfig& r : alerting_.receivers) {
      if (r.name == name) return &r;
    }
    ADD_FAILURE() << "no receiver " << name;
    return nullptr;
  }

  json Parsed(const Result<std::string>& body) {
    EXPECT_TRUE(body.ok()) << body.status().message();
    return body.ok() ? json::parse(*body) : json();
  }

  json RenderedSlack(const Notification& n) {
    const ReceiverConfig* rc = Receiver(n.receiver);
    if (rc == nullptr || rc->slack_configs.empty()) return json();
    testing::RecordingHttpClient unused;
    FakeClock clock(0);
    return Parsed(SlackNotifier(rc->slack_configs[0], unused, clock, templates_).Render(n));
  }

  json RenderedPagerDuty(const Notification& n) {
    const ReceiverConfig* rc = Receiver(n.receiver);
    if (rc == nullptr || rc->pagerduty_configs.empty()) return json();
    testing::RecordingHttpClient unused;
    FakeClock clock(0);
    return Parsed(PagerDutyNotifier(rc->pagerduty_configs[0], unused, clock, templates_).Render(n));
  }

  testing::FakeServer slack_{"slack_fake.py"};
  testing::FakeServer pagerduty_{"pagerduty_fake.py"};
  testing::FakeServer opsgenie_{"opsgenie_fake.py"};
  testing::Child am_;
  CurlHttpClient http_;
  std::string dir_, config_file_;
  int port_ = 0;
  AlertingConfig alerting_;
  std::shared_ptr<const NotificationTemplates> templates_;
};

TEST_F(AlertmanagerRenderingParity, DefaultTemplatesFiringAndResolved) {
  std::vector<TestAlert> alerts = {
      {Labels{{"alertname", "DiskFull"},
              {"env", "prod"},
              {"instance", "db-1:9100"},
              {"severity", "critical"}},
       {{"summary", "disk / is 97% full"}, {"runbook_url", "https://runbooks.example/disk"}}},
      {Labels{{"alertname", "DiskFull"},
              {"env", "prod"},
              {"instance", "db-2:9100"},
              {"severity", "critical"}},
       {{"summary", "disk /var is 99% full"}}},
  };
  TimestampMs starts = WholeSecondsAgo(120);
  Post(alerts, starts, 0);
  json am_firing = SentToSlack("/services/TAM/BAM/defaults", 0);
  EXPECT_EQ(RenderedSlack(Group("defaults", "", alerts, starts, 0)), am_firing);
  EXPECT_EQ(am_firing["attachments"][0]["title"], "[FIRING:2] DiskFull (prod critical)");

  TimestampMs ends = WholeSecondsAgo(1);
  Post(alerts, starts, ends);
  json am_resolved = SentToSlack("/services/TAM/BAM/defaults", 1);
  EXPECT_EQ(RenderedSlack(Group("defaults", "", alerts, starts, ends)), am_resolved);
  EXPECT_EQ(am_resolved["attachments"][0]["color"], "good");
}

TEST_F(AlertmanagerRenderingParity, CustomTemplatesFieldsAndFunctions) {
  std::vector<TestAlert> alerts = {
      {Labels{{"alertname", "ApiErrors"},
              {"env", "staging"},
              {"instance", "api-1:8080"},
              {"job", "api-Checkout"},
              {"severity", "warning"},
              {"team", "payments"}},
       {{"summary", "5xx ratio 7%"}}},
      {Labels{{"alertname", "ApiErrors"},
              {"env", "staging"},
              {"instance", "api-2:8080"},
              {"job", "api-Checkout"},
              {"severity", "warning"},
              {"team", "payments"}},
       {{"summary", "5xx ratio 9%"}}},
  };
  TimestampMs starts = WholeSecondsAgo(300);
  Post(alerts, starts, 0);
  json am_firing = SentToSlack("/services/TAM/BAM/payments", 0);
  json ours = RenderedSlack(Group("team.payments", "", alerts, starts, 0));
  EXPECT_EQ(ours, am_firing) << "tocsin:\n"
                             << ours.dump(2) << "\nalertmanager:\n"
                             << am_firing.dump(2);
  EXPECT_EQ(am_firing["username"], "Alertmanager for team\\.payments");

  TimestampMs ends = WholeSecondsAgo(1);
  Post(alerts, starts, ends);
  json am_resolved = SentToSlack("/services/TAM/BAM/payments", 1);
  ours = RenderedSlack(Group("team.payments", "", alerts, starts, ends));
  EXPECT_EQ(ours, am_resolved) << "tocsin:\n"
                               << ours.dump(2) << "\nalertmanager:\n"
                               << am_resolved.dump(2);
}

// Events API v2 events, equal as JSON: dedup_key (the group key's hash), summary, source,
// severity, class/component/group, custom_details, links and images.
TEST_F(AlertmanagerRenderingParity, PagerDutyDefaultAndCustomEvents) {
  std::vector<TestAlert> defaults = {
      {Labels{{"alertname", "NodeDown"},
              {"instance", "node-7:9100"},
              {"pager", "default"},
              {"severity", "page"}},
       {{"summary", "node-7 unreachable"}, {"description", "no scrape for 5m"}}},
  };
  std::vector<TestAlert> custom = {
      {Labels{{"alertname", "VolumeFull"},
              {"env", "prod"},
              {"instance", "st-1:9100"},
              {"job", "storage"},
              {"pager", "custom"},
              {"severity", "page"}},
       {{"summary", "volume 98% full"}}},
      {Labels{{"alertname", "VolumeFull"},
              {"env", "prod"},
              {"instance", "st-2:9100"},
              {"job", "storage"},
              {"pager", "custom"},
              {"severity", "page"}},
       {{"summary", "volume 98% full"}}},
  };
  TimestampMs starts = WholeSecondsAgo(60);
  Post(defaults, starts, 0);
  Post(custom, starts, 0);
  json am_default = SentToPagerDuty(kPdDefaultKey, 0);
  json ours = RenderedPagerDuty(Group("pd.defaults", "pager=\"default\"", defaults, starts, 0));
  EXPECT_EQ(ours, am_default) << "tocsin:\n"
                              << ours.dump(2) << "\nalertmanager:\n"
                              << am_default.dump(2);
  EXPECT_EQ(am_default["payload"]["summary"], "[FIRING:1] NodeDown (node-7:9100 default page)");

  json am_custom = SentToPagerDuty(kPdCustomKey, 0);
  ours = RenderedPagerDuty(Group("pd.custom", "pager=\"custom\"", custom, starts, 0));
  EXPECT_EQ(ours, am_custom) << "tocsin:\n"
                             << ours.dump(2) << "\nalertmanager:\n"
                             << am_custom.dump(2);
  EXPECT_EQ(am_custom["payload"]["severity"], "critical");
  EXPECT_EQ(am_custom["links"].size(), 1u);  // the empty href was dropped

  TimestampMs ends = WholeSecondsAgo(1);
  Post(custom, starts, ends);
  json am_resolved = SentToPagerDuty(kPdCustomKey, 1);
  ours = RenderedPagerDuty(Group("pd.custom", "pager=\"custom\"", custom, starts, ends));
  EXPECT_EQ(ours, am_resolved) << "tocsin:\n"
                               << ours.dump(2) << "\nalertmanager:\n"
                               << am_resolved.dump(2);
  EXPECT_EQ(am_resolved["event_action"], "resolve");
}

// Opsgenie: the create request (alias = the group key's hash, details = common labels plus the
// configured ones, responders with "teams" split and empty ones dropped, tags and actions
// split), update_alerts' two PUTs, and the close request, equal method by method.
TEST_F(AlertmanagerRenderingParity, OpsGenieCreateUpdateAndClose) {
  std::vector<TestAlert> defaults = {
      {Labels{{"alertname", "CacheCold"}, {"genie", "default"}, {"instance", "redis-1:6379"}},
       {{"summary", "hit rate 12%"}}},
  };
  std::vector<TestAlert> custom = {
      {Labels{{"alertname", "ReplicaLag"},
              {"cluster", "eu-1"},
              {"escalation", "db-escalation"},
              {"genie", "custom"},
              {"instance", "pg-2:5432"},
              {"severity", "page"}},
       {{"summary", "lag 45s"}}},
      {Labels{{"alertname", "ReplicaLag"},
              {"cluster", "eu-1"},
              {"escalation", "db-escalation"},
              {"genie", "custom"},
              {"instance", "pg-3:5432"},
              {"severity", "page"}},
       {{"summary", "lag 61s"}}},
  };
  TimestampMs starts = WholeSecondsAgo(90);
  Post(defaults, starts, 0);
  Post(custom, starts, 0);
  json am_default = SentToOpsGenie(kOgDefaultKey, 0, 1);
  json ours = RenderedOpsGenie(Group("og.defaults", "genie=\"default\"", defaults, starts, 0));
  EXPECT_EQ(ours, am_default) << "tocsin:\n"
                              << ours.dump(2) << "\nalertmanager:\n"
                              << am_default.dump(2);

  json am_custom = SentToOpsGenie(kOgCustomKey, 0, 3);
  ours = RenderedOpsGenie(Group("og.custom", "genie=\"custom\"", custom, starts, 0));
  EXPECT_EQ(ours, am_custom) << "tocsin:\n"
                             << ours.dump(2) << "\nalertmanager:\n"
                             << am_custom.dump(2);
  for (const json& req : am_custom) EXPECT_EQ(req["path"].get<std::string>().rfind("/v2/", 0), 0u);

  TimestampMs ends = WholeSecondsAgo(1);
  Post(custom, starts, ends);
  json am_close = SentToOpsGenie(kOgCustomKey, 3, 1);
  ours = RenderedOpsGenie(Group("og.custom", "genie=\"custom\"", custom, starts, ends));
  EXPECT_EQ(ours, am_close) << "tocsin:\n"
                            << ours.dump(2) << "\nalertmanager:\n"
                            << am_close.dump(2);
}

}  // namespace
}  // namespace tocsin
