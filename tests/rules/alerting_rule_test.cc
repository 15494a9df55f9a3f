#include "rules/alerting_rule.h"

#include <gtest/gtest.h>

#include "rules/recording_rule.h"
#include "rules/template/parser.h"
#include "rules/template/render.h"

namespace tocsin::rules {
namespace {

constexpr int64_t kMin = 60'000;

RuleSpec Spec(std::chrono::milliseconds for_d, std::chrono::milliseconds keep = {}) {
  RuleSpec s;
  s.kind = RuleSpec::Kind::kAlerting;
  s.name = "A";
  s.expr_text = "x > 0";
  s.for_duration = for_d;
  s.keep_firing_for = keep;
  return s;
}

promql::Vector One(double v = 1) {
  return {promql::InstantSample{Labels{{"__name__", "x"}, {"i", "1"}}, v}};
}

// One row per evaluation: is the series present, then the expected state of its alert instance
// (kUnknown = no instance tracked) and the timestamps after that evaluation.
struct Step {
  int64_t t_min;
  bool present;
  AlertState state;
  std::optional<int64_t> active_min, fired_min, resolved_min, keep_since_min;
};

void RunTable(AlertingRule& rule, const std::vector<Step>& steps) {
  for (const Step& s : steps) {
    auto out = rule.Eval(s.present ? One() : promql::Vector{}, s.t_min * kMin, 0);
    ASSERT_TRUE(out.ok()) << out.status().message();
    auto alerts = rule.CurrentAlerts();
    SCOPED_TRACE("t=" + std::to_string(s.t_min) + "m");
    if (s.state == AlertState::kUnknown) {
      EXPECT_TRUE(alerts.empty());
      continue;
    }
    ASSERT_EQ(alerts.size(), 1u);
    const Alert& a = alerts[0];
    EXPECT_EQ(AlertStateName(a.state), AlertStateName(s.state));
    auto ms = [](std::optional<int64_t> m) {
      return m ? std::optional<int64_t>(*m * kMin) : std::nullopt;
    };
    if (s.active_min) {
      EXPECT_EQ(a.active_at, *s.active_min * kMin);
    }
    EXPECT_EQ(a.fired_at, ms(s.fired_min));
    EXPECT_EQ(a.resolved_at, ms(s.resolved_min));
    EXPECT_EQ(a.keep_firing_since, ms(s.keep_since_min));
  }
}

using S = AlertState;

TEST(AlertingRule, ForBoundaryAndResolvedRetention) {
  AlertingRule rule(Spec(std::chrono::minutes(2)), {});
  EXPECT_EQ(rule.State(), S::kUnknown);
  RunTable(rule, {
                     {0, true, S::kPending, 0, {}, {}, {}},
                     {1, true, S::kPending, 0, {}, {}, {}},
                     {2, true, S::kFiring, 0, 2, {}, {}},  // ts - ActiveAt == for: fires
                     {3, false, S::kInactive, 0, 2, 3, {}},
                     {18, false, S::kInactive, 0, 2, 3, {}},    // 15m after: still retained
                     {19, false, S::kUnknown, {}, {}, {}, {}},  // > 15m: dropped
                 });
}

TEST(AlertingRule, PendingVanishesAndResolvedRestartsPending) {
  AlertingRule rule(Spec(std::chrono::minutes(2)), {});
  RunTable(rule, {
                     {0, true, S::kPending, 0, {}, {}, {}},
                     {1, false, S::kUnknown, {}, {}, {}, {}},  // pending: deleted at once
                     {2, true, S::kPending, 2, {}, {}, {}},
                     {4, true, S::kFiring, 2, 4, {}, {}},
                     {5, false, S::kInactive, 2, 4, 5, {}},
                     {6, true, S::kPending, 6, {}, {}, {}},  // re-appears: new ActiveAt
                 });
}

TEST(AlertingRule, ForZeroFiresOnFirstEvaluation) {
  AlertingRule rule(Spec(std::chrono::minutes(0)), {});
  RunTable(rule, {{0, true, S::kFiring, 0, 0, {}, {}}});
  EXPECT_EQ(rule.State(), S::kFiring);
}

TEST(AlertingRule, KeepFiringFor) {
  AlertingRule rule(Spec(std::chrono::minutes(1), std::chrono::minutes(3)), {});
  RunTable(rule, {
                     {0, true, S::kPending, 0, {}, {}, {}},
                     {1, true, S::kFiring, 0, 1, {}, {}},
                     {2, false, S::kFiring, 0, 1, {}, 2},
                     {4, false, S::kFiring, 0, 1, {}, 2},  // 4 - 2 < 3
                     {5, true, S::kFiring, 0, 1, {}, {}},  // back: KeepFiringSince reset
                     {6, false, S::kFiring, 0, 1, {}, 6},
                     {9, false, S::kInactive, 0, 1, 9, 6},  // 9 - 6 == 3: released
                 });
}

TEST(AlertingRule, KeepFiringDoesNotApplyToPending) {
  AlertingRule rule(Spec(std::chrono::minutes(5), std::chrono::minutes(10)), {});
  RunTable(rule, {
                     {0, true, S::kPending, 0, {}, {}, {}},
                     {1, false, S::kUnknown, {}, {}, {}, {}},
                 });
}

TEST(AlertingRule, OutputsAlertsSeriesAndIdentity) {
  RuleSpec spec = Spec(std::chrono::minutes(1));
  spec.labels.push_back({"severity", "page", nullptr});
  auto t = tmpl::ParseAlertTemplate("{{ $labels.i }}-{{ $value }}", "A");
  ASSERT_TRUE(t.ok());
  spec.annotations.push_back({"summary", "{{ $labels.i }}-{{ $value }}",
                              std::make_shared<tmpl::Tree>(std::move(t).value())});
  AlertingRuleOptions options;
  options.query_offset = std::chrono::seconds(30);
  AlertingRule rule(spec, options);
  auto out = rule.Eval(One(2.5), 2 * kMin, 0);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].labels, (Labels{{"__name__", "ALERTS"},
                                      {"alertname", "A"},
                                      {"alertstate", "pending"},
                                      {"i", "1"},
                                      {"severity", "page"}}));
  EXPECT_EQ((*out)[0].t, 2 * kMin - 30'000);
  EXPECT_EQ((*out)[1].labels.MetricName(), "ALERTS_FOR_STATE");
  EXPECT_EQ((*out)[1].v, 120);
  auto alerts = rule.ActiveAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].annotations, (Labels{{"summary", "1-2.5"}}));
  // Value and annotations refresh; ActiveAt stays.
  ASSERT_TRUE(rule.Eval(One(7), 3 * kMin, 0).ok());
  alerts = rule.ActiveAlerts();
  EXPECT_EQ(alerts[0].active_at, 2 * kMin);
  EXPECT_EQ(alerts[0].value, 7);
  EXPECT_EQ(alerts[0].annotations, (Labels{{"summary", "1-7"}}));
}

