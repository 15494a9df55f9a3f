// libFuzzer target for the Go text/template engine behind alert labels and annotations and
// notification templates: the input is parsed as Prometheus parses an alert template
// (ParseAlertTemplate) and as a plain template with any function name allowed, and every tree
// that parses is rendered with fixed alert data ($labels, $externalLabels, $externalURL, $value,
// and a `query` that answers two samples). It is also loaded as an Alertmanager `templates:`
// file and expanded as a notification field over a fixed group (template.Data with its KV and
// Alerts methods and time.Time values), with the default set, as a Slack title would be, and
// under html/template escaping as an email body is.
// Parsing and rendering must succeed or fail with a Status (never crash, throw, leak or hang),
// and what renders must be valid UTF-8 no longer than the renderer's output bound.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/utf8.h"
#include "notifiers/template/notification_templates.h"
#include "notifiers/template/template_data.h"
#include "rules/template/parser.h"
#include "rules/template/render.h"

namespace {

namespace tmpl = tocsin::rules::tmpl;

void RenderChecked(const tmpl::Tree& tree, const tmpl::AlertTemplateData& data) {
  tocsin::Result<std::string> out = tmpl::Render(tree, data);
  if (!out.ok()) return;
  if (out->size() > (1 << 20)) __builtin_trap();  // render.cc kMaxOutput
  if (!tocsin::ValidUtf8(*out)) __builtin_trap();
}

void ExpandChecked(const tocsin::NotificationTemplates& t, std::string_view text,
                   const tmpl::Value& data, bool html = false) {
  tocsin::Result<std::string> out = html ? t.ExpandHtml(text, data) : t.Expand(text, data);
  if (!out.ok()) return;
  if (out->size() > (1 << 20)) __builtin_trap();
  if (!tocsin::ValidUtf8(*out)) __builtin_trap();
}

const tmpl::Value& NotificationData() {
  static const tmpl::Value kData = [] {
    tocsin::Notification n;
    n.receiver = "team.db";
    n.group_labels = tocsin::Labels{{"alertname", "DiskFull"}};
    n.external_url = "http://am.example:9093";
    for (int i = 0; i < 2; ++i) {
      tocsin::Alert a;
      a.labels = tocsin::Labels{{"alertname", "DiskFull"},
                                {"instance", "db-" + std::to_string(i) + ":9100"},
                                {"severity", "critical"}};
      a.annotations = {{"summary", "disk \xe2\x80\x94 97% full"}, {"runbook", "https://r/x"}};
      a.starts_at = 1'714'564'700'000;
      a.ends_at = i == 0 ? 0 : 1'714'564'790'000;
      a.generator_url = "http://prom:9090/graph?g0.expr=up";
      n.alerts.push_back(a);
    }
    return tocsin::NotificationTemplateData(n);
  }();
  return kData;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const tocsin::Labels labels{{"alertname", "HighLoad"},
                                     {"instance", "db-1.example.com:9100"},
                                     {"job", "node"},
                                     {"severity", "warning"}};
  static const tocsin::Labels external{{"cluster", "eu-1"}, {"node", "db-1"}};
  tmpl::AlertTemplateData d;
  d.labels = &labels;
  d.external_labels = &external;
  d.external_url = "http://db-1:9469";
  d.value = 4.25;
  d.eval_time = 1'714'564'800'000;
  d.query = [](const std::string& expr,
               tocsin::TimestampMs) -> tocsin::Result<std::vector<tmpl::TemplateSample>> {
    if (expr.empty()) return tocsin::InvalidArgument("empty query");
    return std::vector<tmpl::TemplateSample>{
        {tocsin::Labels{{"__name__", "up"}, {"instance", "b:1"}}, 0},
        {tocsin::Labels{{"__name__", "up"}, {"instance", "a:1"}}, 1.5}};
  };

  if (auto tree = tmpl::ParseAlertTemplate(text, "HighLoad"); tree.ok()) RenderChecked(*tree, d);
  tmpl::ParseOptions options;
  options.predefined_vars = {"$labels", "$externalLabels", "$externalURL", "$value"};
  options.check_functions = false;
  if (auto tree = tmpl::Parse(text, "fuzz", options); tree.ok()) RenderChecked(*tree, d);

  const tmpl::Value& group = NotificationData();
  ExpandChecked(*tocsin::NotificationTemplates::Default(), text, group);
  ExpandChecked(*tocsin::NotificationTemplates::Default(), text, group, /*html=*/true);
  auto loaded = tocsin::NotificationTemplates::Load({{"/etc/am/fuzz.tmpl", std::string(text)}});
  if (loaded.ok()) {
    ExpandChecked(**loaded, R"({{ template "slack.default.title" . }})", group);
    ExpandChecked(**loaded, R"({{ template "__text_alert_list" .Alerts }})", group);
  }
  return 0;
}
