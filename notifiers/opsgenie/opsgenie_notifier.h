// OpsGenieNotifier: the Opsgenie Alert API v2, as Alertmanager's notify/opsgenie calls it.
// While any alert of the group fires: POST <api_url>v2/alerts creating (or, for the same alias,
// de-duplicating into) an alert whose alias is the group key's hash, with message (cut to 130
// runes), description, details (the common labels, then the configured details), source,
// responders ("teams" split into one team per comma-separated name; empty ones left out), tags
// and actions (comma-separated), note, priority, entity; with update_alerts also PUT its
// message and description. Once all are resolved: POST <api_url>v2/alerts/<alias>/close
// ?identifierType=alias with the source. Authorization: GenieKey <api_key>. Every text field
// is a notification template; one that fails to expand drops the notification.
//
// The requests of one notification go in order; the first that fails decides the outcome
// (the delivery worker retries the whole notification, as Alertmanager's retrier does).
// Borrows HttpClient and Clock; shares the templates. One worker at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"
#include "notifiers/template/notification_templates.h"

namespace tocsin {

inline constexpr size_t kOpsGenieMaxMessageRunes = 130;

class OpsGenieNotifier final : public Notifier {
 public:
  OpsGenieNotifier(
      OpsGenieConfig config, HttpClient& http, const Clock& clock,
      std::shared_ptr<const NotificationTemplates> templates = NotificationTemplates::Default());
  std::string_view Integration() const override { return "opsgenie"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  // The requests for `n`, in order (exposed for tests): method, URL, JSON body.
  Result<std::vector<HttpRequest>> Requests(const Notification& n) const;

 private:
  OpsGenieConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  std::shared_ptr<const NotificationTemplates> templates_;
};

}  // namespace tocsin
