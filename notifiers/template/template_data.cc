#include "notifiers/template/template_data.h"

#include <nlohmann/json.hpp>

#include "rules/template/go_time.h"
#include "rules/template/methods.h"

namespace tocsin {

namespace tmpl = rules::tmpl;

namespace {

// regexp.QuoteMeta: Alertmanager's Data.Receiver is the receiver name quoted for a regexp.
std::string QuoteMeta(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

tmpl::Value AlertValue(const Alert& a) {
  std::vector<Label> annotations;
  for (const auto& [k, v] : a.annotations) annotations.push_back({k, v});
  return tmpl::Value::Struct(
      tmpl::kAlertType,
      {{"Status", tmpl::Value::Str(a.ends_at == 0 ? "firing" : "resolved")},
       {"Labels", tmpl::Value::KV(a.labels)},
       {"Annotations", tmpl::Value::KV(Labels::FromUnsorted(std::move(annotations)))},
       {"StartsAt", tmpl::Value::Time(a.starts_at)},
       {"EndsAt", tmpl::Value::Time(a.ends_at == 0 ? tmpl::kGoZeroTimeMs : a.ends_at)},
       {"GeneratorURL", tmpl::Value::Str(a.generator_url)},
       {"Fingerprint", tmpl::Value::Str(a.FingerprintHex())}});
}

}  // namespace

tmpl::Value NotificationTemplateData(const Notification& n) {
  std::vector<tmpl::Value> alerts;
  alerts.reserve(n.alerts.size());
  for (const Alert& a : n.alerts) alerts.push_back(AlertValue(a));
  return tmpl::Value::Struct("*template.Data",
                             {{"Receiver", tmpl::Value::Str(QuoteMeta(n.receiver))},
                              {"Status", tmpl::Value::Str(n.Status())},
                              {"Alerts", tmpl::Value::List(tmpl::kAlertsType, std::move(alerts))},
                              {"GroupLabels", tmpl::Value::KV(n.group_labels)},
                              {"CommonLabels", tmpl::Value::KV(n.CommonLabels())},
                              {"CommonAnnotations", tmpl::Value::KV(n.CommonAnnotations())},
                              {"ExternalURL", tmpl::Value::Str(n.external_url)}});
}

std::string FieldExpander::operator()(const std::string& text) {
  auto r = templates_.Expand(text, data_);
  if (r.ok()) return std::move(r).value();
  if (failed_.ok()) failed_ = r.status();
  return "";
}

void SetNonEmpty(nlohmann::json& object, const char* key, std::string value) {
  if (!value.empty()) object[key] = std::move(value);
}

}  // namespace tocsin
