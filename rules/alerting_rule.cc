#include "rules/alerting_rule.h"

#include <cmath>
#include <set>

#include "rules/template/render.h"

namespace tocsin::rules {

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kUnknown:
      return "unknown";
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "unknown";
}

AlertingRule::AlertingRule(RuleSpec spec, AlertingRuleOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {}

std::string AlertingRule::Expand(const TemplatedPair& p, const Labels& sample_labels, double value,
                                 TimestampMs ts) {
  if (!p.tmpl || p.text.find("{{") == std::string::npos) return p.text;
  tmpl::AlertTemplateData data;
  data.labels = &sample_labels;
  data.external_labels = &options_.external_labels;
  data.external_url = options_.external_url;
  data.value = value;
  data.eval_time = ts;
  data.query = options_.query;
  auto r = tmpl::Render(*p.tmpl, data);
  if (!r.ok()) {
    ++template_errors_;
    std::string msg = "error executing template " + p.tmpl->name + ": " + r.status().message();
    if (options_.on_template_error) options_.on_template_error(msg);
    return "<error expanding template: " + msg + ">";
  }
  return *r;
}

void AlertingRule::SetAlerts(std::vector<Alert> alerts) {
  active_.clear();
  if (!alerts.empty()) evaluated_ = true;
  for (auto& a : alerts) {
    Labels key = a.labels;
    active_[std::move(key)] = std::move(a);
  }
}

Result<std::vector<OutputSample>> AlertingRule::Eval(const promql::Vector& result, TimestampMs ts,
                                                     int64_t limit) {
  evaluated_ = true;
  std::map<Labels, Alert> alerts;
  for (const auto& sample : result) {
    LabelsBuilder lb(sample.labels);
    lb.Del(kMetricNameLabel);
    for (const auto& l : spec_.labels) lb.Set(l.name, Expand(l, sample.labels, sample.v, ts));
    lb.Set("alertname", spec_.name);
    std::vector<Label> annotations;
    for (const auto& a : spec_.annotations) {
      annotations.push_back({a.name, Expand(a, sample.labels, sample.v, ts)});
    }
    Labels key = lb.Build();
    if (alerts.count(key)) {
      return InvalidArgument(
          "vector contains metrics with the same labelset after applying alert labels");
    }
    Alert alert;
    alert.state = AlertState::kPending;
    alert.labels = key;
    alert.annotations = Labels::FromUnsorted(std::move(annotations));
    alert.active_at = ts;
    alert.value = sample.v;
    alerts.emplace(std::move(key), std::move(alert));
  }

  for (auto& [key, alert] : alerts) {
    auto it = active_.find(key);
    if (it != active_.end() && it->second.state != AlertState::kInactive) {
      it->second.value = alert.value;
      it->second.annotations = alert.annotations;
      continue;
    }
    active_[key] = std::move(alert);
  }

  std::vector<OutputSample> out;
  const TimestampMs out_t = ts - options_.query_offset.count();
  const int64_t hold = spec_.for_duration.count();
  const int64_t keep_for = spec_.keep_firing_for.count();
  int64_t num_active = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& a = it->second;
    if (!alerts.count(it->first)) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && keep_for > 0) {
        if (!a.keep_firing_since) a.keep_firing_since = ts;
        if (ts - *a.keep_firing_since < keep_for) keep_firing = true;
      }
      if (a.state == AlertState::kPending ||
          (a.resolved_at && ts - *a.resolved_at > kResolvedRetention.count())) {
        it = active_.erase(it);
        continue;
      }
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at = ts;
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else {
      a.keep_firing_since.reset();
    }
    ++num_active;
    if (a.state == AlertState::kPending && ts - a.active_at >= hold) {
      a.state = AlertState::kFiring;
      a.fired_at = ts;
    }
    // `for` raised by a reload: a firing alert that has not been active long enough goes back.
    if (a.state == AlertState::kFiring && ts - a.active_at < hold) {
      a.state = AlertState::kPending;
      a.fired_at.reset();
      a.last_sent_at.reset();
      a.keep_firing_since.reset();
    }
    if (options_.restored) {
      LabelsBuilder alerts_lb(a.labels);
      alerts_lb.Set(kMetricNameLabel, "ALERTS");
      alerts_lb.Set("alertstate", AlertStateName(a.state));
      out.push_back({alerts_lb.Build(), out_t, 1});
      LabelsBuilder for_lb(a.labels);
      for_lb.Set(kMetricNameLabel, "ALERTS_FOR_STATE");
      double active_s = std::floor(static_cast<double>(a.active_at) / 1000.0);
      out.push_back({for_lb.Build(), out_t, active_s});
    }
    ++it;
  }

  if (limit > 0 && num_active > limit) {
    active_.clear();
    return InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                           std::to_string(num_active) + " alerts");
  }
  return out;
}

std::vector<Alert> AlertingRule::ActiveAlerts() const {
  std::vector<Alert> out;
  for (const auto& [k, a] : active_) {
    if (!a.resolved_at) out.push_back(a);
  }
  return out;
}

std::vector<Alert> AlertingRule::CurrentAlerts() const {
  std::vector<Alert> out;
  for (const auto& [k, a] : active_) out.push_back(a);
  return out;
}

AlertState AlertingRule::State() const {
  if (!evaluated_) return AlertState::kUnknown;
  AlertState max = AlertState::kInactive;
  for (const auto& [k, a] : active_) {
    if (a.state > max) max = a.state;
  }
  return max;
}

std::vector<Alert> AlertingRule::AlertsToSend(TimestampMs ts,
                                              std::chrono::milliseconds resend_delay,
                                              std::chrono::milliseconds interval) {
  std::vector<Alert> out;
  const int64_t delta = std::max(resend_delay, interval).count();
  for (auto& [k, a] : active_) {
    if (a.state == AlertState::kPending) continue;
    bool send = false;
    if (a.resolved_at && (!a.last_sent_at || *a.resolved_at > *a.last_sent_at)) {
      send = true;
    } else {
      send = !a.last_sent_at || *a.last_sent_at + resend_delay.count() < ts;
    }
    if (!send) continue;
    a.last_sent_at = ts;
    a.valid_until = ts + 4 * delta;
    out.push_back(a);
  }
  return out;
}

}  // namespace tocsin::rules
