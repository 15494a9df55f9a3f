#include "rules/test_rules.h"

#include <glob.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "agent/core/duration.h"
#include "agent/promql/engine.h"
#include "agent/promql/series_notation.h"
#include "agent/store/series_store.h"
#include "rules/group.h"
#include "rules/rule_file.h"
#include "rules/template/lexer.h"
#include "rules/template_query.h"
#include "rules/test_file.h"

namespace tocsin::rules {

std::string GoDurationString(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  int64_t h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60, frac = ms % 1000;
  if (ms < 1000) return out + std::to_string(ms) + "ms";
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

std::string GoLabelsString(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out += ", ";
    first = false;
    out += l.name + "=" + tmpl::GoQuote(l.value);
  }
  return out + "}";
}

std::string GoFormatFloatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, p);
  for (char& c : s) {
    if (c == 'e') c = 'E';
  }
  return s;
}

namespace {

using AlertList = std::vector<std::pair<Labels, Labels>>;  // labels, annotations

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

std::string SamplesString(const std::vector<std::pair<Labels, double>>& s) {
  if (s.empty()) return "nil";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ", ";
    out += GoLabelsString(s[i].first) + " " + GoFormatFloatE(s[i].second);
  }
  return out;
}

Labels FromPairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<Label> v;
  for (const auto& [n, val] : pairs) v.push_back({n, val});
  return Labels::FromUnsorted(std::move(v));
}

class GroupRunner {
 public:
  GroupRunner(const TestGroup& tg, std::chrono::milliseconds eval_interval,
              const std::map<std::string, size_t>& order, const std::vector<std::string>& files)
      : tg_(tg), eval_interval_(eval_interval), order_(order), files_(files) {}

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
    int64_t maxt = 0;
    for (const auto& a : tg_.alert_rule_test) maxt = std::max(maxt, a.eval_time.count());
    for (const auto& p : tg_.promql_expr_test) maxt = std::max(maxt, p.eval_time.count());

