#include "rules/alert_restore.h"

namespace tocsin::rules {

std::vector<Alert> RestoreAlerts(const std::vector<Alert>& saved, TimestampMs saved_at,
                                 TimestampMs now, const RestoreOptions& options) {
  std::vector<Alert> out;
  const int64_t hold = options.for_duration.count();
  const int64_t grace = options.grace_period.count();
  const int64_t down = now - saved_at;
  for (const Alert& a : saved) {
    if (a.state != AlertState::kPending) {
      out.push_back(a);
      continue;
    }
    if (down > options.outage_tolerance.count() || hold < grace) continue;
    Alert r = a;
    const int64_t remaining = hold - (saved_at - a.active_at);
    if (remaining <= 0) {
      // Keep ActiveAt: it fires at the next evaluation.
    } else if (remaining < grace) {
      r.active_at = now + grace - hold;
    } else {
      r.active_at = a.active_at + std::max<int64_t>(down, 0);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tocsin::rules
