#include "agent/store/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "agent/store/series_store.h"
#include "agent/store/sliding_window_sketch.h"
#include "agent/store/summary_export.h"

namespace tocsin {
namespace {

constexpr double kQs[] = {0.0, 0.5, 0.95, 0.99, 1.0};

double Exact(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

void ExpectAccurate(const std::vector<double>& data, const QuantileSketch& s, double alpha) {
  ASSERT_EQ(s.count(), data.size());
  for (double q : kQs) {
    double want = Exact(data, q);
    double got = s.Quantile(q);
    EXPECT_LE(std::fabs(got - want), alpha * std::fabs(want) + 1e-300)
        << "q=" << q << " want " << want << " got " << got;
  }
}

std::vector<double> Generate(int kind, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  std::lognormal_distribution<double> logn(-3, 1.5);
  std::uniform_real_distribution<double> uni(0.001, 2.0);
  std::normal_distribution<double> fast(0.005, 0.0005), slow(0.8, 0.1);
  for (auto& x : v) {
    switch (kind) {
      case 0:
        x = logn(rng);
        break;
      case 1:
        x = uni(rng);
        break;
      case 2:
        x = rng() % 10 < 9 ? std::fabs(fast(rng)) : std::fabs(slow(rng));
        break;
      case 3:
        x = 0.042;
        break;
      default:
        x = uni(rng) - 1.0;
        break;  // negatives and positives
    }
  }
  return v;
}

TEST(QuantileSketchTest, AccuracyBound) {
  EXPECT_LE(QuantileSketch().relative_accuracy(), 0.01);
  EXPECT_NEAR(QuantileSketch().relative_accuracy(), 1.0 / 129, 1e-12);
  EXPECT_LE(QuantileSketch({.relative_accuracy = 0.001}).relative_accuracy(), 0.001);
}

TEST(QuantileSketchTest, WithinAlphaOnDistributions) {
  for (int kind = 0; kind < 5; ++kind) {
    for (double alpha : {0.01, 0.02, 0.001}) {
      SCOPED_TRACE(testing::Message() << "kind " << kind << " alpha " << alpha);
      auto data = Generate(kind, 20000, 42 + static_cast<uint64_t>(kind));
      // Enough buckets that nothing collapses (2^m sub-buckets per power of two).
      QuantileSketch s({.relative_accuracy = alpha, .max_buckets = 1 << 16});
      for (double x : data) s.Add(x);
      ExpectAccurate(data, s, alpha);
    }
  }
}

TEST(QuantileSketchTest, ZerosSpecialsAndEmpty) {
  QuantileSketch s;
  EXPECT_TRUE(std::isnan(s.Quantile(0.5)));
  s.Add(std::nan(""));
  EXPECT_EQ(s.count(), 0u);
  for (int i = 0; i < 10; ++i) s.Add(0.0);
  s.Add(-0.0);
  EXPECT_EQ(s.Quantile(0.5), 0.0);
  s.Add(INFINITY);
  EXPECT_EQ(s.Quantile(1.0), INFINITY);
  s.Add(-INFINITY);
  EXPECT_EQ(s.Quantile(0.0), -INFINITY);
  EXPECT_TRUE(std::isnan(s.Quantile(1.5)));
}

TEST(QuantileSketchTest, MergeEqualsUnion) {
  auto a = Generate(0, 5000, 1), b = Generate(2, 7000, 2);
  QuantileSketch sa, sb;
  for (double x : a) sa.Add(x);
  for (double x : b) sb.Add(x);
  ASSERT_TRUE(sa.Merge(sb));
  a.insert(a.end(), b.begin(), b.end());
  ExpectAccurate(a, sa, 0.01);
  EXPECT_FALSE(sa.Merge(QuantileSketch({.relative_accuracy = 0.1})));
}

TEST(QuantileSketchTest, CollapsesLowestBucketsButKeepsHighQuantiles) {
  QuantileSketch s({.relative_accuracy = 0.01, .max_buckets = 128});
  std::vector<double> data;
  for (int i = 0; i < 10000; ++i) data.push_back(std::ldexp(1.0 + (i % 64) / 64.0, i % 40 - 20));
  for (double x : data) s.Add(x);
  EXPECT_LE(s.bucket_count(), 128u);
  double want = Exact(data, 0.99), got = s.Quantile(0.99);
  EXPECT_LE(std::fabs(got - want), 0.01 * want);
  EXPECT_GT(std::fabs(s.Quantile(0.0) - Exact(data, 0.0)), 0.01 * Exact(data, 0.0));  // collapsed
}

TEST(SlidingWindowSketchTest, RotatesWithTheClock) {
  FakeClock clock(1'000'000);
  SlidingWindowSketch w(
      clock, {.window = std::chrono::seconds(60), .parts = 6, .shards = 0, .sketch = {}});
  std::vector<double> old_data = Generate(1, 3000, 5), new_data = Generate(0, 3000, 6);
  for (double x : old_data) w.Observe(x * 1000);  // large values, must expire
  clock.Advance(std::chrono::seconds(30));
  w.Rotate();
  for (double x : new_data) w.Observe(x);
  auto snap = w.Read();
  EXPECT_EQ(snap.window.count(), 6000u);
  EXPECT_EQ(snap.total_count, 6000u);
  clock.Advance(std::chrono::seconds(35));  // old part (epoch of t=1000 s) is now > 60 s old
  snap = w.Read();
  EXPECT_EQ(snap.window.count(), 3000u);
  ExpectAccurate(new_data, snap.window, 0.01);
  EXPECT_EQ(snap.total_count, 6000u);  // all-time
  clock.Advance(std::chrono::minutes(10));
  snap = w.Read();
  EXPECT_EQ(snap.window.count(), 0u);
  EXPECT_TRUE(std::isnan(w.Quantiles(std::vector<double>{0.5})[0]));
  for (double x : old_data) w.Observe(x);
  ExpectAccurate(old_data, w.Read().window, 0.01);
}

TEST(SlidingWindowSketchTest, ConcurrentObserversAndReaders) {
  FakeClock clock(0);
  SlidingWindowSketch w(
      clock, {.window = std::chrono::seconds(10), .parts = 5, .shards = 2, .sketch = {}});
  constexpr int kThreads = 3, kPer = 20000;
  std::atomic<int> done{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < kPer; ++i) w.Observe(1.0 + i % 100);
      done.fetch_add(1);
    });
  }
  ts.emplace_back([&] {
    while (done.load() < kThreads) {
      auto s = w.Read();
      EXPECT_LE(s.window.count(), static_cast<uint64_t>(kThreads * kPer));
      clock.Advance(std::chrono::milliseconds(1));  // stays within the window overall
    }
  });
  for (auto& t : ts) t.join();
  EXPECT_EQ(w.Read().total_count, static_cast<uint64_t>(kThreads * kPer));
}

