// PagerDutyNotifier: PagerDuty Events API v2 (`trigger` while any alert of the group fires,
// `resolve` when all are resolved) to a configurable URL (US or EU region).
//
// dedup_key is the lower-case hex SHA-256 of the Alertmanager group key (64 chars), so a
// re-sent or re-delivered event lands on the same PagerDuty alert. summary is the default
// subject truncated to 1024 runes; severity comes from the config or the `severity` label
// mapped to critical|error|warning|info; custom_details carries the firing and resolved
// alerts; an event above 512000 bytes loses its custom_details as in Alertmanager. The routing
// key never appears in logs or details. With a `service_key` the event is Events API v1's
// (Alertmanager's notifyV1): event_type trigger|resolve, incident_key = the same hash,
// description, details {firing, resolved, num_firing, num_resolved} as the text Alertmanager's
// default templates render, client and client_url on triggers only. Borrows HttpClient and Clock.
// One worker at a time.
#pragma once

#include <string>

#include "agent/core/clock.h"
#include "agent/http_client/http_client.h"
#include "notifiers/config.h"
#include "notifiers/notifier.h"

namespace tocsin {

inline constexpr size_t kPagerDutyMaxEventBytes = 512000;
inline constexpr size_t kPagerDutyMaxSummaryRunes = 1024;

class PagerDutyNotifier final : public Notifier {
 public:
  PagerDutyNotifier(PagerDutyConfig config, HttpClient& http, const Clock& clock);
  std::string_view Integration() const override { return "pagerduty"; }
  bool SendResolved() const override { return config_.send_resolved; }
  RateLimitConfig RateLimit() const override { return config_.rate_limit; }
  SendResult Send(const Notification& n) override;

  // The request body (exposed for tests).
  std::string Render(const Notification& n) const;
  std::string RenderV1(const Notification& n) const;
  // critical|error|warning|info for this notification.
  std::string Severity(const Notification& n) const;

 private:
  PagerDutyConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  std::string hostname_;
};

}  // namespace tocsin