TEST(AlertingRule, SameLabelsetAfterAlertLabelsIsAnError) {
  RuleSpec spec = Spec(std::chrono::minutes(0));
  spec.labels.push_back({"i", "fixed", nullptr});
  AlertingRule rule(spec, {});
  promql::Vector v = {{Labels{{"i", "1"}}, 1}, {Labels{{"i", "2"}}, 1}};
  auto out = rule.Eval(v, 0, 0);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "vector contains metrics with the same labelset after applying alert labels");
}

TEST(AlertingRule, LimitClearsEverything) {
  AlertingRule rule(Spec(std::chrono::minutes(0)), {});
  promql::Vector v = {{Labels{{"i", "1"}}, 1}, {Labels{{"i", "2"}}, 1}};
  ASSERT_TRUE(rule.Eval(v, 0, 2).ok());
  auto out = rule.Eval(v, kMin, 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(rule.CurrentAlerts().empty());
}

TEST(AlertingRule, SendSchedule) {
  AlertingRule rule(Spec(std::chrono::minutes(0)), {});
  const auto delay = std::chrono::minutes(1), interval = std::chrono::minutes(1);
  ASSERT_TRUE(rule.Eval(One(), 0, 0).ok());
  auto sent = rule.AlertsToSend(0, delay, interval);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].valid_until, 4 * kMin);
  ASSERT_TRUE(rule.Eval(One(), kMin, 0).ok());
  EXPECT_TRUE(rule.AlertsToSend(kMin, delay, interval).empty());  // 0 + 1m is not before 1m
  ASSERT_TRUE(rule.Eval(One(), 2 * kMin, 0).ok());
  EXPECT_EQ(rule.AlertsToSend(2 * kMin, delay, interval).size(), 1u);
  ASSERT_TRUE(rule.Eval({}, 3 * kMin, 0).ok());
  sent = rule.AlertsToSend(3 * kMin, delay, interval);  // resolution goes out at once
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].resolved_at, 3 * kMin);
}

