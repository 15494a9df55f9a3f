// Alert: one instance of an alerting rule (one final label set) and its lifecycle timestamps,
// exactly as Prometheus's rules.Alert (P:rules/alerting.go).
//
// Plain value type; no synchronisation (owned by its AlertingRule).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"

namespace tocsin::rules {

enum class AlertState { kUnknown, kInactive, kPending, kFiring };
std::string_view AlertStateName(AlertState s);  // "unknown", "inactive", "pending", "firing"

struct Alert {
  AlertState state = AlertState::kPending;
  Labels labels;              // final identity: sample labels - __name__ + rule labels + alertname
  Labels annotations;         // expanded
  double value = 0;           // value at the last evaluation that produced it
  TimestampMs active_at = 0;  // start of pending (always set)
  std::optional<TimestampMs> fired_at;
  std::optional<TimestampMs> resolved_at;
  std::optional<TimestampMs> last_sent_at;
  std::optional<TimestampMs> valid_until;
  std::optional<TimestampMs> keep_firing_since;
};

}  // namespace tocsin::rules
