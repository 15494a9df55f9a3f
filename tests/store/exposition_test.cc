#include "agent/store/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>

#include "agent/store/default_labels_appender.h"
#include "agent/store/series_store.h"

namespace tocsin {
namespace {

std::string F(double v) {
  std::string s;
  AppendPromFloat(s, v);
  return s;
}

TEST(ExpositionTest, FormatsFloatsLikeGo) {
  EXPECT_EQ(F(0), "0");
  EXPECT_EQ(F(-0.0), "-0");
  EXPECT_EQ(F(1), "1");
  EXPECT_EQ(F(1.5), "1.5");
  EXPECT_EQ(F(999999), "999999");
  EXPECT_EQ(F(1e6), "1e+06");
  EXPECT_EQ(F(1234567), "1.234567e+06");
  EXPECT_EQ(F(8254656512.0), "8.254656512e+09");
  EXPECT_EQ(F(0.0001), "0.0001");
  EXPECT_EQ(F(0.00001), "1e-05");
  EXPECT_EQ(F(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(F(-12.5), "-12.5");
  EXPECT_EQ(F(1e-300), "1e-300");
  EXPECT_EQ(F(123456.7), "123456.7");
  EXPECT_EQ(F(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(F(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(F(std::nan("")), "NaN");
  EXPECT_EQ(F(StaleNaN()), "NaN");
}

class StoreExpositionTest : public ::testing::Test {
 protected:
  void Fill(SeriesStore& store) {
    auto app = store.NewAppender("system", 10'000);
    auto add = [&](std::initializer_list<Label> l, double v) {
      ASSERT_TRUE(app->Add(Labels(l), v).ok()) << Labels(l).ToString();
    };
    app->SetMetadata("node_cpu_seconds_total",
                     {MetricType::kCounter, "Seconds the CPUs spent in each mode.", ""});
    add({{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}}, 1234567.89);
    add({{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "user"}}, 42.5);
    app->SetMetadata("http_requests", {MetricType::kCounter, "Requests.", ""});
    add({{"__name__", "http_requests_total"}, {"code", "200"}}, 7);
    app->SetMetadata("rpc_duration_seconds",
                     {MetricType::kHistogram, "RPC latency\\with \"quotes\"\nand newline.", ""});
    for (const char* le : {"0.1", "1", "+Inf", "0.5"}) {
      add({{"__name__", "rpc_duration_seconds_bucket"}, {"le", le}}, le[0] == '0' ? 1 : 3);
    }
    add({{"__name__", "rpc_duration_seconds_sum"}}, 2.25);
    add({{"__name__", "rpc_duration_seconds_count"}}, 3);
    app->SetMetadata("probe_duration_seconds", {MetricType::kSummary, "Probe latency.", ""});
    add({{"__name__", "probe_duration_seconds"}, {"quantile", "0.99"}}, 0.25);
    add({{"__name__", "probe_duration_seconds"}, {"quantile", "0.5"}}, 0.125);
    add({{"__name__", "probe_duration_seconds_sum"}}, 12);
    add({{"__name__", "probe_duration_seconds_count"}}, 64);
    app->SetMetadata("node_load1", {MetricType::kGauge, "1m load average.", ""});
    add({{"__name__", "node_load1"}}, std::numeric_limits<double>::infinity());
    add({{"__name__", "untyped_thing"}, {"path", "C:\\dir \"x\"\nline"}}, std::nan(""));
    ASSERT_TRUE(app->Commit().ok());
    auto app1 = store.NewAppender("old", 10'000);
    ASSERT_TRUE(app1->Add(Labels({{"__name__", "old_value"}}), 5).ok());
    ASSERT_TRUE(app1->Commit().ok());
    auto app2 = store.NewAppender("other", 10'000);
    ASSERT_TRUE(app2->Add(Labels({{"__name__", "vanished"}}), 1).ok());
    ASSERT_TRUE(app2->Commit().ok());
    // "vanished" goes stale, so it is not exposed.
    auto app3 = store.NewAppender("other", 20'000);
    ASSERT_TRUE(app3->Add(Labels({{"__name__", "vanished2"}}), 5).ok());
    ASSERT_TRUE(app3->Commit().ok());
  }
};

constexpr char kGolden[] = R"(# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{code="200"} 7
# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} 1.23456789e+06
node_cpu_seconds_total{cpu="0",mode="user"} 42.5
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 +Inf
# HELP probe_duration_seconds Probe latency.
# TYPE probe_duration_seconds summary
probe_duration_seconds_count 64
probe_duration_seconds_sum 12
probe_duration_seconds{quantile="0.5"} 0.125
probe_duration_seconds{quantile="0.99"} 0.25
# HELP rpc_duration_seconds RPC latency\\with "quotes"\nand newline.
# TYPE rpc_duration_seconds histogram
rpc_duration_seconds_count 3
rpc_duration_seconds_sum 2.25
rpc_duration_seconds_bucket{le="0.1"} 1
rpc_duration_seconds_bucket{le="0.5"} 1
rpc_duration_seconds_bucket{le="1"} 3
rpc_duration_seconds_bucket{le="+Inf"} 3
untyped_thing{path="C:\\dir \"x\"\nline"} NaN
vanished2 5
)";

TEST_F(StoreExpositionTest, Golden) {
  StoreOptions o;
  SeriesStore store(o);
  Fill(store);
  std::string out;
  store.WriteExposition(out, 20'000, std::chrono::milliseconds(10'000));
  // old_value (10 s) is at the max_age edge: included; at 20'001 it is not.
  std::string with_old = kGolden;
  with_old.insert(with_old.find("# HELP probe"), "old_value 5\n");
  EXPECT_EQ(out, with_old);
  out.clear();
  store.WriteExposition(out, 20'001, std::chrono::milliseconds(10'000));
  EXPECT_EQ(out, "vanished2 5\n");
}

// Target labels go into the store through DefaultLabelsAppender (a sample's own value wins)
// and out of /metrics (only where name and value both match), so the scraper attaches its own.
TEST_F(StoreExpositionTest, TargetLabelsAreAddedWhereAbsentAndLeftOutOfTheText) {
  SeriesStore store(StoreOptions{});
  const Labels target{{"instance", "h:9469"}, {"job", "node"}};
  DefaultLabelsAppender app(store.NewAppender("system", 10'000), target);
  ASSERT_TRUE(app.Add(Labels{{"__name__", "node_load1"}}, 0.5).ok());
  ASSERT_TRUE(app.Add(Labels{{"__name__", "up"}, {"job", "scylla"}}, 1).ok());
  ASSERT_TRUE(app.Add(Labels{{"__name__", "up"}, {"instance", "other:1"}}, 0).ok());
  ASSERT_TRUE(app.Commit().ok());
  auto q = store.NewQuerier(0, 20'000);
  std::vector<LabelMatcher> all = {*LabelMatcher::Make(MatchOp::kRegexMatch, "__name__", ".+")};
  std::vector<Labels> stored;
  for (const SeriesData& s : q->Select(all)) stored.push_back(s.labels);
  EXPECT_EQ(stored, (std::vector<Labels>{
                        Labels{{"__name__", "node_load1"}, {"instance", "h:9469"}, {"job", "node"}},
                        Labels{{"__name__", "up"}, {"instance", "h:9469"}, {"job", "scylla"}},
                        Labels{{"__name__", "up"}, {"instance", "other:1"}, {"job", "node"}}}));
  std::string out;
  store.WriteExposition(out, 20'000, std::chrono::minutes(5), target);
  EXPECT_EQ(out, "node_load1 0.5\nup{job=\"scylla\"} 1\nup{instance=\"other:1\"} 0\n");
}

TEST_F(StoreExpositionTest, PassesPromtoolCheckMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "no promtool";
  SeriesStore store(StoreOptions{});
  Fill(store);
  std::string out;
  store.WriteExposition(out, 20'000, std::chrono::minutes(5));
  std::string path = ::testing::TempDir() + "/exposition.prom";
  std::ofstream(path) << out;
  std::string cmd = "promtool check metrics < " + path + " > " + path + ".out 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream in(path + ".out");
  std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // promtool 2.42 exits 1 on a parse error and 3 on lint findings. The only finding allowed is
  // the missing HELP of the test's untyped series.
  EXPECT_TRUE(WEXITSTATUS(rc) == 0 || WEXITSTATUS(rc) == 3) << report << "\n" << out;
  EXPECT_EQ(report.find("error while linting"), std::string::npos) << report;
  size_t pos = 0;
  while (pos < report.size()) {
    size_t nl = report.find('\n', pos);
    if (nl == std::string::npos) nl = report.size();
    std::string line = report.substr(pos, nl - pos);
    if (!line.empty()) {
      EXPECT_NE(line.find("no help text"), std::string::npos) << line;
    }
    pos = nl + 1;
  }
}

}  // namespace
}  // namespace tocsin
