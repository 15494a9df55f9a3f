// Prettify against the cases of Prometheus's promql/parser/prettier_test.go (most run with
// the line limit lowered to 10, as there), plus the default limit of 100.
#include "agent/promql/prettier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/promql/engine.h"

namespace tocsin::promql {
namespace {

struct Case {
  std::string in, out;
};

void ExpectPretty(const std::vector<Case>& cases, size_t max_line) {
  for (const Case& c : cases) {
    auto e = Parse(c.in);
    ASSERT_TRUE(e.ok()) << c.in << ": " << e.status().message();
    EXPECT_EQ(Prettify(**e, max_line), c.out) << "input: " << c.in;
    // The pretty text parses back to the same expression.
    auto again = Parse(Prettify(**e, max_line));
    ASSERT_TRUE(again.ok()) << Prettify(**e, max_line);
    EXPECT_EQ(ToString(**again), ToString(**e));
  }
}

TEST(PrettierTest, Aggregations) {
  ExpectPretty(
      {{"sum(foo)", "sum(foo)"},
       {R"(sum by() (task:errors:rate10s{job="s"}))", "sum(\n  task:errors:rate10s{job=\"s\"}\n)"},
       {R"(sum without(job,foo) (task:errors:rate10s{job="s"}))",
        "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
       {R"(sum(task:errors:rate10s{job="s"}) without(job,foo))",
        "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
       {R"(sum (task:errors:rate10s{job="s"}) by(job,foo))",
        "sum by (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
       {R"(topk(10, ask:errors:rate10s{job="s"}))",
        "topk(\n  10,\n  ask:errors:rate10s{job=\"s\"}\n)"},
       {R"(sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job="s"})))",
        "sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n"
        "  )\n)"},
       {"sum by(job,foo) # Comment 1.\n(sum by(job,foo) ( # Comment 2.\n"
        "task:errors:rate10s{job=\"s\"}))",
        "sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n"
        "  )\n)"}},
      10);
}

TEST(PrettierTest, BinaryOperators) {
  ExpectPretty(
      {{"a+b", "a + b"},
       {"a == bool 1", "  a\n== bool\n  1"},
       {"a + ignoring(job) b", "  a\n+ ignoring (job)\n  b"},
       {"foo_1 + foo_2", "  foo_1\n+\n  foo_2"},
       {"foo_1 + foo_2 + foo_3", "    foo_1\n  +\n    foo_2\n+\n  foo_3"},
       {"foo + baar + foo_3", "  foo + baar\n+\n  foo_3"},
       {"foo_1 + foo_2 + foo_3 + foo_4",
        "      foo_1\n    +\n      foo_2\n  +\n    foo_3\n+\n  foo_4"},
       {"foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) "
        "group_right foo_4",
        "      foo_1\n    + ignoring (foo)\n      foo_2\n  + ignoring (job) group_left ()\n"
        "    foo_3\n+ on (instance) group_right ()\n  foo_4"}},
      10);
}

TEST(PrettierTest, Calls) {
  ExpectPretty(
      {{"rate(foo[1m])", "rate(\n  foo[1m]\n)"},
       {"sum_over_time(foo[1m])", "sum_over_time(\n  foo[1m]\n)"},
       {"rate(long_vector_selector[10m:1m] @ start() offset 1m)",
        "rate(\n  long_vector_selector[10m:1m] @ start() offset 1m\n)"},
       {"histogram_quantile(0.9, rate(foo[1m]))",
        "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)"},
       {"max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m)",
        "max_over_time(\n  rate(\n    demo_api_request_duration_seconds_count[1m]\n  )[1m:] @ "
        "start() offset 1m\n)"},
       {R"(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*"))",
        "label_replace(\n  up{job=\"api-server\",service=\"a:c\"},\n  \"foo\",\n  \"$1\",\n"
        "  \"service\",\n  \"(.*):.*\"\n)"}},
      10);
}

TEST(PrettierTest, Parentheses) {
  ExpectPretty(
      {{"(foo)", "(foo)"},
       {"(_foo_long_)", "(\n  _foo_long_\n)"},
       {"((foo_long))", "(\n  (foo_long)\n)"},
       {"((_foo_long_))", "(\n  (\n    _foo_long_\n  )\n)"},
       {"(((foo_long)))", "(\n  (\n    (foo_long)\n  )\n)"},
       {"(1 + 2)", "(1 + 2)"},
       {"(foo + bar)", "(\n  foo + bar\n)"},
       {"(foo_long + bar_long)", "(\n    foo_long\n  +\n    bar_long\n)"},
       {"((foo_long + bar_long) + bar_2_long)",
        "(\n    (\n        foo_long\n      +\n        bar_long\n    )\n  +\n    bar_2_long\n)"},
       {"(1111 + 2222)", "(\n    1111\n  +\n    2222\n)"}},
      10);
}

TEST(PrettierTest, StepInvariantAndUnary) {
  ExpectPretty({{"a @ 1", "a @ 1.000"},
                {"vector_selector @ start()", "vector_selector @ start()"},
                {"-1", "-1"},
                {"-vector_selector", "-vector_selector"},
                {"(-vector_selector)", "(\n  -vector_selector\n)"},
                {"-histogram_quantile(0.9,rate(foo[1m]))",
                 "-histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)"},
                {"-histogram_quantile(0.9, -rate(foo[1m] @ start()))",
                 "-histogram_quantile(\n  0.9,\n  -rate(\n    foo[1m] @ start()\n  )\n)"}},
               10);
}

TEST(PrettierTest, MixinQueries) {
  ExpectPretty(
      {{R"((node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0))",
        R"(  (
        node_timex_offset_seconds
      >
        0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      >=
        0
  )
or
  (
        node_timex_offset_seconds
      <
        -0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      <=
        0
  ))"},
       {R"(min by (job, integration) (rate(alertmanager_notifications_failed_total{job="alertmanager", integration=~".*"}[5m]) / rate(alertmanager_notifications_total{job="alertmanager", integration="~.*"}[5m])) > 0.01)",
        R"(  min by (job, integration) (
      rate(
        alertmanager_notifications_failed_total{integration=~".*",job="alertmanager"}[5m]
      )
    /
      rate(
        alertmanager_notifications_total{integration="~.*",job="alertmanager"}[5m]
      )
  )
>
  0.01)"},
       {R"((count by (job) (changes(process_start_time_seconds{job="alertmanager"}[10m]) > 4) / count by (job) (up{job="alertmanager"})) >= 0.5)",
        R"(  (
      count by (job) (
          changes(
            process_start_time_seconds{job="alertmanager"}[10m]
          )
        >
          4
      )
    /
      count by (job) (
        up{job="alertmanager"}
      )
  )
>=
  0.5)"}},
      10);
}

TEST(PrettierTest, DefaultLimitKeepsShortQueriesOnOneLine) {
  auto e = Parse("sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Prettify(**e), "sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))");
  // 101 bytes of one-line text split; a subquery that fits prints without an indent of its own.
  auto sq = Parse("rate(foo[5m])[1h:5m]");
  ASSERT_TRUE(sq.ok());
  EXPECT_EQ(Prettify(**sq), "rate(foo[5m])[1h:5m]");
}

}  // namespace
}  // namespace tocsin::promql
