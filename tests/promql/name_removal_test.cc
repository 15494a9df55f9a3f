// __name__ removal as Prometheus 3.0 does it by default (promql-delayed-name-removal off): each
// function and operator that changes values drops the name at once, and equal label sets are
// the error "vector cannot contain metrics with the same labelset" where Prometheus checks,
// per step or over a node's whole result matrix. Written as promqltest scripts.
#include <gtest/gtest.h>

#include <sstream>

#include "agent/promql/test_script.h"

namespace tocsin::promql {
namespace {

void ExpectAllPass(std::string_view script, int cases) {
  std::ostringstream out;
  auto r = RunPromqlTestScript("script", script, out);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->failed, 0) << out.str();
  EXPECT_EQ(r->passed, cases) << out.str();
}

TEST(NameRemovalTest, FunctionsAndOperatorsDropTheNameAtOnce) {
  ExpectAllPass(R"script(
load 1m
  http_requests_total{job="a", instance="1"} 0+10x20
  x{instance="1"} 1+1x20
  a{k="1"} 1+1x20
  b{k="1"} 2+1x20

# label_join and label_replace see the result without a name.
eval instant at 10m label_join(increase(http_requests_total[5m]), "host", ",", "__name__")
  {job="a", instance="1"} 50

eval instant at 10m label_replace(rate(x[5m]), "n", "$1", "__name__", "(.+)")
  {instance="1"} 0.016666666666666666

# on(__name__) matches name-less results against named ones: nothing.
eval instant at 10m max_over_time(x[10m]) + on(__name__, instance) x

# Kept: last_over_time, comparisons without bool, sort; dropped: bool, element-wise functions.
eval instant at 10m last_over_time(x[5m])
  x{instance="1"} 11

eval instant at 10m x > 10
  x{instance="1"} 11

eval instant at 10m x > bool 10
  {instance="1"} 1

eval instant at 10m sort(x)
  x{instance="1"} 11

eval instant at 10m round(abs(timestamp(x)))
  {instance="1"} 600

# group_left(__name__) brings the other side's name back after arithmetic dropped it.
eval instant at 10m x * on(instance) group_left(__name__) http_requests_total
  http_requests_total{instance="1"} 1100

# Equal label sets once the names are gone.
eval_fail instant at 10m count by (k) (rate({__name__=~"a|b"}[5m]))
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail instant at 10m abs({__name__=~"a|b"})
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail instant at 10m {__name__=~"a|b"} + 1
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail instant at 10m -{__name__=~"a|b"}
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail instant at 10m label_replace({__name__=~"a|b"}, "__name__", "", "k", ".*")
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail instant at 10m label_join({__name__=~"a|b"}, "__name__", "", "k")
  expected_fail_message vector cannot contain metrics with the same labelset
)script",
                15);
}

TEST(NameRemovalTest, ClassicHistogramsOfTwoNamesCollide) {
  ExpectAllPass(R"script(
load 1m
  h1_bucket{le="1"} 1
  h1_bucket{le="+Inf"} 2
  h2_bucket{le="1"} 1
  h2_bucket{le="+Inf"} 4

eval instant at 0m histogram_quantile(0.5, h1_bucket)
  {} 1

eval_fail instant at 0m histogram_quantile(0.5, {__name__=~"h1_bucket|h2_bucket"})
  expected_fail_message vector cannot contain metrics with the same labelset
)script",
                2);
}

// Prometheus evaluates each node once over all its steps: a range function's and unary minus's
// result matrix may not hold two series with one label set even when they never share a step;
// operators evaluated step by step only fail on a shared step, and merge the series otherwise.
TEST(NameRemovalTest, WholeMatrixChecksSpanStepsAndSubqueries) {
  ExpectAllPass(R"script(
load 1m
  p{k="1"} 1 1 1 _ _ _ _ _ _ _ _
  q{k="1"} _ _ _ _ _ _ _ _ 1 1 1

eval_fail range from 0 to 10m step 1m count_over_time({__name__=~"p|q"}[1m])
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail range from 0 to 10m step 1m -{__name__=~"p|q"}
  expected_fail_message vector cannot contain metrics with the same labelset

eval_fail instant at 10m max_over_time(count_over_time({__name__=~"p|q"}[1m])[10m:1m])
  expected_fail_message vector cannot contain metrics with the same labelset

eval range from 0 to 10m step 1m {__name__=~"p|q"} * 2
  {k="1"} 2 2 2 2 2 2 2 _ 2 2 2

eval range from 0 to 10m step 1m last_over_time({__name__=~"p|q"}[1m])
  p{k="1"} 1 1 1 _ _ _ _ _ _ _ _
  q{k="1"} _ _ _ _ _ _ _ _ 1 1 1
)script",
                5);
}

// A subquery keeps a series that has its name at some steps apart from the same labels without
// the name at others (the two sides of `or` here).
TEST(NameRemovalTest, SubqueryKeepsNamedAndNamelessSeriesApart) {
  ExpectAllPass(R"script(
load 1m
  a{k="1"} 1 1 1 1 1 _ _ _ _ _ _

eval instant at 10m last_over_time((a or on() (a offset 5m * 3))[10m:1m])
  a{k="1"} 1
  {k="1"} 3

eval_fail instant at 10m count_over_time((a or on() (a offset 5m * 3))[10m:1m])
  expected_fail_message vector cannot contain metrics with the same labelset
)script",
                2);
}

}  // namespace
}  // namespace tocsin::promql
