#include "rules/test_group.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "agent/core/duration.h"
#include "agent/core/go_format.h"
#include "agent/promql/engine.h"
#include "agent/promql/series_notation.h"
#include "agent/promql/test_histograms.h"
#include "agent/store/series_store.h"
#include "rules/group.h"
#include "rules/rule_file.h"
#include "rules/template/lexer.h"
#include "rules/template_query.h"
#include "rules/test_format.h"

namespace tocsin::rules {
namespace {

using AlertList = std::vector<std::pair<Labels, Labels>>;  // labels, annotations
using Hint = FloatHistogram::CounterResetHint;

// promtool's indentLines: every line after the first gets `indent`.
std::string IndentLines(const std::string& lines, const std::string& indent) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t nl = lines.find('\n', start);
    if (!first) out += indent;
    first = false;
    out += lines.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::string AlertListString(const AlertList& la) {
  if (la.empty()) return "[]";
  auto one = [](const std::pair<Labels, Labels>& a) {
    return "Labels:" + GoLabelsString(a.first) + "\nAnnotations:" + GoLabelsString(a.second);
  };
  std::string s = "[\n0:" + IndentLines("\n" + one(la[0]), "  ");
  for (size_t i = 1; i < la.size(); ++i) {
    s += ",\n" + std::to_string(i) + ":" + IndentLines("\n" + one(la[i]), "  ");
  }
  return s + "\n]";
}

// promtool's parsedSample: a float, or a histogram compared through its test expression.
struct ParsedSample {
  Labels labels;
  double value = 0;
  std::string histogram;
};

std::string SamplesString(const std::vector<ParsedSample>& s) {
  if (s.empty()) return "nil";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ", ";
    out += GoLabelsString(s[i].labels) + " " +
           (s[i].histogram.empty() ? GoFormatFloatE(s[i].value) : s[i].histogram);
  }
  return out;
}

// cmp.Equal on float64 is ==; fuzzy_compare also accepts the neighbouring doubles.
bool FloatsEqual(double x, double y, bool fuzzy) {
  if (x == y) return true;
  return fuzzy && (std::nextafter(x, -INFINITY) == y || std::nextafter(x, INFINITY) == y);
}

Labels FromPairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<Label> v;
  for (const auto& [n, val] : pairs) v.push_back({n, val});
  return Labels::FromUnsorted(std::move(v));
}

// The hint Prometheus's TSDB reads back for `h` appended after `prev` (null: the previous sample
// was a float, a stale marker or absent). Only a sample continuing a counter chunk reads back as
// not_reset; the first sample of any chunk reads unknown, whatever it was appended with
// (chunkenc.counterResetHint); a gauge stays a gauge. Chunks cut for size are not modelled.
Hint StoredHint(const FloatHistogram* prev, const FloatHistogram& h) {
  if (h.hint == Hint::kGauge) return Hint::kGauge;
  if (!prev || prev->hint == Hint::kGauge || h.hint == Hint::kCounterReset) return Hint::kUnknown;
  if (h.schema != prev->schema || h.zero_threshold != prev->zero_threshold) return Hint::kUnknown;
  FloatHistogram probe = h;
  probe.hint = Hint::kUnknown;  // let the values decide, as the appender does
  return probe.DetectReset(*prev) ? Hint::kUnknown : Hint::kNotCounterReset;
}

class GroupRunner {
 public:
  GroupRunner(const TestGroup& tg, const GroupRunOptions& opts)
      : tg_(tg),
        opts_(opts),
        engine_(promql::EngineOptions{.default_subquery_step = opts.eval_interval}) {}

