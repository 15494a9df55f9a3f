#include "rules/group.h"

#include "rules/template/parser.h"

namespace tocsin::rules {

std::vector<TemplatedPair> MergeGroupLabels(
    const std::vector<std::pair<std::string, std::string>>& group_labels,
    const std::vector<TemplatedPair>& rule_labels) {
  std::vector<TemplatedPair> out;
  for (const auto& [n, v] : group_labels) {
    bool overridden = false;
    for (const auto& r : rule_labels) overridden = overridden || r.name == n;
    if (!overridden) out.push_back({n, v, nullptr});
  }
  out.insert(out.end(), rule_labels.begin(), rule_labels.end());
  return out;
}

Group::Group(GroupSpec spec, GroupOptions options)
    : name_(spec.name),
      interval_(spec.interval.value_or(options.default_interval)),
      query_offset_(spec.query_offset.value_or(options.default_query_offset)),
      limit_(spec.limit),
      options_(std::move(options)) {
  for (size_t i = 0; i < spec.rules.size(); ++i) {
    RuleSpec r = std::move(spec.rules[i]);
    r.labels = MergeGroupLabels(spec.labels, r.labels);
    if (r.kind == RuleSpec::Kind::kAlerting) {
      // Group labels are templates too once merged into an alerting rule.
      for (auto& l : r.labels) {
        if (!l.tmpl) {
          auto t = tmpl::ParseAlertTemplate(l.text, r.name);
          if (t.ok()) l.tmpl = std::make_shared<const tmpl::Tree>(std::move(t).value());
        }
      }
      AlertingRuleOptions ao;
      ao.external_labels = options_.external_labels;
      ao.external_url = options_.external_url;
      ao.query_offset = query_offset_;
      ao.restored = options_.alerts_restored;
      ao.query = options_.template_query;
      ao.on_template_error = options_.on_template_error;
      rules_.push_back(std::make_unique<AlertingRule>(std::move(r), std::move(ao)));
    } else {
      rules_.push_back(std::make_unique<RecordingRule>(std::move(r)));
    }
    sources_.push_back("rules/" + options_.file + ";" + name_ + "/" + std::to_string(i));
  }
}

void Group::Eval(TimestampMs ts) {
  const TimestampMs query_ts = ts - query_offset_.count();
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& rule = *rules_[i];
    const auto start = std::chrono::steady_clock::now();
    EvalRule(rule, i, ts, query_ts);
    RuleEvalStats& st = rule.mutable_eval_stats();
    st.last_evaluation = ts;
    st.last_duration_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++st.evaluations;
    if (!rule.last_error().ok()) ++st.failures;
  }
}

void Group::EvalRule(Rule& rule, size_t i, TimestampMs ts, TimestampMs query_ts) {
  {
    const Queryable& data = options_.query_source ? *options_.query_source : *options_.store;
    auto value = options_.engine->Instant(rule.spec().expr, data, query_ts);
    if (!value.ok()) {
      rule.set_last_error(value.status());
      return;
    }
    promql::Vector vec;
    if (value->type == promql::ValueType::kVector) {
      vec = std::move(value->vector);
    } else if (value->type == promql::ValueType::kScalar) {
      vec.push_back(promql::InstantSample{Labels(), value->scalar});
    } else {
      rule.set_last_error(InvalidArgument("rule result is not a vector or scalar"));
      return;
    }
    auto out =
        rule.Eval(vec, rule.spec().kind == RuleSpec::Kind::kAlerting ? ts : query_ts, limit_);
    if (!out.ok()) {
      rule.set_last_error(out.status());
      return;
    }
    rule.mutable_eval_stats().last_samples = out->size();
    rule.set_last_error(Status::Ok());
    if (options_.notify) {
      if (auto* ar = dynamic_cast<AlertingRule*>(&rule)) {
        auto alerts = ar->AlertsToSend(ts, options_.resend_delay, interval_);
        if (!alerts.empty()) options_.notify(ar->spec().expr_text, alerts);
      }
    }
    auto app = options_.store->NewAppender(sources_[i], query_ts);
    Status st;
    std::vector<OutputSample> histograms;
    for (auto& s : *out) {
      if (s.h && options_.histogram_sink) {
        histograms.push_back(std::move(s));
        continue;
      }
      st = app->AddAt(s.labels, s.t, s.v);
      if (!st.ok()) break;
    }
    if (st.ok() && options_.histogram_sink) {
      st = options_.histogram_sink(sources_[i], query_ts, histograms);
    }
    if (!st.ok()) {
      app->Rollback();
      rule.set_last_error(st);
      return;
    }
    auto committed = app->Commit();
    if (!committed.ok()) rule.set_last_error(committed.status());
  }
}

}  // namespace tocsin::rules
