// AlertingRule: the alert state machine of one alerting rule (pending / firing / inactive, `for`,
// `keep_firing_for`, 15-minute resolved retention, `limit`), a line-by-line port of Prometheus's
// AlertingRule.Eval and sendAlerts (reference §2.2, §2.3).
//
// Time is never read from a clock: every call takes the evaluation timestamp, so the daemon, the
// unit-test runner and table tests drive it identically. The caller runs the query (at
// ts - query_offset) and hands the result vector in.
//
// Not synchronised: one rule manager thread evaluates it; readers take copies (ActiveAlerts()).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/core/status.h"
#include "agent/promql/engine.h"
#include "rules/alert.h"
#include "rules/rule.h"
#include "rules/rule_file.h"
#include "rules/template/render.h"

namespace tocsin::rules {

struct AlertingRuleOptions {
  Labels external_labels;
  std::string external_url;
  std::chrono::milliseconds query_offset{0};
  bool restored = true;  // emit ALERTS / ALERTS_FOR_STATE (Prometheus: after for-state restore)
  // The template `query` function: an instant query at the given time. Unset: `query` fails.
  tmpl::TemplateQueryFn query;
  // Called with the message of each template expansion error (for logging); optional.
  std::function<void(const std::string&)> on_template_error;
};

inline constexpr std::chrono::milliseconds kResolvedRetention{15 * 60 * 1000};

class AlertingRule final : public Rule {
 public:
  // `spec.labels` should already include group labels (rule labels win).
  AlertingRule(RuleSpec spec, AlertingRuleOptions options);

  const RuleSpec& spec() const override { return spec_; }

  // Applies one evaluation's query result at `ts`. Returns the ALERTS / ALERTS_FOR_STATE samples
  // (timestamped ts - query_offset), or an error ("vector contains metrics with the same labelset
  // after applying alert labels", "exceeded limit of N with M alerts"). `limit` <= 0: none.
  Result<std::vector<OutputSample>> Eval(const promql::Vector& result, TimestampMs ts,
                                         int64_t limit) override;

  // Alerts whose ResolvedAt is unset (pending and firing, incl. kept firing).
  std::vector<Alert> ActiveAlerts() const;
  // Every tracked instance, including resolved ones kept for retention.
  std::vector<Alert> CurrentAlerts() const;
  // Max state over instances; kUnknown before the first evaluation.
  AlertState State() const;

  // Prometheus's sendAlerts: the alerts to hand to the notifier at `ts`; updates LastSentAt and
  // ValidUntil (= ts + 4 * max(interval, resend_delay)) on those returned.
  std::vector<Alert> AlertsToSend(TimestampMs ts, std::chrono::milliseconds resend_delay,
                                  std::chrono::milliseconds interval);

  // Replaces the tracked instances (state copied over a reload, or restored from disk); keyed
  // by their labels. Marks the rule as evaluated when `alerts` is non-empty.
  void SetAlerts(std::vector<Alert> alerts);
  // Template expansions that failed since the rule was created (rendered as
  // "<error expanding template: ...>").
  uint64_t template_errors() const { return template_errors_; }

 private:
  std::string Expand(const TemplatedPair& p, const Labels& sample_labels, double value,
                     TimestampMs ts);

  RuleSpec spec_;
  AlertingRuleOptions options_;
  bool evaluated_ = false;
  std::map<Labels, Alert> active_;
  uint64_t template_errors_ = 0;
};

}  // namespace tocsin::rules
