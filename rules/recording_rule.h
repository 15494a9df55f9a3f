// RecordingRule: renames an expression's result to the rule's metric name and applies its
// (untemplated) labels, as Prometheus's RecordingRule.Eval.
//
// Not synchronised; owned by its Group.
#pragma once

#include "rules/rule.h"

namespace tocsin::rules {

class RecordingRule final : public Rule {
 public:
  // `spec.labels` should already include group labels (rule labels win).
  explicit RecordingRule(RuleSpec spec) : spec_(std::move(spec)) {}
  const RuleSpec& spec() const override { return spec_; }
  // Output samples are timestamped `ts` (the caller passes ts - query_offset). Errors:
  // "vector contains metrics with the same labelset after applying rule labels",
  // "exceeded limit of N with M series".
  Result<std::vector<OutputSample>> Eval(const promql::Vector& result, TimestampMs ts,
                                         int64_t limit) override;

 private:
  RuleSpec spec_;
};

}  // namespace tocsin::rules
