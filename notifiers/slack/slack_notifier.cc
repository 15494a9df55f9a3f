#include "notifiers/slack/slack_notifier.h"

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"

namespace tocsin {

using nlohmann::json;

std::string SlackEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// Truncates escaped text to `max` characters (runes) without cutting an entity in half.
std::string TruncateEscaped(const std::string& s, size_t max) {
  bool truncated = false;
  std::string out = TruncateRunes(s, max, &truncated);
  if (!truncated) return out;
  size_t amp = out.rfind('&');
  if (amp != std::string::npos && out.find(';', amp) == std::string::npos) {
    out = out.substr(0, amp) + "\u2026";
  }
  return out;
}

std::string AlertLine(const Alert& a) {
  std::string line =
      std::string(a.ends_at == 0 ? "" : "[resolved] ") + "*" + SlackEscape(a.Name()) + "*";
  for (const char* key : {"summary", "description", "message"}) {
    auto it = a.annotations.find(key);
    if (it != a.annotations.end() && !it->second.empty()) {
      line += " - " + SlackEscape(it->second);
      break;
    }
  }
  std::string labels;
  for (const Label& l : a.labels) {
    if (l.name == "alertname") continue;
    if (!labels.empty()) labels += ", ";
    labels += SlackEscape(l.name) + "=" + SlackEscape(l.value);
  }
  if (!labels.empty()) line += "\n    " + labels;
  return line;
}

}  // namespace

SlackNotifier::SlackNotifier(SlackConfig config, HttpClient& http, const Clock& clock)
    : config_(std::move(config)), http_(http), clock_(clock) {}

std::string SlackNotifier::Render(const Notification& n) const {
  std::string title = TruncateRunes(SlackEscape(Subject(n)), kSlackMaxTitleRunes);
  std::string title_link = config_.title_link;
  if (title_link.empty() && !n.external_url.empty()) {
    title_link = n.external_url + "/alerts";
  }
  // The alert list; stops with a "… and N more" line before the text limit.
  std::string text;
  size_t shown = 0;
  for (const Alert& a : n.alerts) {
    std::string line = AlertLine(a);
    std::string more = "\n\u2026 and " + std::to_string(n.alerts.size() - shown) + " more";
    if (text.size() + line.size() + 1 + more.size() > kSlackMaxTextChars) {
      if (shown == 0) {
        text = TruncateEscaped(line, kSlackMaxTextChars - more.size());
        ++shown;
      }
      if (shown < n.alerts.size()) {
        text += "\n\u2026 and " + std::to_string(n.alerts.size() - shown) + " more";
      }
      break;
    }
    if (!text.empty()) text += '\n';
    text += line;
    ++shown;
  }
  json fields = json::array();
  Labels common = n.CommonLabels();
  for (const Label& l : SortedPairs(common)) {
    if (n.group_labels.Has(l.name) || fields.size() >= kSlackMaxFields) continue;
    fields.push_back({{"title", TruncateEscaped(SlackEscape(l.name), kSlackMaxFieldChars)},
                      {"value", TruncateEscaped(SlackEscape(l.value), kSlackMaxFieldChars)},
                      {"short", true}});
  }
  json attachment{{"title", title},
                  {"text", text},
                  {"fallback", title + (title_link.empty() ? "" : " | " + title_link)},
                  {"color", n.Firing() ? "danger" : "good"},
                  {"mrkdwn_in", {"fallback", "pretext", "text"}}};
  if (!title_link.empty()) attachment["title_link"] = title_link;
  if (!fields.empty()) attachment["fields"] = fields;
  json msg{{"attachments", json::array({attachment})}};
  if (!config_.channel.empty()) msg["channel"] = config_.channel;
  if (!config_.username.empty()) msg["username"] = config_.username;
  if (!config_.icon_emoji.empty()) msg["icon_emoji"] = config_.icon_emoji;
  if (!config_.icon_url.empty()) msg["icon_url"] = config_.icon_url;
  if (config_.link_names) msg["link_names"] = true;
  std::string body = EncodeJson(msg);
  if (body.size() > kSlackMaxBodyBytes) {
    msg["attachments"][0].erase("fields");
    body = EncodeJson(msg);
  }
  return body;
}

SendResult SlackNotifier::Send(const Notification& n) {
  return PostJson(http_, clock_, config_.api_url.value, Render(n), config_.timeout);
}

}  // namespace tocsin
