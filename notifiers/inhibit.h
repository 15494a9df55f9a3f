// Inhibitor: Alertmanager's inhibit_rules. A target alert is muted while a firing source alert
// matches source_matchers and has the same values for every `equal` label (missing = empty).
// An alert that matches both sides is not muted by sources that also match both sides.
//
// Immutable after construction; Mutes() reads the alert set the caller passes and is safe to
// call concurrently.
#pragma once

#include <map>
#include <vector>

#include "agent/core/alert.h"
#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "notifiers/config.h"

namespace tocsin {

class Inhibitor {
 public:
  explicit Inhibitor(std::vector<InhibitRuleConfig> rules) : rules_(std::move(rules)) {}

  // `alerts` is every alert the dispatcher currently knows, by fingerprint.
  bool Mutes(const Labels& target, const std::map<uint64_t, Alert>& alerts, TimestampMs now) const;

 private:
  std::vector<InhibitRuleConfig> rules_;
};

}  // namespace tocsin
