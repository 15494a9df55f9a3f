// Email parity with the real Alertmanager (Debian's prometheus-alertmanager 0.25): one
// alertmanager.yml with an email receiver on Alertmanager's defaults and one with custom
// headers, text and html templates (values that need HTML escaping, URLs in attributes). The
// real Alertmanager and tocsin (EmailNotifier over libcurl's SMTP) both send to
// tests/fakes/smtp_fake.py, which parses what arrives; the two messages must agree:
// envelope, EHLO name, every header but Message-Id and Date (the boundary aside), the parts'
// types and encodings, and their decoded bodies — byte for byte for custom templates; for the
// default html body (tocsin ships its own markup) the visible text and the links.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "agent/config/loader.h"
#include "agent/http_client/smtp_client.h"
#include "notifiers/email/email_notifier.h"
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

constexpr const char* kTemplates = R"tmpl(
{{ define "mail.subject" }}Störung: {{ .CommonLabels.alertname }} × {{ len .Alerts }} [{{ .Status }}]{{ end }}
{{ define "mail.text" }}{{ range .Alerts }}{{ .Status }}: {{ .Labels.instance }} — {{ .Annotations.summary }}
{{ end }}{{ end }}
{{ define "mail.html" -}}
<!DOCTYPE html>
<html><head><title>{{ template "mail.subject" . }}</title></head>
<body>
<!-- internal note: {{ .CommonLabels.team }} -->
<h1 class="{{ .Status }}">{{ .CommonLabels.alertname }} & co</h1>
<p>{{ .CommonAnnotations.summary }}</p>
<ul>
{{ range .Alerts -}}
<li><a href="{{ .GeneratorURL }}" title="{{ .Labels.instance }}">{{ .Labels.instance }}</a>
  <a href="https://runbooks.example/{{ .Labels.alertname }}?team={{ .Labels.team }}&q={{ .Annotations.summary }}">runbook</a>
  <a href="{{ .Annotations.dashboard }}">dashboard</a> {{ .Annotations.note | safeHtml }}</li>
{{ end -}}
</ul>
<p><a href="{{ template "__alertmanagerURL" . }}">{{ template "__alertmanager" . }}</a> 1 < 2</p>
</body></html>
{{- end }}
)tmpl";

std::string AlertmanagerYaml(int smtp_port, const std::string& templates_glob) {
  return "global:\n"
         "  smtp_smarthost: 127.0.0.1:" +
         std::to_string(smtp_port) +
         "\n"
         "  smtp_from: 'Alertmanager <am@example.org>'\n"
         "  smtp_require_tls: false\n"
         "templates: ['" +
         templates_glob +
         "']\n"
         "route:\n"
         "  receiver: mail.default\n"
         "  group_by: [alertname]\n"
         "  group_wait: 0s\n"
         "  group_interval: 1s\n"
         "  repeat_interval: 1h\n"
         "  routes:\n"
         "    - matchers: ['team=\"payments\"']\n"
         "      receiver: mail.custom\n"
         "receivers:\n"
         "  - name: mail.default\n"
         "    email_configs:\n"
         "      - to: 'ops@example.org, \"On Call, DBA\" <dba@example.org>'\n"
         "        send_resolved: true\n"
         "  - name: mail.custom\n"
         "    email_configs:\n"
         "      - to: '{{ .CommonLabels.team }}@example.org'\n"
         "        from: 'Payments Alerts <{{ .CommonLabels.team }}-alerts@example.org>'\n"
         "        send_resolved: true\n"
         "        headers:\n"
         "          subject: '{{ template \"mail.subject\" . }}'\n"
         "          X-Alert-Env: '{{ .CommonLabels.env | toUpper }}'\n"
         "          Reply-To: noc@example.org\n"
         "        text: '{{ template \"mail.text\" . }}'\n"
         "        html: '{{ template \"mail.html\" . }}'\n";
}

