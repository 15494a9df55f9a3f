// Alert: one alert as the rule manager hands it to the dispatcher, in Alertmanager's shape
// (labels incl. alertname, annotations, startsAt, endsAt, generatorURL, fingerprint), and
// NotifyFn, the seam between the rule manager and whoever delivers alerts.
//
// An alert whose endsAt is at or before "now" is resolved; a firing alert carries the time
// until which it is valid (Prometheus's ValidUntil) and resolves by itself if it is not re-sent
// before then, as in Alertmanager's API. Plain value: copy freely; not synchronised.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/rfc3339.h"

namespace tocsin {

struct Alert {
  Labels labels;                                   // identity; includes `alertname`
  std::map<std::string, std::string> annotations;  // expanded annotations
  TimestampMs starts_at = 0;                       // Prometheus's FiredAt
  TimestampMs ends_at = 0;                         // ResolvedAt, or ValidUntil; 0 = unset
  std::string generator_url;

  // Alertmanager's fingerprint: FNV-1a 64 over the sorted label set (model.LabelSet).
  uint64_t Fingerprint() const { return labels.Hash(); }
  // 16 lower-case hex digits, as Alertmanager prints a fingerprint.
  std::string FingerprintHex() const;
  bool Resolved(TimestampMs now) const { return ends_at != 0 && ends_at <= now; }
  std::string_view Name() const { return labels.Get("alertname"); }

  friend bool operator==(const Alert&, const Alert&) = default;
};

// Called by the rule manager after each group evaluation with the alerts Prometheus would send
// (firing ones with endsAt = ValidUntil, resolved ones with endsAt = ResolvedAt). Must be cheap
// and must not block on delivery; safe to call from any thread.
using NotifyFn = std::function<void(std::vector<Alert>)>;

// Prometheus's generatorURL: `<external_url>/graph?g0.expr=<url-escaped expr>&g0.tab=1`, the
// external URL without trailing slashes (as Prometheus normalises it).
std::string GeneratorUrl(std::string_view external_url, std::string_view expr);

}  // namespace tocsin
