// PagerDutyNotifier: PagerDuty Events API v2 (`trigger` while any alert of the group fires,
// `resolve` when all are resolved) to a configurable URL (US or EU region), the event
// Alertmanager's notify/pagerduty builds, every text field a notification template of
// PagerDutyConfig.
//
// dedup_key is the lower-case hex SHA-256 of the Alertmanager group key (64 chars), so a
// re-sent or re-delivered event lands on the same PagerDuty alert. summary is the description
// truncated to 1024 runes; severity is the config's (a template) or, when it has none, the
// `severity` label mapped to critical|error|warning|info; custom_details are the expanded
// `details`; an event above 512000 bytes loses its custom_details as in Alertmanager. With a
// `service_key` the event is Events API v1's (Alertmanager's notifyV1): event_type
// trigger|resolve, incident_key = the same hash, description, details, client and client_url on
// triggers only. A template that fails to expand drops the notification (Alertmanager does not
// retry it either). The keys never appear in logs or details. Borrows HttpClient and Clock;
// shares the templates. One worker at a time.
#pragma once

#include <memory>
#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"
#include "notifiers/template/notification_templates.h"

namespace tocsin {

inline constexpr size_t kPagerDutyMaxEventBytes = 512000;
inline constexpr size_t kPagerDutyMaxSummaryRunes = 1024;

class PagerDutyNotifier final : public Notifier {
 public:
  PagerDutyNotifier(
      PagerDutyConfig config, HttpClient& http, const Clock& clock,
      std::shared_ptr<const NotificationTemplates> templates = NotificationTemplates::Default());
  std::string_view Integration() const override { return "pagerduty"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  // The request body, v1 or v2 by the configured key (exposed for tests).
  Result<std::string> Render(const Notification& n) const;
  // From the severity_label via severity_map: critical|error|warning|info (used when the
  // config has no fixed severity).
  std::string SeverityFromLabels(const Notification& n) const;

 private:
  PagerDutyConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  std::shared_ptr<const NotificationTemplates> templates_;
  std::string hostname_;
};

}  // namespace tocsin