// The parts of an HTML body a reader sees: text outside tags (no head, no comments), with
// whitespace collapsed, and the links.
std::string VisibleText(std::string html) {
  html = std::regex_replace(html, std::regex("<head>[\\s\\S]*?</head>"), " ");
  html = std::regex_replace(html, std::regex("<!--[\\s\\S]*?-->"), " ");
  html = std::regex_replace(html, std::regex("<[^>]*>"), " ");
  html = std::regex_replace(html, std::regex("\\s+"), " ");
  size_t b = html.find_first_not_of(' ');
  size_t e = html.find_last_not_of(' ');
  return b == std::string::npos ? "" : html.substr(b, e - b + 1);
}
std::vector<std::string> Links(const std::string& html) {
  std::vector<std::string> out;
  std::regex href("href=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// What must agree between the two messages: everything but Message-Id, Date, the boundary,
// and (when `default_html`) the html part's markup.
json Comparable(const json& m, bool default_html) {
  json headers = json::object();
  for (const json& h : m["headers"]) {
    std::string name = h[0];
    if (name == "Message-Id" || name == "Date") continue;
    std::string value = h[1];
    if (name == "Content-Type") value = value.substr(0, value.find(';'));
    headers[name] = value;
  }
  json parts = json::array();
  for (const json& p : m["parts"]) {
    json part = {{"content_type", p["content_type"]},
                 {"charset", p["charset"]},
                 {"transfer_encoding", p["transfer_encoding"]}};
    std::string body = p["body"];
    if (default_html && p["content_type"] == "text/html") {
      part["visible_text"] = VisibleText(body);
      part["links"] = Links(body);
    } else {
      part["body"] = body;
    }
    parts.push_back(part);
  }
  return {{"mail_from", m["mail_from"]}, {"rcpt_to", m["rcpt_to"]}, {"helo", m["helo"]},
          {"headers", headers},          {"parts", parts},          {"status", m["status"]}};
}

class AlertmanagerEmailParity : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kAlertmanagerBinary))
        << "install the Debian package prometheus-alertmanager";
    ASSERT_TRUE(smtp_.Start()) << "smtp_fake.py did not start";
    HttpRequest info;
    info.method = "GET";
    info.url = smtp_.Url("/_control/info");
    HttpResponse resp = http_.Do(info);
    ASSERT_EQ(resp.status, 200);
    smtp_port_ = json::parse(resp.body)["smtp_port"].get<int>();
    dir_ = testing::TempDir("am-email");
    std::filesystem::create_directories(dir_ + "/templates");
    std::ofstream(dir_ + "/templates/mail.tmpl") << kTemplates;
    config_file_ = dir_ + "/alertmanager.yml";
    std::ofstream(config_file_) << AlertmanagerYaml(smtp_port_, dir_ + "/templates/*.tmpl");
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

  // Waits for Alertmanager's next message (after `seen` messages), then has tocsin send the
  // same notification to the same server; returns {alertmanager's, tocsin's}.
  std::pair<json, json> SendBoth(const Notification& n, size_t seen) {
    json all;
    bool arrived = testing::WaitFor([&] {
      all = smtp_.Received(http_);
      return all.size() > seen;
    });
    EXPECT_TRUE(arrived) << "Alertmanager sent nothing\n"
                         << testing::ReadFileOrEmpty(dir_ + "/alertmanager.log");
    if (!arrived) return {};
    json am = all[seen];
    const EmailConfig* config = nullptr;
    for (const ReceiverConfig& r : alerting_.receivers) {
      if (r.name == n.receiver) config = &r.email_configs.at(0);
    }
    EXPECT_NE(config, nullptr);
    if (config == nullptr) return {};
    CurlSmtpClient smtp;
    SendResult sent = EmailNotifier(*config, smtp, SystemClock::Instance(), templates_).Send(n);
    EXPECT_EQ(sent.outcome, SendResult::Outcome::kOk) << sent.detail;
    all = smtp_.Received(http_);
    EXPECT_EQ(all.size(), seen + 2);
    json ours = all.size() == seen + 2 ? all[seen + 1] : json();
    EXPECT_EQ(ours["problems"], json::array()) << ours["data"];
    return {am, ours};
  }

  testing::FakeServer smtp_{"smtp_fake.py"};
  testing::Child am_;
  CurlHttpClient http_;
  std::string dir_, config_file_;
  int port_ = 0;
  int smtp_port_ = 0;
  AlertingConfig alerting_;
  std::shared_ptr<const NotificationTemplates> templates_;
};

