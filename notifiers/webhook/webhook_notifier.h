// WebhookNotifier: Alertmanager's webhook_config. POSTs the version-4 webhook JSON
// ({version, groupKey, truncatedAlerts, receiver, status, alerts, groupLabels, commonLabels,
// commonAnnotations, externalURL}) to a URL that is treated as a secret (redacted in logs).
// Borrows the HttpClient (must outlive it). One worker calls Send() at a time.
#pragma once

#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"

namespace tocsin {

class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(WebhookConfig config, HttpClient& http, const Clock& clock);
  std::string_view Integration() const override { return "webhook"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  // The request body (exposed for tests).
  std::string Render(const Notification& n) const;

 private:
  WebhookConfig config_;
  HttpClient& http_;
  const Clock& clock_;
};

}  // namespace tocsin
