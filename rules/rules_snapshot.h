// RulesSnapshot: a point-in-time copy of the rule manager's groups, rules, alerts and
// self-metrics, for /api/v1/rules, /api/v1/alerts and the tocsin_rule_* families on /metrics.
// Consumers depend on this plain data only, not on the manager.
//
// Plain values; copy freely; not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "rules/alert.h"
#include "rules/rule_file.h"

namespace tocsin::rules {

struct RuleSnapshot {
  RuleSpec::Kind kind = RuleSpec::Kind::kAlerting;
  std::string name;
  std::string query;            // expression text
  double duration_seconds = 0;  // `for`
  double keep_firing_for_seconds = 0;
  std::vector<std::pair<std::string, std::string>> labels;       // rule labels (unexpanded)
  std::vector<std::pair<std::string, std::string>> annotations;  // unexpanded
  std::string health = "unknown";                                // ok | err | unknown
  std::string last_error;
  TimestampMs last_evaluation = 0;
  double evaluation_seconds = 0;
  uint64_t evaluations = 0;
  uint64_t failures = 0;
  uint64_t template_errors = 0;
  AlertState state = AlertState::kUnknown;  // alerting rules
  std::vector<Alert> alerts;                // alerting rules: pending and firing instances
  double lookback_seconds = 0;              // how far back it reads (rules/retention_check.h)
  bool reads_past_retention = false;        // lookback > global.retention
};

struct GroupSnapshot {
  std::string name;
  std::string file;
  double interval_seconds = 0;
  int64_t limit = 0;
  bool event_driven = false;
  TimestampMs last_evaluation = 0;
  double evaluation_seconds = 0;  // last group evaluation
  uint64_t iterations = 0;
  uint64_t iterations_missed = 0;
  uint64_t event_evaluations = 0;  // evaluations triggered by a store commit
  std::vector<RuleSnapshot> rules;
};

struct RulesSnapshot {
  std::vector<GroupSnapshot> groups;
  uint64_t notifications = 0;      // alerts handed to the NotifyFn
  uint64_t state_load_errors = 0;  // state files set aside at start
  uint64_t state_write_errors = 0;
  uint64_t state_writes = 0;
};

}  // namespace tocsin::rules
