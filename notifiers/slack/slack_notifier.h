// SlackNotifier: Slack incoming webhook with an Alertmanager-like default message: one
// attachment titled `[FIRING:n] …` (1024 runes max), colour danger/good, the alert list as
// text and the extra common labels as short fields. User text is mrkdwn-escaped (& < >) and
// kept inside Slack's limits by truncation (text 3000 chars, ≤ 10 fields of ≤ 2000 chars, whole
// body < 40000 bytes). The webhook URL is a secret (redacted in logs). The one-message-per-
// second limit is the dispatcher's rate limit (RateLimit()). Borrows HttpClient and Clock.
#pragma once

#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"

namespace tocsin {

inline constexpr size_t kSlackMaxTitleRunes = 1024;
inline constexpr size_t kSlackMaxTextChars = 3000;
inline constexpr size_t kSlackMaxFields = 10;
inline constexpr size_t kSlackMaxFieldChars = 2000;
inline constexpr size_t kSlackMaxBodyBytes = 40000;

// Slack mrkdwn escaping: & -> &amp;, < -> &lt;, > -> &gt;.
std::string SlackEscape(std::string_view s);

class SlackNotifier final : public Notifier {
 public:
  SlackNotifier(SlackConfig config, HttpClient& http, const Clock& clock);
  std::string_view Integration() const override { return "slack"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  std::string Render(const Notification& n) const;

 private:
  SlackConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

}  // namespace tocsin
