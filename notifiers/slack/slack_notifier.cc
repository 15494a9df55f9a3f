#include "notifiers/slack/slack_notifier.h"

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"
#include "notifiers/template/template_data.h"

namespace tocsin {

using nlohmann::json;

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

}  // namespace

SlackNotifier::SlackNotifier(SlackConfig config, HttpClient& http, const Clock& clock,
                             std::shared_ptr<const NotificationTemplates> templates)
    : config_(std::move(config)), http_(http), clock_(clock), templates_(std::move(templates)) {}

Result<std::string> SlackNotifier::Render(const Notification& n) const {
  const rules::tmpl::Value data = NotificationTemplateData(n);
  Status failed;
  // notify.TmplText: the first failure is kept and the message is not sent.
  auto expand = [&](const std::string& text) -> std::string {
    auto r = templates_->Expand(text, data);
    if (r.ok()) return std::move(r).value();
    if (failed.ok()) failed = r.status();
    return "";
  };
  // Go's omitempty: an empty string is left out.
  auto set_nonempty = [](json& obj, const char* key, std::string value) {
    if (!value.empty()) obj[key] = std::move(value);
  };
  json attachment = json::object();
  set_nonempty(attachment, "title", TruncateRunes(expand(config_.title), kSlackMaxTitleRunes));
  set_nonempty(attachment, "title_link", expand(config_.title_link));
  set_nonempty(attachment, "pretext", expand(config_.pretext));
  attachment["text"] = expand(config_.text);
  attachment["fallback"] = expand(config_.fallback);
  attachment["callback_id"] = expand(config_.callback_id);
  set_nonempty(attachment, "image_url", expand(config_.image_url));
  set_nonempty(attachment, "thumb_url", expand(config_.thumb_url));
  attachment["footer"] = expand(config_.footer);
  set_nonempty(attachment, "color", expand(config_.color));
  attachment["mrkdwn_in"] = config_.mrkdwn_in.empty()
                                ? std::vector<std::string>{"fallback", "pretext", "text"}
                                : config_.mrkdwn_in;
  if (!config_.fields.empty()) {
    json fields = json::array();
    for (const SlackFieldConfig& f : config_.fields) {
      json field = json::object();
      set_nonempty(field, "title", expand(f.title));
      set_nonempty(field, "value", expand(f.value));
      field["short"] = f.short_field.value_or(config_.short_fields);
      fields.push_back(std::move(field));
    }
    attachment["fields"] = std::move(fields);
  }
  if (!config_.actions.empty()) {
    json actions = json::array();
    for (const SlackActionConfig& a : config_.actions) {
      json action = json::object();
      set_nonempty(action, "type", expand(a.type));
      set_nonempty(action, "text", expand(a.text));
      set_nonempty(action, "url", expand(a.url));
      set_nonempty(action, "style", expand(a.style));
      set_nonempty(action, "name", expand(a.name));
      set_nonempty(action, "value", expand(a.value));
      if (a.confirm) {
        json confirm = json::object();
        set_nonempty(confirm, "text", expand(a.confirm->text));
        set_nonempty(confirm, "title", expand(a.confirm->title));
        set_nonempty(confirm, "ok_text", expand(a.confirm->ok_text));
        set_nonempty(confirm, "dismiss_text", expand(a.confirm->dismiss_text));
        action["confirm"] = std::move(confirm);
      }
      actions.push_back(std::move(action));
    }
    attachment["actions"] = std::move(actions);
  }
  json msg = json::object();
  set_nonempty(msg, "channel", expand(config_.channel));
  set_nonempty(msg, "username", expand(config_.username));
  set_nonempty(msg, "icon_emoji", expand(config_.icon_emoji));
  set_nonempty(msg, "icon_url", expand(config_.icon_url));
  if (config_.link_names) msg["link_names"] = true;
  if (!failed.ok()) return failed;
  msg["attachments"] = json::array({attachment});
  std::string body = EncodeJson(msg);
  if (body.size() > kSlackMaxBodyBytes) {
    msg["attachments"][0].erase("fields");
    body = EncodeJson(msg);
  }
  if (body.size() > kSlackMaxBodyBytes) {
    std::string text = msg["attachments"][0]["text"];
    msg["attachments"][0]["text"] = TruncateEscaped(text, kSlackMaxTextChars);
    body = EncodeJson(msg);
  }
  return body;
}

SendResult SlackNotifier::Send(const Notification& n) {
  Result<std::string> body = Render(n);
  if (!body.ok()) return SendResult::Drop("slack: " + body.status().message());
  return PostJson(http_, clock_, config_.api_url.value, std::move(body).value(), config_.timeout,
                  config_.http_config);
}

}  // namespace tocsin
