// SlackNotifier: Slack incoming webhook, the message Alertmanager's notify/slack builds: one
// attachment whose every text field is a notification template of SlackConfig (Alertmanager's
// defaults, or tocsin's inline ones), the title truncated to 1024 runes. A message over Slack's
// 40000-byte limit loses its fields, then has its text cut to 3000 characters. A template that
// fails to expand drops the notification (Alertmanager does not retry it either). The webhook
// URL is a secret (redacted in logs). The one-message-per-second limit is the dispatcher's rate
// limit (RateLimit()). Borrows HttpClient and Clock; shares the templates.
#pragma once

#include <memory>
#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"
#include "notifiers/template/notification_templates.h"

namespace tocsin {

inline constexpr size_t kSlackMaxTitleRunes = 1024;
inline constexpr size_t kSlackMaxTextChars = 3000;
inline constexpr size_t kSlackMaxBodyBytes = 40000;

class SlackNotifier final : public Notifier {
 public:
  SlackNotifier(
      SlackConfig config, HttpClient& http, const Clock& clock,
      std::shared_ptr<const NotificationTemplates> templates = NotificationTemplates::Default());
  std::string_view Integration() const override { return "slack"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  Result<std::string> Render(const Notification& n) const;

 private:
  SlackConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  std::shared_ptr<const NotificationTemplates> templates_;
};

}  // namespace tocsin