    auto next_check = alert_tests.begin();
    const int64_t step = eval_interval_.count();
    for (int64_t ts = 0; ts <= maxt; ts += step) {
      std::vector<std::string> eval_errs;
      for (auto& g : groups_) {
        g->Eval(ts);
        for (size_t i = 0; i < g->size(); ++i) {
          const Status& st = g->rule(i).last_error();
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
      while (next_check != alert_tests.end() && ts <= next_check->first &&
             next_check->first < ts + step) {
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
    for (const auto& s : tg_.input_series) {
      auto labels = promql::ParseSeriesLabels(s.series);
      if (!labels.ok()) {
        errs.push_back(labels.status().message());
        return false;
      }
      auto values = promql::ParseSeriesValues(s.values);
      if (!values.ok()) {
        errs.push_back(values.status().message());
        return false;
      }
      for (size_t i = 0; i < values->size(); ++i) {
        if (!(*values)[i]) continue;
        Status st =
            app->AddAt(*labels, static_cast<int64_t>(i) * tg_.interval.count(), *(*values)[i]);
        if (!st.ok()) {
          errs.push_back(st.message());
          return false;
        }
      }
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
    for (const auto& f : files_) {
      RuleFileLoad load = LoadRuleFile(f);
      if (!load.ok()) {
        errs.insert(errs.end(), load.errors.begin(), load.errors.end());
        continue;
      }
      for (auto& gs : load.file.groups) {
        GroupOptions go;
        go.engine = &engine_;
        go.store = &store_;
        go.external_labels = FromPairs(tg_.external_labels);
        go.external_url = tg_.external_url;
        go.default_interval = tg_.interval;
        go.alerts_restored = true;
        go.file = f;
        go.template_query = MakeTemplateQuery(&engine_, &store_);
        auto it = order_.find(gs.name);
        size_t idx = it == order_.end() ? 0 : it->second;
        ordered.emplace_back(idx, std::make_unique<Group>(std::move(gs), std::move(go)));
      }
    }
    if (!errs.empty()) return false;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [i, g] : ordered) groups_.push_back(std::move(g));
    return true;
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

  void CheckPromql(const PromqlTestCase& pc, std::vector<std::string>& errs) {
    const std::string head =
        "    expr: " + tmpl::GoQuote(pc.expr) + ", time: " + FormatDuration(pc.eval_time);
    auto expr = promql::Parse(pc.expr);
    if (!expr.ok()) {
      errs.push_back(head + ", err: " + expr.status().message());
      return;
    }
    auto value = engine_.Instant(*expr, store_, pc.eval_time.count());
    if (!value.ok()) {
      errs.push_back(head + ", err: " + value.status().message());
      return;
    }
    std::vector<std::pair<Labels, double>> got;
    if (value->type == promql::ValueType::kVector) {
      for (const auto& s : value->vector) got.emplace_back(s.labels, s.v);
    } else if (value->type == promql::ValueType::kScalar) {
      got.emplace_back(Labels(), value->scalar);
    } else {
      errs.push_back(head + ", err: rule result is not a vector or scalar");
      return;
    }
    std::vector<std::pair<Labels, double>> exp;
    for (const auto& s : pc.exp_samples) {
      Labels l;
      if (!s.labels.empty()) {
        auto parsed = promql::ParseSeriesLabels(s.labels);
        if (!parsed.ok()) {
          errs.push_back(head + ", err: labels " + tmpl::GoQuote(s.labels) + ": " +
                         parsed.status().message());
          return;
        }
        l = *parsed;
      }
      exp.emplace_back(std::move(l), s.value);
    }
    auto by_labels = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::stable_sort(exp.begin(), exp.end(), by_labels);
    std::stable_sort(got.begin(), got.end(), by_labels);
    bool equal = exp.size() == got.size();
    for (size_t i = 0; equal && i < exp.size(); ++i) {
      equal = exp[i].first == got[i].first && exp[i].second == got[i].second;  // NaN != NaN
    }
    if (!equal) {
      errs.push_back(head + ",\n        exp: " + SamplesString(exp) +
                     "\n        got: " + SamplesString(got));
    }
  }

  const TestGroup& tg_;
  std::chrono::milliseconds eval_interval_;
  const std::map<std::string, size_t>& order_;
  const std::vector<std::string>& files_;
  SeriesStore store_{StoreOptions{.retention = std::chrono::milliseconds(0)}};
  promql::Engine engine_;
  std::vector<std::unique_ptr<Group>> groups_;
};

// filepath.Join(dir, rel) + filepath.Glob, with promtool's warning for a pattern matching nothing.
std::vector<std::string> ResolveRuleFiles(const std::string& test_file,
                                          const std::vector<std::string>& patterns,
                                          std::ostream& err) {
  std::filesystem::path dir = std::filesystem::path(test_file).parent_path();
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    std::string full = p;
    if (!p.empty() && p[0] != '/') {
      full = (dir.empty() ? std::filesystem::path(p) : dir / p).lexically_normal().string();
    }
    glob_t g{};
    int rc = glob(full.c_str(), 0, nullptr, &g);
    if (rc != 0 || g.gl_pathc == 0) {
      err << "  WARNING: no file match pattern " << full << "\n";
    } else {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  return out;
}

std::vector<std::string> RunFile(const std::string& path, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {"open " + path + ": no such file or directory"};
  std::stringstream ss;
  ss << in.rdbuf();
  TestFile tf;
  std::string error;
  if (!ParseTestFile(ss.str(), path, tf, error)) return {error};
  std::vector<std::string> files = ResolveRuleFiles(path, tf.rule_files, err);
  auto eval_interval = tf.evaluation_interval.count() == 0 ? std::chrono::milliseconds(60000)
                                                           : tf.evaluation_interval;
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < tf.group_eval_order.size(); ++i) {
    if (!order.emplace(tf.group_eval_order[i], i).second) {
      return {"group name repeated in evaluation order: " + tf.group_eval_order[i]};
    }
  }
  std::vector<std::string> errs;
  for (const auto& tg : tf.tests) {
    auto e = GroupRunner(tg, eval_interval, order, files).Run();
    errs.insert(errs.end(), e.begin(), e.end());
  }
  return errs;
}

}  // namespace

int RunTestRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  bool failed = false;
  for (const auto& f : files) {
    out << "Unit Testing:  " << f << "\n";
    out.flush();
    auto errs = RunFile(f, err);
    if (!errs.empty()) {
      err << "  FAILED:\n";
      for (const auto& e : errs) {
        err << e << "\n";
        out << "\n";
      }
      failed = true;
    } else {
      out << "  SUCCESS\n";
    }
    out << "\n";
    out.flush();
    err.flush();
  }
  return failed ? 1 : 0;
}

}  // namespace tocsin::rules