TEST(RecordingRule, RenamesAndChecksLabelsets) {
  RuleSpec spec;
  spec.kind = RuleSpec::Kind::kRecording;
  spec.name = "job:x";
  spec.labels.push_back({"i", "fixed", nullptr});
  RecordingRule rule(spec);
  auto out = rule.Eval({{Labels{{"__name__", "x"}, {"job", "a"}}, 3}}, 5, 0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].labels, (Labels{{"__name__", "job:x"}, {"i", "fixed"}, {"job", "a"}}));
  auto dup = rule.Eval({{Labels{{"i", "1"}}, 1}, {Labels{{"i", "2"}}, 1}}, 5, 0);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(),
            "vector contains metrics with the same labelset after applying rule labels");
  auto lim = rule.Eval({{Labels{{"a", "1"}}, 1}, {Labels{{"a", "2"}}, 1}}, 5, 1);
  ASSERT_FALSE(lim.ok());
  EXPECT_EQ(lim.status().message(), "exceeded limit of 1 with 2 series");
}

TEST(TemplateRender, FormatsValuesLikeGo) {
  EXPECT_EQ(tmpl::GoFormatFloatV(123456), "123456");
  EXPECT_EQ(tmpl::GoFormatFloatV(1e6), "1e+06");
  EXPECT_EQ(tmpl::GoFormatFloatV(1234567), "1.234567e+06");
  EXPECT_EQ(tmpl::GoFormatFloatV(0.00001), "1e-05");
  EXPECT_EQ(tmpl::GoFormatFloatV(0.5), "0.5");
  EXPECT_EQ(tmpl::GoFormatFloatV(0.1), "0.1");
  EXPECT_EQ(tmpl::GoFormatFloatV(-2), "-2");
  Labels labels{{"instance", "db-1:9100"}, {"job", "pg"}};
  struct Case {
    const char* text;
    double value;
    const char* want;
  } cases[] = {
      {"{{ $labels.instance }} {{ .Labels.job }}", 0, "db-1:9100 pg"},
      {"{{ $value | humanize }}", 1234567, "1.235M"},
      {"{{ humanize 0.0012 }}", 0, "1.2m"},
      {"{{ humanizePercentage $value }}", 0.1234, "12.34%"},
      {"{{ printf \"%.2f\" $value }}", 3.14159, "3.14"},
      {"{{ if gt $value 1.0 }}big{{ else }}small{{ end }}", 2, "big"},
      {"{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", 0, "instance=db-1:9100;job=pg;"},
      {"{{ $labels.missing }}|", 0, "|"},
      {"{{ toUpper $labels.job }} {{ $labels.instance | stripPort }}", 0, "PG db-1"},
  };
  for (const auto& c : cases) {
    auto t = tmpl::ParseAlertTemplate(c.text, "A");
    ASSERT_TRUE(t.ok()) << c.text;
    tmpl::AlertTemplateData data;
    data.labels = &labels;
    data.value = c.value;
    auto r = tmpl::Render(*t, data);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().message();
    EXPECT_EQ(*r, c.want) << c.text;
  }
}

}  // namespace
}  // namespace tocsin::rules
