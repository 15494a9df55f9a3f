// Restoring one alerting rule's persisted alert instances after a restart, following
// Prometheus's RestoreForState for pending alerts (for_outage_tolerance, for_grace_period) and
// going further for firing ones (reference §8.1): a firing alert comes back firing with its
// FiredAt, LastSentAt and ValidUntil, so it is not paged again and is re-sent only at its normal
// resend cadence; if its condition cleared while the agent was down, the next evaluation
// resolves it and the resolve is sent.
//
// Pure function; thread-safe.
#pragma once

#include <chrono>
#include <vector>

#include "agent/core/clock.h"
#include "rules/alert.h"

namespace tocsin::rules {

struct RestoreOptions {
  std::chrono::milliseconds for_duration{0};            // the rule's `for`
  std::chrono::milliseconds outage_tolerance{3600000};  // for_outage_tolerance
  std::chrono::milliseconds grace_period{600000};       // for_grace_period
};

// `saved` was saved at `saved_at` (the last evaluation before the restart); `now` is the first
// evaluation after it. Pending alerts:
//  - downtime (now - saved_at) > outage_tolerance, or `for` < grace_period: dropped (the
//    condition starts a fresh pending period), as Prometheus does;
//  - otherwise remaining = for - (saved_at - active_at):
//      remaining <= 0            -> ActiveAt kept (fires at the next evaluation);
//      remaining < grace_period  -> ActiveAt = now + grace - for (fires `grace` after restore);
//      else                      -> ActiveAt = active_at + (now - saved_at) (downtime not counted).
// Firing and resolved (inactive, kept for re-sending) alerts are kept unchanged.
std::vector<Alert> RestoreAlerts(const std::vector<Alert>& saved, TimestampMs saved_at,
                                 TimestampMs now, const RestoreOptions& options);

}  // namespace tocsin::rules
