// Group: a rule group's evaluator. Evaluates its rules in order at one timestamp; each rule's
// output (recording series, ALERTS, ALERTS_FOR_STATE) is committed to the store before the next
// rule runs, so later rules see earlier recording rules' results, as in Prometheus. Series a
// rule wrote last time but not this time get stale markers (one store source per rule).
//
// Time is injected: Eval(ts) never reads a clock (the daemon's scheduler and the promtool-style
// test runner both call it). Not synchronised: one thread evaluates a group; the store and engine
// it borrows must outlive it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/promql/engine.h"
#include "agent/store/series_store.h"
#include "rules/alerting_rule.h"
#include "rules/recording_rule.h"
#include "rules/rule_file.h"

namespace tocsin::rules {

using NotifyFn = std::function<void(const std::string& expr, const std::vector<Alert>& alerts)>;

struct GroupOptions {
  const promql::Engine* engine = nullptr;  // borrowed
  SeriesStore* store = nullptr;            // borrowed: queried and written
  // Borrowed; when set, rules query it instead of `store` (the test runner's histogram overlay).
  const Queryable* query_source = nullptr;
  // Receives each evaluation's native-histogram outputs (possibly none) of the rule with store
  // source `source`, which the float store cannot hold; unset: they are written as floats.
  std::function<Status(const std::string& source, TimestampMs t,
                       const std::vector<OutputSample>& histograms)>
      histogram_sink;
  Labels external_labels;
  std::string external_url;
  std::chrono::milliseconds default_interval{60000};
  std::chrono::milliseconds default_query_offset{0};
  std::chrono::milliseconds resend_delay{60000};
  NotifyFn notify;              // optional
  bool alerts_restored = true;  // emit ALERTS_FOR_STATE from the first evaluation
  std::string file;             // for the store source names "rules/<file>;<group>/<i>"
  // For the alert templates' `query` function; unset: `query` fails.
  tmpl::TemplateQueryFn template_query;
  std::function<void(const std::string&)> on_template_error;  // optional
};

class Group {
 public:
  Group(GroupSpec spec, GroupOptions options);

  const std::string& name() const { return name_; }
  std::chrono::milliseconds interval() const { return interval_; }
  int64_t limit() const { return limit_; }
  std::chrono::milliseconds query_offset() const { return query_offset_; }
  size_t size() const { return rules_.size(); }
  Rule& rule(size_t i) { return *rules_[i]; }
  const Rule& rule(size_t i) const { return *rules_[i]; }
  // Null when rule i is a recording rule.
  AlertingRule* alerting_rule(size_t i) { return dynamic_cast<AlertingRule*>(rules_[i].get()); }

  // Evaluates every rule at `ts` (queries at ts - query_offset). A failing rule keeps its error
  // in rule(i).last_error() and writes nothing; the others still run.
  void Eval(TimestampMs ts);

  const std::string& file() const { return options_.file; }
  const std::string& source(size_t i) const { return sources_[i]; }

 private:
  void EvalRule(Rule& rule, size_t i, TimestampMs ts, TimestampMs query_ts);

  std::string name_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds query_offset_;
  int64_t limit_;
  GroupOptions options_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<std::string> sources_;
};

// Rule labels with group labels underneath (rule labels win), as Prometheus 3 merges them.
std::vector<TemplatedPair> MergeGroupLabels(
    const std::vector<std::pair<std::string, std::string>>& group_labels,
    const std::vector<TemplatedPair>& rule_labels);

}  // namespace tocsin::rules
