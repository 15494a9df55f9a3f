#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "agent/promql/engine.h"
#include "agent/store/series_store.h"
#include "tests/fakes/memory_queryable.h"

namespace tocsin::promql {
namespace {

using tocsin::testing::MemoryQueryable;
constexpr TimestampMs kMin = 60'000;

// Samples every `step` ms from 0 with the given values.
std::vector<Sample> Series(int64_t step, std::initializer_list<double> values) {
  std::vector<Sample> out;
  TimestampMs t = 0;
  for (double v : values) {
    out.push_back(Sample{t, v});
    t += step;
  }
  return out;
}

class EvalTest : public ::testing::Test {
 protected:
  Result<Value> Instant(std::string_view q, TimestampMs t) {
    auto e = Parse(q);
    if (!e.ok()) return e.status();
    return engine_.Instant(*e, data_, t);
  }
  Vector Vec(std::string_view q, TimestampMs t) {
    auto r = Instant(q, t);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().message();
    if (!r.ok()) return {};
    EXPECT_EQ(r->type, ValueType::kVector) << q;
    return r->vector;
  }
  MemoryQueryable data_;
  Engine engine_;
};

TEST_F(EvalTest, LookbackIsLeftOpenAndStaleMarkersEndSeries) {
  data_.Add({{"__name__", "m"}}, {{0, 1}, {10'000, 2}, {20'000, StaleNaN()}, {30'000, 3}});
  EXPECT_EQ(Vec("m", 10'000).at(0).v, 2);
  EXPECT_TRUE(Vec("m", 25'000).empty());  // newest sample is a stale marker
  EXPECT_EQ(Vec("m", 30'000 + 299'999).size(), 1u);
  EXPECT_TRUE(Vec("m", 30'000 + 300'000).empty());  // (t-5m, t] excludes the sample
  // Range vectors drop stale markers and are left-open too.
  EXPECT_EQ(Vec("count_over_time(m[30s])", 30'000).at(0).v, 2);
}

TEST_F(EvalTest, RateExtrapolatesLikePrometheus3) {
  // A counter scraped every 15s, increasing by 15 each scrape (1/s), with a reset.
  data_.Add({{"__name__", "c"}, {"job", "a"}},
            Series(15'000, {0,   15,  30,  45,  60,  75,  90,  105, 120, 135, 150,
                            165, 180, 195, 210, 225, 240, 255, 270, 285, 300}));
  data_.Add({{"__name__", "r"}}, Series(15'000, {10, 20, 5, 15}));
  // 20 samples in (0, 300s]: extrapolated to the whole window.
  auto v = Vec("rate(c[5m])", 5 * kMin);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_DOUBLE_EQ(v[0].v, 1.0);
  EXPECT_EQ(v[0].labels, (Labels{{"job", "a"}}));  // name dropped
  // Reset: 10 -> 20 -> 5 -> 15 is an increase of 10 + 5 + 10 = 25 over 45s sampled. The 15s
  // gap to the window start (-15s, 45s] is under 1.1 x the 15s spacing: extrapolated fully.
  auto inc = Vec("increase(r[1m])", 45'000);
  ASSERT_EQ(inc.size(), 1u);
  EXPECT_NEAR(inc[0].v, 25.0 * 60.0 / 45.0, 1e-9);
  // Window (0, 45s]: the sample at 0 sits on the open left edge and is excluded: 20, 5, 15
  // increase by 15 over 30s; the 15s start gap is extrapolated, but not below zero.
  EXPECT_NEAR(Vec("increase(r[45s])", 45'000).at(0).v, 15.0 * 45.0 / 30.0, 1e-9);
  EXPECT_EQ(Vec("irate(r[1m])", 45'000).at(0).v, 10.0 / 15.0);
  EXPECT_TRUE(Vec("rate(r[10s])", 45'000).empty());  // one sample: no rate
}

TEST_F(EvalTest, ComparisonFiltersOrReturnsBool) {
  data_.Add({{"__name__", "x"}, {"i", "1"}}, {{0, 1}});
  data_.Add({{"__name__", "x"}, {"i", "2"}}, {{0, 5}});
  auto f = Vec("x > 2", 0);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].labels, (Labels{{"__name__", "x"}, {"i", "2"}}));  // name kept, value kept
  EXPECT_EQ(f[0].v, 5);
  auto b = Vec("x > bool 2", 0);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].v, 0);
  EXPECT_EQ(b[1].v, 1);
  EXPECT_FALSE(b[0].labels.Has("__name__"));
  auto s = Instant("1 < bool 2", 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->scalar, 1);
}

TEST_F(EvalTest, GroupLeftCopiesLabelsAndReportsCardinalityErrors) {
  data_.Add({{"__name__", "usage"}, {"pod", "a"}, {"c", "1"}}, {{0, 10}});
  data_.Add({{"__name__", "usage"}, {"pod", "a"}, {"c", "2"}}, {{0, 20}});
  data_.Add({{"__name__", "info"}, {"pod", "a"}, {"node", "n1"}}, {{0, 1}});
  auto v = Vec("usage * on(pod) group_left(node) info", 0);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].labels, (Labels{{"c", "1"}, {"node", "n1"}, {"pod", "a"}}));
  auto err = Instant("usage * on(pod) info", 0);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(),
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
  auto dup = Instant("info * on(pod) group_right usage", 0);
  ASSERT_TRUE(dup.ok());
  auto mm = Instant("info + on(pod) group_left usage", 0);
  ASSERT_FALSE(mm.ok());
  EXPECT_NE(mm.status().message().find("many-to-many matching not allowed"), std::string::npos);
}

TEST_F(EvalTest, SetOperators) {
  data_.Add({{"__name__", "a"}, {"k", "1"}}, {{0, 1}});
  data_.Add({{"__name__", "a"}, {"k", "2"}}, {{0, 2}});
  data_.Add({{"__name__", "b"}, {"k", "2"}}, {{0, 3}});
  data_.Add({{"__name__", "b"}, {"k", "3"}}, {{0, 4}});
  EXPECT_EQ(Vec("a and b", 0).size(), 1u);
  EXPECT_EQ(Vec("a or b", 0).size(), 3u);
  auto u = Vec("a unless b", 0);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].v, 1);
}

TEST_F(EvalTest, AggregationsAndLabelFunctions) {
  data_.Add({{"__name__", "x"}, {"job", "a"}, {"i", "1"}}, {{0, 1}});
  data_.Add({{"__name__", "x"}, {"job", "a"}, {"i", "2"}}, {{0, 3}});
  data_.Add({{"__name__", "x"}, {"job", "b"}, {"i", "1"}}, {{0, 5}});
  auto s = Vec("sum by (job) (x)", 0);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].labels, (Labels{{"job", "a"}}));
  EXPECT_EQ(s[0].v, 4);
  EXPECT_EQ(Vec("avg(x)", 0).at(0).v, 3);
  EXPECT_EQ(Vec("quantile(0.5, x)", 0).at(0).v, 3);
  auto top = Vec("topk(1, x)", 0);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].labels.Get("job"), "b");  // topk keeps the original labels
  auto cv = Vec("count_values(\"val\", x)", 0);
  EXPECT_EQ(cv.size(), 3u);
  auto lr = Vec("label_replace(x, \"j2\", \"$1-x\", \"job\", \"(a)\")", 0);
  ASSERT_EQ(lr.size(), 3u);
  for (const auto& s : lr) {
    // {i="1",job="a"}, {i="1",job="b"}, {i="2",job="a"}: only job="a" matches.
    EXPECT_EQ(s.labels.Get("j2"), s.labels.Get("job") == "a" ? "a-x" : "") << s.labels.ToString();
  }
  // Anchored regex: "a" does not match "ab".
  EXPECT_FALSE(Vec("label_replace(x, \"j2\", \"y\", \"job\", \"\")", 0)[0].labels.Has("j2"));
}

TEST_F(EvalTest, AbsentDerivesLabelsFromEqualityMatchers) {
  auto v = Vec("absent(nonexistent{job=\"myjob\", instance=~\".*\"})", 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].labels, (Labels{{"job", "myjob"}}));
  EXPECT_EQ(Vec("absent(sum(nonexistent{job=\"x\"}))", 0).at(0).labels, Labels{});
}

TEST_F(EvalTest, HistogramQuantileOverClassicBuckets) {
  for (auto [le, v] : std::initializer_list<std::pair<const char*, double>>{
           {"0.1", 10}, {"0.5", 20}, {"1", 18}, {"+Inf", 40}}) {
    data_.Add({{"__name__", "h_bucket"}, {"le", le}, {"job", "a"}}, {{0, v}});
  }
  auto v = Vec("histogram_quantile(0.5, h_bucket)", 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].labels, (Labels{{"job", "a"}}));
  // Buckets 10, 20, 18->20 (monotonicity fix), 40: rank 20 falls at the end of (0.1, 0.5].
  EXPECT_DOUBLE_EQ(v[0].v, 0.5);
  EXPECT_DOUBLE_EQ(Vec("histogram_quantile(0.9, h_bucket)", 0).at(0).v, 1);  // +Inf bucket
  EXPECT_TRUE(std::isinf(Vec("histogram_quantile(2, h_bucket)", 0).at(0).v));
}

TEST_F(EvalTest, RangeQueryStepsOffsetAndAt) {
  data_.Add({{"__name__", "m"}}, Series(kMin, {0, 1, 2, 3, 4, 5}));
  auto e = Parse("m");
  ASSERT_TRUE(e.ok());
  auto r = engine_.Range(*e, data_, 0, 5 * kMin, std::chrono::minutes(1));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_EQ(r->matrix[0].points.size(), 6u);
  EXPECT_EQ(r->matrix[0].points[3], (Sample{3 * kMin, 3}));
  EXPECT_EQ(Vec("m offset 2m", 5 * kMin).at(0).v, 3);
  EXPECT_EQ(Vec("m @ 120", 5 * kMin).at(0).v, 2);
  EXPECT_EQ(Vec("max_over_time(m[3m:1m])", 5 * kMin).at(0).v, 5);
  auto scalar = engine_.Range(*Parse("time()"), data_, 0, 2 * kMin, std::chrono::minutes(1));
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->matrix.at(0).points.at(2).v, 120);
  auto bad = engine_.Range(*Parse("m[5m]"), data_, 0, kMin, std::chrono::minutes(1));
  EXPECT_FALSE(bad.ok());
}

// Found by the fuzzer: the step after the last one left int64 (and, wrapped, would have kept
// the loop going).
TEST_F(EvalTest, RangeQueryNearInt64LimitsEnds) {
  constexpr TimestampMs kFar = 9'200'000'000'000'000'000;
  auto r = engine_.Range(*Parse("time()"), data_, -kFar, kFar,
                         std::chrono::milliseconds(9'000'000'000'000'000'000));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matrix.at(0).points.size(), 3u);
  EXPECT_EQ(r->matrix[0].points[2].t, 8'800'000'000'000'000'000);
}

// timestamp(x @ T offset O): Prometheus reads the series at T itself (the offset is lost), but
// only among the samples its storage query fetched for the selector, [T - O - 5m + 1, T - O].
// In instant and range queries alike.
TEST_F(EvalTest, TimestampWithAtIgnoresTheOffsetWithinTheSelectedRange) {
  data_.Add({{"__name__", "t"}, {"k", "1"}}, {{2 * kMin, 1}, {11 * kMin, 1}});
  data_.Add({{"__name__", "t"}, {"k", "2"}}, {{6 * kMin, 1}});
  // k=1: the sample at or before T - O = 6m (2m) is older than T - 5m; k=2: 6m is in (5m, 7m].
  auto v = Vec("timestamp(t @ 600 offset 4m)", 0);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].labels, (Labels{{"k", "2"}}));
  EXPECT_EQ(v[0].v, 360);
  // A negative offset: the newest sample in (T + 2m - 5m, T]; 11m lies after T, 6m before.
  EXPECT_TRUE(Vec("timestamp(t @ 600 offset -2m)", 0).empty());
  EXPECT_EQ(Vec("timestamp(t @ 600 offset 3m)", 0).at(0).v, 360);
  auto r = engine_.Range(*Parse("timestamp(t @ 600 offset 4m)"), data_, 0, 2 * kMin,
                         std::chrono::minutes(1));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_EQ(r->matrix[0].points.size(), 3u);
  EXPECT_EQ(r->matrix[0].points[2].v, 360);
}

// An instant query streams the series of a range function (and feeds an enclosing aggregation
// directly); a range query and a subquery evaluate the same expression over materialised
// series. All three must agree, including stale markers, resets, NaN, parameters, functions
// that yield nothing for some series, and aggregations that keep whole elements.
TEST_F(EvalTest, StreamedInstantEvaluationMatchesMaterialisedEvaluation) {
  // The same data in the SeriesStore too, whose streamed reads decode chunks (and take the
  // newest sample without decoding when it is in the window).
  SeriesStore store(StoreOptions{.retention = std::chrono::milliseconds(0)});
  for (int i = 0; i < 12; ++i) {
    std::vector<Sample> s;
    for (int k = 0; k < 40; ++k) {
      double v = k * (i % 5 + 1);
      if (i % 4 == 1 && k > 25) v -= 100;         // a counter reset
      if (i % 6 == 2 && k == 33) v = StaleNaN();  // a stale marker inside the window
      if (i == 7 && k == 38) v = std::nan("");
      if (i == 0 && k == 39) v = StaleNaN();  // the newest sample, exactly at t, ends the series
      if (i == 5 && k > 15) continue;         // gone for longer than the lookback window
      if (i == 11 && k < 37) continue;        // too few samples for some functions
      if (i == 10 && k % 4 != 0) continue;    // sparse: one or two samples per window
      s.push_back(Sample{k * 15'000 + i * 100, v});
    }
    Labels labels{
        {"__name__", "x"}, {"job", "j" + std::to_string(i % 3)}, {"i", std::to_string(i)}};
    for (const Sample& x : s) {
      auto app = store.NewAppender("", x.t);
      ASSERT_TRUE(app->AddAt(labels, x.t, x.v).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    data_.Add(std::move(labels), std::move(s));
  }
  const TimestampMs t = 39 * 15'000;
  for (std::string_view q : {
           "x",
           "x > 50",
           "timestamp(x)",
           "x offset 1m",
           "x @ 300",
           "sum by (job) (x)",
           "x / on (i) group_left x",
           "absent(x)",
           "absent(nope)",
           "rate(x[2m])",
           "increase(x[150s])",
           "delta(x[1m])",
           "irate(x[2m])",
           "deriv(x[2m])",
           "predict_linear(x[2m], 60)",
           "quantile_over_time(0.9, x[3m])",
           "resets(x[5m])",
           "changes(x[5m])",
           "absent_over_time(x[1m])",
           "absent_over_time(nope[1m])",
           "sum by (job) (rate(x[2m]))",
           "avg without (i) (increase(x[2m]))",
           "count(max_over_time(x[1m]))",
           "topk(3, rate(x[2m]))",
           "bottomk by (job) (1, last_over_time(x[2m]))",
           "quantile by (job) (0.5, sum_over_time(x[2m]))",
           "count_values(\"v\", count_over_time(x[2m]))",
           "limitk(2, rate(x[2m]))",
           "stddev by (job) (avg_over_time(x[2m]))",
           "sum(rate(x[2m] offset 1m))",
           "sum by (job) ((rate((x[2m]))))",
       }) {
    SCOPED_TRACE(q);
    auto expr = Parse(q);
    ASSERT_TRUE(expr.ok()) << expr.status().message();
    auto streamed = engine_.Instant(*expr, data_, t);
    ASSERT_TRUE(streamed.ok()) << streamed.status().message();
    auto from_store = engine_.Instant(*expr, store, t);
    ASSERT_TRUE(from_store.ok()) << from_store.status().message();
    // Two steps: not an instant query, so the selectors are selected once and materialised.
    auto range = engine_.Range(*expr, data_, t, t + 15'000, std::chrono::seconds(15));
    ASSERT_TRUE(range.ok()) << range.status().message();
    std::vector<std::pair<Labels, double>> want;
    for (const auto& series : range->matrix) {
      for (const Sample& p : series.points) {
        if (p.t == t) want.emplace_back(series.labels, p.v);
      }
    }
    std::sort(want.begin(), want.end());
    for (const Value* instant : {&*streamed, &*from_store}) {
      std::vector<std::pair<Labels, double>> got;
      for (const auto& e : instant->vector) got.emplace_back(e.labels, e.v);
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got.size(), want.size()) << (instant == &*streamed ? "memory" : "store");
      for (size_t j = 0; j < got.size(); ++j) {
        EXPECT_EQ(got[j].first, want[j].first);
        if (std::isnan(want[j].second)) {
          EXPECT_TRUE(std::isnan(got[j].second)) << got[j].first.ToString();
        } else {
          EXPECT_EQ(got[j].second, want[j].second) << got[j].first.ToString();
        }
      }
    }
  }
}

TEST_F(EvalTest, StreamedRangeFunctionHonoursMaxSamples) {
  for (int i = 0; i < 3; ++i) {
    data_.Add({{"__name__", "x"}, {"i", std::to_string(i)}}, Series(15'000, {1, 2, 3, 4, 5}));
  }
  Engine small(EngineOptions{.max_samples = 10});
  auto r = small.Instant(*Parse("sum(count_over_time(x[1m]))"), data_, 60'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "query processing would load too many samples into memory in query execution");
  EngineOptions enough{.max_samples = 12};
  auto ok = Engine(enough).Instant(*Parse("sum(count_over_time(x[1m]))"), data_, 60'000);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->vector.at(0).v, 12);
}

}  // namespace
}  // namespace tocsin::promql

namespace tocsin::promql {
namespace {

// The caller's deadline stops an instant and a range evaluation with Prometheus's timeout
// error; until it expires the same query runs to the end.
TEST(EngineDeadlineTest, ExpiredLimitStopsEvaluation) {
  tocsin::testing::MemoryQueryable data;
  Engine engine;
  auto expr = Parse("sum_over_time(sum_over_time(vector(1)[10m:1s])[10m:1s])");
  ASSERT_TRUE(expr.ok());
  int polls = 0;
  QueryLimits limits;
  limits.expired = [&polls] { return ++polls > 20; };
  auto instant = engine.Instant(*expr, data, 3'600'000, limits);
  ASSERT_FALSE(instant.ok());
  EXPECT_EQ(instant.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(instant.status().message(), "query timed out in expression evaluation");

  polls = 0;
  auto range =
      engine.Range(*Parse("vector(1)"), data, 0, 3'600'000, std::chrono::seconds(1), limits);
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().code(), StatusCode::kDeadlineExceeded);

  QueryLimits never;
  never.expired = [] { return false; };
  auto whole = engine.Range(*Parse("vector(1)"), data, 0, 60'000, std::chrono::seconds(1), never);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->matrix.size(), 1u);
  EXPECT_EQ(whole->matrix[0].points.size(), 61u);
}

}  // namespace
}  // namespace tocsin::promql
