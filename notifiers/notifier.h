// Notifier: one integration (PagerDuty, Slack, webhook, log) that renders and sends one
// Notification, and SendResult, its answer to the dispatcher.
//
// A notifier only renders and sends once: it never sleeps, retries, queues or rate-limits —
// backoff, persistence, rate limits and circuit breaking live in the dispatcher's delivery
// worker. Send() is called from one worker thread at a time per notifier instance; the
// dispatcher owns its notifiers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/core/clock.h"
#include "notifiers/config.h"
#include "notifiers/notification.h"

namespace tocsin {

struct SendResult {
  enum class Outcome { kOk, kRetry, kDrop };
  Outcome outcome = Outcome::kOk;
  std::optional<TimestampMs> not_before;  // earliest retry (e.g. from Retry-After)
  int http_status = 0;                    // 0 when no HTTP exchange happened
  std::string detail;                     // for logs; never contains secrets

  static SendResult Ok() { return {}; }
  static SendResult Retry(std::string detail, std::optional<TimestampMs> not_before = {}) {
    return {Outcome::kRetry, not_before, 0, std::move(detail)};
  }
  static SendResult Drop(std::string detail) {
    return {Outcome::kDrop, std::nullopt, 0, std::move(detail)};
  }
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // "pagerduty", "slack", "webhook", "log".
  virtual std::string_view Integration() const = 0;
  virtual bool SendResolved() const = 0;
  virtual RateLimitConfig RateLimit() const { return {}; }
  virtual SendResult Send(const Notification& n) = 0;
};

}  // namespace tocsin
