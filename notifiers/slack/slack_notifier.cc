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
  // notify.TmplText: the first failure is kept and the message is not sent.
  FieldExpander expand(*templates_, n);
  json attachment = json::object();
  SetNonEmpty(attachment, "title", TruncateRunes(expand(config_.title), kSlackMaxTitleRunes));
  SetNonEmpty(attachment, "title_link", expand(config_.title_link));
  SetNonEmpty(attachment, "pretext", expand(config_.pretext));
  attachment["text"] = expand(config_.text);
  attachment["fallback"] = expand(config_.fallback);
  attachment["callback_id"] = expand(config_.callback_id);
  SetNonEmpty(attachment, "image_url", expand(config_.image_url));
  SetNonEmpty(attachment, "thumb_url", expand(config_.thumb_url));
  attachment["footer"] = expand(config_.footer);
  SetNonEmpty(attachment, "color", expand(config_.color));
  attachment["mrkdwn_in"] = config_.mrkdwn_in.empty()
                                ? std::vector<std::string>{"fallback", "pretext", "text"}
                                : config_.mrkdwn_in;
  if (!config_.fields.empty()) {
    json fields = json::array();
    for (const SlackFieldConfig& f : config_.fields) {
      json field = json::object();
      SetNonEmpty(field, "title", expand(f.title));
      SetNonEmpty(field, "value", expand(f.value));
      field["short"] = f.short_field.value_or(config_.short_fields);
      fields.push_back(std::move(field));
    }
    attachment["fields"] = std::move(fields);
  }
  if (!config_.actions.empty()) {
    json actions = json::array();
    for (const SlackActionConfig& a : config_.actions) {
      json action = json::object();
      SetNonEmpty(action, "type", expand(a.type));
      SetNonEmpty(action, "text", expand(a.text));
      SetNonEmpty(action, "url", expand(a.url));
      SetNonEmpty(action, "style", expand(a.style));
      SetNonEmpty(action, "name", expand(a.name));
      SetNonEmpty(action, "value", expand(a.value));
      if (a.confirm) {
        json confirm = json::object();
        SetNonEmpty(confirm, "text", expand(a.confirm->text));
        SetNonEmpty(confirm, "title", expand(a.confirm->title));
        SetNonEmpty(confirm, "ok_text", expand(a.confirm->ok_text));
        SetNonEmpty(confirm, "dismiss_text", expand(a.confirm->dismiss_text));
        action["confirm"] = std::move(confirm);
      }
      actions.push_back(std::move(action));
    }
    attachment["actions"] = std::move(actions);
  }
  json msg = json::object();
  SetNonEmpty(msg, "channel", expand(config_.channel));
  SetNonEmpty(msg, "username", expand(config_.username));
  SetNonEmpty(msg, "icon_emoji", expand(config_.icon_emoji));
  SetNonEmpty(msg, "icon_url", expand(config_.icon_url));
  if (config_.link_names) msg["link_names"] = true;
  if (!expand.status().ok()) return expand.status();
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