  std::vector<std::string> Run() {
    std::vector<std::string> errs;
    if (!LoadSeries(errs)) return errs;
    if (!LoadRules(errs)) return errs;

    std::map<int64_t, std::set<std::string>> alerts_in_test;
    std::map<int64_t, std::vector<const AlertTestCase*>> alert_tests;
    for (const auto& a : tg_.alert_rule_test) {
      if (a.alertname.empty()) {
        std::string where = tg_.name.empty() ? "" : " (in TestGroup " + tg_.name + ")";
        return {"an item under alert_rule_test misses required attribute alertname at eval_time " +
                FormatDuration(a.eval_time) + where};
      }
      alerts_in_test[a.eval_time.count()].insert(a.alertname);
      alert_tests[a.eval_time.count()].push_back(&a);
    }
    int64_t max_eval = 0;
    for (const auto& a : tg_.alert_rule_test) max_eval = std::max(max_eval, a.eval_time.count());
    for (const auto& p : tg_.promql_expr_test) max_eval = std::max(max_eval, p.eval_time.count());

    const int64_t mint = tg_.start_ms, step = opts_.eval_interval.count();
    auto next_check = alert_tests.begin();
    for (int64_t ts = mint; ts <= mint + max_eval; ts += step) {
      std::vector<std::string> eval_errs;
      for (auto& g : groups_) {
        g->Eval(ts);
        for (size_t i = 0; i < g->size(); ++i) {
          const Status& st = g->rule(i).last_error();
          // promtool prints the time since the epoch here, not since start_timestamp.
          if (!st.ok()) {
            eval_errs.push_back("    rule: " + g->rule(i).name() +
                                ", time: " + GoDurationString(std::chrono::milliseconds(ts)) +
                                ", err: " + st.message());
          }
        }
      }
      if (!eval_errs.empty()) {
        errs.insert(errs.end(), eval_errs.begin(), eval_errs.end());
        return errs;
      }
      while (next_check != alert_tests.end() && ts - mint <= next_check->first &&
             next_check->first < ts + step - mint) {
        CheckAlerts(alerts_in_test[next_check->first], next_check->second, errs);
        ++next_check;
      }
      if (step <= 0) break;
    }
    for (const auto& pc : tg_.promql_expr_test) CheckPromql(pc, errs);
    return errs;
  }

 private:
  bool LoadSeries(std::vector<std::string>& errs) {
    auto app = store_.NewAppender("", 0);
    const int64_t interval = tg_.interval.count();
    for (const auto& s : tg_.input_series) {
      auto labels = promql::ParseSeriesLabels(s.series);
      if (!labels.ok()) {
        errs.push_back(labels.status().message());
        return false;
      }
      promql::HistogramLiterals literals;
      auto text = literals.Extract(s.values);
      if (!text.ok()) {
        errs.push_back(text.status().message());
        return false;
      }
      auto values = promql::ParseSeriesValues(*text);
      if (!values.ok()) {
        errs.push_back(values.status().message());
        return false;
      }
      std::vector<std::optional<FloatHistogram>> hs = literals.Resolve(*values);
      std::vector<HistogramSample>& series_hs = histograms_[*labels];
      const FloatHistogram* prev = nullptr;
      for (size_t i = 0; i < values->size(); ++i) {
        const int64_t t = tg_.start_ms + static_cast<int64_t>(i) * interval;
        if (hs[i]) {
          auto h = std::make_shared<FloatHistogram>(std::move(*hs[i]));
          h->hint = StoredHint(prev, *h);
          prev = h.get();
          series_hs.push_back(HistogramSample{t, std::move(h)});
          continue;
        }
        if (!(*values)[i]) continue;
        prev = nullptr;  // a float or a stale marker ends the histogram chunk
        Status st = app->AddAt(*labels, t, *(*values)[i]);
        if (!st.ok()) {
          errs.push_back(st.message());
          return false;
        }
      }
      if (series_hs.empty()) histograms_.erase(*labels);
    }
    auto committed = app->Commit();
    if (!committed.ok()) {
      errs.push_back(committed.status().message());
      return false;
    }
    return true;
  }

