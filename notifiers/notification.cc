#include "notifiers/notification.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/sha256.h"

namespace tocsin {

using nlohmann::json;

size_t Notification::NumFiring() const {
  return static_cast<size_t>(
      std::count_if(alerts.begin(), alerts.end(), [](const Alert& a) { return a.ends_at == 0; }));
}

Labels Notification::CommonLabels() const {
  if (alerts.empty()) return {};
  std::vector<Label> common = alerts.front().labels.pairs();
  for (size_t i = 1; i < alerts.size(); ++i) {
    std::erase_if(common, [&](const Label& l) { return alerts[i].labels.Get(l.name) != l.value; });
  }
  return Labels::FromSorted(std::move(common));
}

Labels Notification::CommonAnnotations() const {
  if (alerts.empty()) return {};
  std::map<std::string, std::string> common = alerts.front().annotations;
  for (size_t i = 1; i < alerts.size(); ++i) {
    std::erase_if(common, [&](const auto& kv) {
      auto it = alerts[i].annotations.find(kv.first);
      return it == alerts[i].annotations.end() || it->second != kv.second;
    });
  }
  std::vector<Label> pairs;
  for (auto& [k, v] : common) pairs.push_back({k, v});
  return Labels::FromUnsorted(std::move(pairs));
}

std::string Notification::GroupKeyHash() const { return Sha256Hex(group_key); }

std::vector<Label> SortedPairs(const Labels& labels) {
  std::vector<Label> out;
  for (const Label& l : labels) {
    if (l.name == "alertname") {
      out.insert(out.begin(), l);
    } else {
      out.push_back(l);
    }
  }
  return out;
}

std::string Subject(const Notification& n) {
  std::string out = "[";
  out += n.Firing() ? "FIRING:" + std::to_string(n.NumFiring()) : "RESOLVED";
  out += "] ";
  bool first = true;
  for (const Label& l : SortedPairs(n.group_labels)) {
    if (!first) out += ' ';
    out += l.value;
    first = false;
  }
  Labels common = n.CommonLabels();
  if (common.size() > n.group_labels.size()) {
    out += " (";
    first = true;
    for (const Label& l : SortedPairs(common)) {
      if (n.group_labels.Has(l.name)) continue;
      if (!first) out += ' ';
      out += l.value;
      first = false;
    }
    out += ')';
  }
  return out;
}

std::string FormatAlertTime(TimestampMs t) {
  return t == 0 ? "0001-01-01T00:00:00Z" : FormatRfc3339(t);
}

json LabelsToJson(const Labels& labels) {
  json out = json::object();
  for (const Label& l : labels) out[l.name] = l.value;
  return out;
}

json AlertToJson(const Alert& a) {
  json annotations = json::object();
  for (const auto& [k, v] : a.annotations) annotations[k] = v;
  return json{{"status", a.ends_at == 0 ? "firing" : "resolved"},
              {"labels", LabelsToJson(a.labels)},
              {"annotations", std::move(annotations)},
              {"startsAt", FormatAlertTime(a.starts_at)},
              {"endsAt", FormatAlertTime(a.ends_at)},
              {"generatorURL", a.generator_url},
              {"fingerprint", a.FingerprintHex()}};
}

json TemplateData(const Notification& n) {
  json alerts = json::array();
  for (const Alert& a : n.alerts) alerts.push_back(AlertToJson(a));
  return json{{"receiver", n.receiver},
              {"status", n.Status()},
              {"alerts", std::move(alerts)},
              {"groupLabels", LabelsToJson(n.group_labels)},
              {"commonLabels", LabelsToJson(n.CommonLabels())},
              {"commonAnnotations", LabelsToJson(n.CommonAnnotations())},
              {"externalURL", n.external_url}};
}

namespace {

json LabelsToArray(const Labels& labels) {
  json out = json::array();
  for (const Label& l : labels) out.push_back(json::array({l.name, l.value}));
  return out;
}

Labels LabelsFromArray(const json& j) {
  std::vector<Label> pairs;
  for (const json& p : j) pairs.push_back({p.at(0).get<std::string>(), p.at(1).get<std::string>()});
  return Labels::FromUnsorted(std::move(pairs));
}

}  // namespace

std::string NotificationToJsonString(const Notification& n) {
  json alerts = json::array();
  for (const Alert& a : n.alerts) {
    alerts.push_back(json{{"l", LabelsToArray(a.labels)},
                          {"a", a.annotations},
                          {"s", a.starts_at},
                          {"e", a.ends_at},
                          {"g", a.generator_url}});
  }
  json j{{"receiver", n.receiver},
         {"group_key", n.group_key},
         {"group_labels", LabelsToArray(n.group_labels)},
         {"alerts", std::move(alerts)},
         {"created_at", n.created_at},
         {"external_url", n.external_url}};
  return EncodeJson(j);
}

bool NotificationFromJsonString(const std::string& text, Notification* out) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  try {
    Notification n;
    n.receiver = j.at("receiver").get<std::string>();
    n.group_key = j.at("group_key").get<std::string>();
    n.group_labels = LabelsFromArray(j.at("group_labels"));
    n.created_at = j.at("created_at").get<TimestampMs>();
    n.external_url = j.at("external_url").get<std::string>();
    for (const json& a : j.at("alerts")) {
      Alert alert;
      alert.labels = LabelsFromArray(a.at("l"));
      alert.annotations = a.at("a").get<std::map<std::string, std::string>>();
      alert.starts_at = a.at("s").get<TimestampMs>();
      alert.ends_at = a.at("e").get<TimestampMs>();
      alert.generator_url = a.at("g").get<std::string>();
      n.alerts.push_back(std::move(alert));
    }
    *out = std::move(n);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

std::string TruncateRunes(std::string_view s, size_t max_runes, bool* truncated) {
  size_t runes = 0;
  size_t i = 0;
  size_t cut = std::string_view::npos;  // byte offset after max_runes - 1 runes
  while (i < s.size()) {
    if (runes == (max_runes > 0 ? max_runes - 1 : 0)) cut = i;
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 1;
    i += len;
    ++runes;
  }
  if (runes <= max_runes) {
    if (truncated) *truncated = false;
    return std::string(s);
  }
  if (truncated) *truncated = true;
  if (max_runes == 0) return "";
  return std::string(s.substr(0, cut)) + "\u2026";
}

}  // namespace tocsin
