// Rule: what a Group evaluates. AlertingRule and RecordingRule implement it; both take the query
// result computed by the group and return the samples to write back to the store.
//
// Not synchronised; owned by its Group.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/promql/engine.h"
#include "rules/rule_file.h"

namespace tocsin::rules {

// A sample a rule writes back to the store (ALERTS, ALERTS_FOR_STATE, recording output).
struct OutputSample {
  Labels labels;
  TimestampMs t = 0;
  double v = 0;
  std::shared_ptr<const FloatHistogram> h = nullptr;  // a recorded native histogram
};

// Per-rule evaluation bookkeeping, updated by Group::Eval.
struct RuleEvalStats {
  TimestampMs last_evaluation = 0;  // evaluation timestamp; 0 = never
  double last_duration_seconds = 0;
  uint64_t evaluations = 0;
  uint64_t failures = 0;
  size_t last_samples = 0;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleSpec& spec() const = 0;
  const std::string& name() const { return spec().name; }
  // Applies one evaluation: `result` is the expression's value at ts - query_offset.
  virtual Result<std::vector<OutputSample>> Eval(const promql::Vector& result, TimestampMs ts,
                                                 int64_t limit) = 0;

  const Status& last_error() const { return last_error_; }
  void set_last_error(Status s) { last_error_ = std::move(s); }
  const RuleEvalStats& eval_stats() const { return stats_; }
  RuleEvalStats& mutable_eval_stats() { return stats_; }

 private:
  Status last_error_;
  RuleEvalStats stats_;
};

}  // namespace tocsin::rules