  bool LoadRules(std::vector<std::string>& errs) {
    std::vector<std::pair<size_t, std::unique_ptr<Group>>> ordered;
    for (const auto& f : *opts_.rule_files) {
      RuleFileLoad load = LoadRuleFile(f, opts_.ignore_unknown_fields);
      if (!load.ok()) {
        errs.insert(errs.end(), load.errors.begin(), load.errors.end());
        continue;
      }
      for (auto& gs : load.file.groups) {
        GroupOptions go;
        go.engine = &engine_;
        go.store = &store_;
        go.query_source = &data_;
        go.histogram_sink = [this](const std::string& source, TimestampMs t,
                                   const std::vector<OutputSample>& hs) {
          return RecordHistograms(source, t, hs);
        };
        go.external_labels = FromPairs(tg_.external_labels);
        go.external_url = tg_.external_url;
        go.default_interval = tg_.interval;
        go.alerts_restored = true;
        go.file = f;
        go.template_query = MakeTemplateQuery(&engine_, &data_);
        auto it = opts_.group_order->find(gs.name);
        size_t idx = it == opts_.group_order->end() ? 0 : it->second;
        ordered.emplace_back(idx, std::make_unique<Group>(std::move(gs), std::move(go)));
      }
    }
    if (!errs.empty()) return false;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [i, g] : ordered) groups_.push_back(std::move(g));
    return true;
  }

  // Recording rules' histogram outputs go to the overlay; a series one of them wrote last time
  // and not now gets a stale marker, as the rule group writes one in Prometheus.
  Status RecordHistograms(const std::string& source, TimestampMs t,
                          const std::vector<OutputSample>& hs) {
    std::set<Labels>& previous = recorded_[source];
    std::set<Labels> now;
    for (const OutputSample& s : hs) {
      std::vector<HistogramSample>& series = histograms_[s.labels];
      const FloatHistogram* prev =
          previous.count(s.labels) && !series.empty() ? series.back().h.get() : nullptr;
      auto h = std::make_shared<FloatHistogram>(*s.h);
      h->hint = StoredHint(prev, *h);
      series.push_back(HistogramSample{s.t, std::move(h)});
      now.insert(s.labels);
    }
    auto app = store_.NewAppender("", 0);
    for (const Labels& l : previous) {
      if (!now.count(l)) TOCSIN_RETURN_IF_ERROR(app->AddAt(l, t, StaleNaN()));
    }
    auto committed = app->Commit();
    if (!committed.ok()) return committed.status();
    previous = std::move(now);
    return Status::Ok();
  }

  void CheckAlerts(const std::set<std::string>& names,
                   const std::vector<const AlertTestCase*>& cases, std::vector<std::string>& errs) {
    std::map<std::string, AlertList> got;
    for (auto& g : groups_) {
      for (size_t i = 0; i < g->size(); ++i) {
        AlertingRule* ar = g->alerting_rule(i);
        if (!ar || !names.count(ar->name())) continue;
        AlertList& list = got[ar->name()];
        for (const auto& a : ar->ActiveAlerts()) {
          if (a.state == AlertState::kFiring) list.emplace_back(a.labels, a.annotations);
        }
      }
    }
    for (const AlertTestCase* tc : cases) {
      AlertList got_alerts = got[tc->alertname];
      AlertList exp_alerts;
      for (const auto& e : tc->exp_alerts) {
        LabelsBuilder lb(FromPairs(e.labels));
        lb.Set("alertname", tc->alertname);
        exp_alerts.emplace_back(lb.Build(), FromPairs(e.annotations));
      }
      std::sort(got_alerts.begin(), got_alerts.end());
      std::sort(exp_alerts.begin(), exp_alerts.end());
      if (got_alerts == exp_alerts) continue;
      std::string name = tg_.name.empty() ? "" : "    name: " + tg_.name + ",\n";
      errs.push_back(name + "    alertname: " + tc->alertname +
                     ", time: " + FormatDuration(tc->eval_time) +
                     ", \n        exp:" + IndentLines(AlertListString(exp_alerts), "            ") +
                     ", \n        got:" + IndentLines(AlertListString(got_alerts), "            "));
    }
  }

  // promtool parses an expected histogram as the series description "{} <histogram>".
  static Result<std::string> ExpectedHistogram(const std::string& text) {
    promql::HistogramLiterals literals;
    auto line = literals.Extract(text);
    if (!line.ok()) return line.status();
    auto values = promql::ParseSeriesValues(*line);
    if (!values.ok()) return values.status();
    auto hs = literals.Resolve(*values);
    if (values->size() != 1) {
      return InvalidArgument("expected 1 value, got " + std::to_string(values->size()));
    }
    if (!hs[0]) {
      return InvalidArgument("expected histogram, got " +
                             ((*values)[0] ? FormatGoPrintfF(*(*values)[0]) : std::string("_")));
    }
    return GoHistogramTestExpression(*hs[0]);
  }

  void CheckPromql(const PromqlTestCase& pc, std::vector<std::string>& errs) {
    const std::string head =
        "    expr: " + tmpl::GoQuote(pc.expr) + ", time: " + FormatDuration(pc.eval_time);
    auto expr = promql::Parse(pc.expr);
    if (!expr.ok()) {
      errs.push_back(head + ", err: " + expr.status().message());
      return;
    }
    auto value = engine_.Instant(*expr, data_, tg_.start_ms + pc.eval_time.count());
    if (!value.ok()) {
      errs.push_back(head + ", err: " + value.status().message());
      return;
    }
    std::vector<ParsedSample> got;
    if (value->type == promql::ValueType::kVector) {
      for (const auto& s : value->vector) {
        if (s.h) {
          got.push_back({s.labels, 0, GoHistogramTestExpression(*s.h)});
        } else {
          got.push_back({s.labels, s.v, ""});
        }
      }
    } else if (value->type == promql::ValueType::kScalar) {
      got.push_back({Labels(), value->scalar, ""});
    } else {
      errs.push_back(head + ", err: rule result is not a vector or scalar");
      return;
    }
    std::vector<ParsedSample> exp;
    for (const auto& s : pc.exp_samples) {
      Status st;
      ParsedSample e{Labels(), s.value, ""};
      if (!s.labels.empty()) {
        auto parsed = promql::ParseSeriesLabels(s.labels);
        if (parsed.ok()) {
          e.labels = *parsed;
        } else {
          st = parsed.status();
        }
      }
      if (st.ok() && !s.histogram.empty()) {
        auto h = ExpectedHistogram(s.histogram);
        if (h.ok()) {
          e.histogram = *h;
        } else {
          st = h.status();
        }
      }
      if (!st.ok()) {
        errs.push_back(head + ", err: labels " + tmpl::GoQuote(s.labels) + ": " + st.message());
        return;
      }
      exp.push_back(std::move(e));
    }
    auto by_labels = [](const ParsedSample& a, const ParsedSample& b) {
      return a.labels < b.labels;
    };
    std::stable_sort(exp.begin(), exp.end(), by_labels);
    std::stable_sort(got.begin(), got.end(), by_labels);
    bool equal = exp.size() == got.size();
    for (size_t i = 0; equal && i < exp.size(); ++i) {
      equal = exp[i].labels == got[i].labels && exp[i].histogram == got[i].histogram &&
              FloatsEqual(exp[i].value, got[i].value, opts_.fuzzy_compare);
    }
    if (!equal) {
      errs.push_back(head + ",\n        exp: " + SamplesString(exp) +
                     "\n        got: " + SamplesString(got));
    }
  }

  const TestGroup& tg_;
  const GroupRunOptions& opts_;
  SeriesStore store_{StoreOptions{.retention = std::chrono::milliseconds(0)}};
  promql::HistogramSeriesMap histograms_;
  promql::HistogramOverlayQueryable data_{store_, histograms_};
  std::map<std::string, std::set<Labels>> recorded_;  // histogram series per rule source
  promql::Engine engine_;
  std::vector<std::unique_ptr<Group>> groups_;
};

}  // namespace

std::vector<std::string> RunTestGroup(const TestGroup& tg, const GroupRunOptions& options) {
  return GroupRunner(tg, options).Run();
}

}  // namespace tocsin::rules