TEST_F(AlertmanagerEmailParity, DefaultTemplatesFiringAndResolved) {
  std::vector<TestAlert> alerts = {
      {Labels{{"alertname", "DiskFull"}, {"instance", "db-1:9100"}, {"severity", "critical"}},
       {{"summary", "disk <root> is 97% full & rising"}}},
      {Labels{{"alertname", "DiskFull"}, {"instance", "db-2:9100"}, {"severity", "critical"}},
       {{"summary", "disk /var is 99% full"}}},
  };
  TimestampMs starts = WholeSecondsAgo(120);
  Post(alerts, starts, 0);
  auto [am, ours] = SendBoth(Group("mail.default", "", alerts, starts, 0), 0);
  EXPECT_EQ(Comparable(ours, true), Comparable(am, true))
      << "tocsin:\n"
      << Comparable(ours, true).dump(1) << "\nalertmanager:\n"
      << Comparable(am, true).dump(1);
  EXPECT_EQ(Comparable(am, true)["headers"]["Subject"], "[FIRING:2] DiskFull (critical)");

  TimestampMs ends = WholeSecondsAgo(1);
  Post(alerts, starts, ends);
  auto [am_resolved, ours_resolved] = SendBoth(Group("mail.default", "", alerts, starts, ends), 2);
  EXPECT_EQ(Comparable(ours_resolved, true), Comparable(am_resolved, true))
      << "tocsin:\n"
      << Comparable(ours_resolved, true).dump(1) << "\nalertmanager:\n"
      << Comparable(am_resolved, true).dump(1);
}

TEST_F(AlertmanagerEmailParity, CustomHeadersTextAndEscapedHtml) {
  std::vector<TestAlert> alerts = {
      {Labels{{"alertname", "Checkout\"5xx\""},
              {"env", "prod"},
              {"instance", "api-1:8080"},
              {"team", "payments"}},
       {{"summary", "ratio > 5% & <rising>"},
        {"dashboard", "javascript:alert('x')"},
        {"note", "<b>bold</b> note"}}},
      {Labels{{"alertname", "Checkout\"5xx\""},
              {"env", "prod"},
              {"instance", "api-2:8080"},
              {"team", "payments"}},
       {{"summary", "ratio > 5% & <rising>"},
        {"dashboard", "https://grafana.example/d/api?var=a b"},
        {"note", "plain"}}},
  };
  TimestampMs starts = WholeSecondsAgo(300);
  Post(alerts, starts, 0);
  auto [am, ours] = SendBoth(Group("mail.custom", "team=\"payments\"", alerts, starts, 0), 0);
  EXPECT_EQ(Comparable(ours, false), Comparable(am, false))
      << "tocsin:\n"
      << Comparable(ours, false).dump(1) << "\nalertmanager:\n"
      << Comparable(am, false).dump(1);
  // The escaping is really exercised: an unsafe URL filtered, values escaped, safeHtml kept.
  std::string html = Comparable(am, false)["parts"][1]["body"];
  EXPECT_NE(html.find("href=\"#ZgotmplZ\""), std::string::npos) << html;
  EXPECT_NE(html.find("ratio &gt; 5% &amp; &lt;rising&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("<b>bold</b> note"), std::string::npos) << html;
  EXPECT_EQ(html.find("internal note"), std::string::npos) << html;

  TimestampMs ends = WholeSecondsAgo(1);
  Post(alerts, starts, ends);
  auto [am_resolved, ours_resolved] =
      SendBoth(Group("mail.custom", "team=\"payments\"", alerts, starts, ends), 2);
  EXPECT_EQ(Comparable(ours_resolved, false), Comparable(am_resolved, false))
      << "tocsin:\n"
      << Comparable(ours_resolved, false).dump(1) << "\nalertmanager:\n"
      << Comparable(am_resolved, false).dump(1);
}

}  // namespace
}  // namespace tocsin
