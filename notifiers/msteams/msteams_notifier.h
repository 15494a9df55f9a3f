// MsTeamsNotifier: a Microsoft Teams incoming webhook (Office 365 connector), the MessageCard
// Alertmanager 0.26's notify/msteams posts: {"@context": "http://schema.org/extensions",
// "type": "MessageCard", "title", "text", "themeColor"} with title and text notification
// templates (msteams.default.title / .text) and the colour red while firing, green once
// resolved. A template that fails to expand drops the notification. The webhook URL is a
// secret (redacted in logs). Borrows HttpClient and Clock; shares the templates. One worker at
// a time.
#pragma once

#include <memory>
#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"
#include "notifiers/template/notification_templates.h"

namespace tocsin {

class MsTeamsNotifier final : public Notifier {
 public:
  MsTeamsNotifier(
      MsTeamsConfig config, HttpClient& http, const Clock& clock,
      std::shared_ptr<const NotificationTemplates> templates = NotificationTemplates::Default());
  std::string_view Integration() const override { return "msteams"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  Result<std::string> Render(const Notification& n) const;

 private:
  MsTeamsConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  std::shared_ptr<const NotificationTemplates> templates_;
};

}  // namespace tocsin
