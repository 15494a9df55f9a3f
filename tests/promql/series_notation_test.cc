#include "agent/promql/series_notation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "agent/store/queryable.h"

namespace tocsin::promql {
namespace {

std::vector<double> Floats(const SeriesValues& v) {
  std::vector<double> out;
  for (const auto& x : v) out.push_back(x.has_value() ? *x : -12345);
  return out;
}

TEST(SeriesNotationTest, ExpandsPromtoolForms) {
  EXPECT_EQ(Floats(*ParseSeriesValues("1+2x3")), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(Floats(*ParseSeriesValues("1-1x4")), (std::vector<double>{1, 0, -1, -2, -3}));
  EXPECT_EQ(Floats(*ParseSeriesValues("5x3")), (std::vector<double>{5, 5, 5, 5}));
  EXPECT_EQ(Floats(*ParseSeriesValues("-1-1x2")), (std::vector<double>{-1, -2, -3}));
  EXPECT_EQ(Floats(*ParseSeriesValues("_ _x3 4")),
            (std::vector<double>{-12345, -12345, -12345, -12345, 4}));
  EXPECT_EQ(Floats(*ParseSeriesValues("  1e3 .5 2. -0.2e-6 ")),
            (std::vector<double>{1000, 0.5, 2, -0.2e-6}));
  EXPECT_TRUE(ParseSeriesValues("")->empty());
}

TEST(SeriesNotationTest, SpecialValues) {
  auto v = *ParseSeriesValues("stale NaN Inf -Inf +inf nan");
  ASSERT_EQ(v.size(), 6u);
  EXPECT_TRUE(IsStaleNaN(*v[0]));
  EXPECT_TRUE(std::isnan(*v[1]) && !IsStaleNaN(*v[1]));
  EXPECT_EQ(*v[2], INFINITY);
  EXPECT_EQ(*v[3], -INFINITY);
  EXPECT_EQ(*v[4], INFINITY);
  EXPECT_TRUE(std::isnan(*v[5]));
}

TEST(SeriesNotationTest, AddsStepByStepLikePrometheus) {
  auto v = *ParseSeriesValues("0+0.1x3");
  double acc = 0;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(*v[i], acc);  // exact: repeated addition, not 0.1*i
    acc += 0.1;
  }
}

TEST(SeriesNotationTest, RejectsMalformed) {
  for (const char* s : {"1+", "x3", "1x", "1+2", "abc", "1+2y3", "_x", "{{schema:1}}"}) {
    EXPECT_FALSE(ParseSeriesValues(s).ok()) << s;
  }
  EXPECT_EQ(ParseSeriesValues("{{schema:0 sum:5}}").status().message().rfind("native histogram", 0),
            0u);
}

TEST(SeriesNotationTest, ParsesDescriptions) {
  auto d = ParseSeriesDescription("http_requests{job=\"api\", instance='0',} 0+10x2");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->labels, (Labels{{"__name__", "http_requests"}, {"job", "api"}, {"instance", "0"}}));
  EXPECT_EQ(Floats(d->values), (std::vector<double>{0, 10, 20}));

  d = ParseSeriesDescription("{__name__=\"m\", a=\"b\\n\"} 1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->labels, (Labels{{"__name__", "m"}, {"a", "b\n"}}));

  d = ParseSeriesDescription("node_namespace_pod:kube_pod_info: 1 _");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->labels.MetricName(), "node_namespace_pod:kube_pod_info:");
  EXPECT_EQ(d->values.size(), 2u);

  d = ParseSeriesDescription("{\"my.metric\", \"a.b\"=\"c\"} 1");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->labels, (Labels{{"__name__", "my.metric"}, {"a.b", "c"}}));

  EXPECT_FALSE(ParseSeriesDescription("m{a=\"b\" 1").ok());
  EXPECT_FALSE(ParseSeriesDescription("m{a=b} 1").ok());
  EXPECT_FALSE(ParseSeriesDescription("m{a=\"b\",a=\"c\"} 1").ok());
  EXPECT_FALSE(ParseSeriesDescription("m{__name__=\"x\"} 1").ok());
}

TEST(SeriesNotationTest, LabelsOnly) {
  EXPECT_EQ(*ParseSeriesLabels("{}"), Labels{});
  EXPECT_EQ(*ParseSeriesLabels("up"), (Labels{{"__name__", "up"}}));
  EXPECT_FALSE(ParseSeriesLabels("up 1").ok());
}

}  // namespace
}  // namespace tocsin::promql