TEST(SummaryExportTest, WritesQuantilesSumCountAndMetadata) {
  FakeClock clock(100'000);
  SlidingWindowSketch w(clock);
  for (int i = 1; i <= 100; ++i) w.Observe(i / 100.0);
  StoreOptions o;
  SeriesStore store(o);
  auto app = store.NewAppender("statsd", 100'000);
  ASSERT_TRUE(
      WriteSummary(*app, "api_latency_seconds", Labels({{"route", "/x"}}), w, "API latency.").ok());
  ASSERT_TRUE(app->Commit().ok());
  std::string out;
  store.WriteExposition(out, 100'000, std::chrono::minutes(1));
  EXPECT_EQ(out,
            "# HELP api_latency_seconds API latency.\n"
            "# TYPE api_latency_seconds summary\n"
            // Exact: 0.5, 0.95, 0.99; each within 1/129 relative.
            "api_latency_seconds{quantile=\"0.5\",route=\"/x\"} 0.5038759689922481\n"
            "api_latency_seconds{quantile=\"0.95\",route=\"/x\"} 0.9492026748971194\n"
            "api_latency_seconds{quantile=\"0.99\",route=\"/x\"} 0.9882658102766798\n"
            "api_latency_seconds_count{route=\"/x\"} 100\n"
            "api_latency_seconds_sum{route=\"/x\"} 50.5\n");
}

}  // namespace
}  // namespace tocsin
