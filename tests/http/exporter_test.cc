// Exporter: /metrics carries the store's newest samples and every stage's self-metrics, read
// through the narrow sources it is given, in text format 0.0.4 that promtool accepts.
#include "agent/http/exporter.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

namespace tocsin {
namespace {

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

class ExporterTest : public ::testing::Test {
 protected:
  ExporterTest() {
    auto app = store_.NewAppender("system", clock_.NowMs());
    EXPECT_TRUE(app->Add(Labels{{"__name__", "node_load1"}}, 0.25).ok());
    EXPECT_TRUE(app->Commit().ok());
  }

  ExporterSources Sources() {
    ExporterSources s;
    s.store = &store_;
    s.clock = &clock_;
    s.build = {"1.2.3", "abc1234", "gcc 12"};
    s.collectors = [] {
      CollectorStats c;
      c.name = "system";
      c.runs = 7;
      c.failures = 2;
      c.last_success = true;
      c.last_samples = 1;
      return std::vector<CollectorStats>{c};
    };
    s.reload = [this] { return reload_; };
    return s;
  }

  FakeClock clock_{1'700'000'000'000};
  SeriesStore store_{StoreOptions{}};
  ReloadStatus reload_;
};

TEST_F(ExporterTest, RendersStoreSamplesAndStageMetrics) {
  reload_.last_successful = false;
  reload_.failures = 3;
  reload_.last_success_ms = 1'699'999'990'000;
  Exporter exporter(Sources());
  exporter.CountRequest("/metrics", 200);
  exporter.CountRequest("/metrics", 200);
  exporter.CountRequest("/api/v1/query", 400);
  const std::string text = exporter.Render();
  EXPECT_TRUE(HasLine(text, "node_load1 0.25")) << text;
  EXPECT_TRUE(HasLine(text,
                      "tocsin_build_info{compiler=\"gcc 12\",revision=\"abc1234\","
                      "version=\"1.2.3\"} 1"))
      << text;
  EXPECT_TRUE(HasLine(text, "tocsin_config_last_reload_successful 0")) << text;
  EXPECT_TRUE(HasLine(text, "tocsin_config_reload_failures_total 3")) << text;
  EXPECT_TRUE(HasLine(text, "tocsin_config_last_reload_success_timestamp_seconds 1699999990"))
      << text;
  EXPECT_TRUE(HasLine(text, "tocsin_collector_collections_total{collector=\"system\"} 7")) << text;
  EXPECT_TRUE(HasLine(text, "tocsin_collector_errors_total{collector=\"system\"} 2")) << text;
  EXPECT_TRUE(HasLine(text, "tocsin_http_requests_total{code=\"200\",handler=\"/metrics\"} 2"))
      << text;
  EXPECT_TRUE(HasLine(text, "tocsin_http_requests_total{code=\"400\",handler=\"/api/v1/query\"} 1"))
      << text;
}

// Two slack_configs in one receiver are two integrations: `index` keeps their series apart; a
// receiver with one config of a kind has no `index`.
TEST_F(ExporterTest, DeliverySeriesOfSeveralConfigsOfOneKindCarryIndex) {
  ExporterSources s = Sources();
  s.delivery = [] {
    DispatcherStats d;
    for (int i : {0, 1}) {
      IntegrationStats slack;
      slack.receiver = "team";
      slack.integration = "slack";
      slack.index = i;
      slack.delivered_total = 10 + i;
      d.integrations.push_back(slack);
    }
    IntegrationStats pd;
    pd.receiver = "team";
    pd.integration = "pagerduty";
    pd.delivered_total = 5;
    d.integrations.push_back(pd);
    return d;
  };
  Exporter exporter(std::move(s));
  const std::string text = exporter.Render();
  EXPECT_TRUE(HasLine(text,
                      "tocsin_notifications_delivered_total{integration=\"slack\",index=\"0\","
                      "receiver=\"team\"} 10"))
      << text;
  EXPECT_TRUE(HasLine(text,
                      "tocsin_notifications_delivered_total{integration=\"slack\",index=\"1\","
                      "receiver=\"team\"} 11"))
      << text;
  EXPECT_TRUE(HasLine(text,
                      "tocsin_notifications_delivered_total{integration=\"pagerduty\","
                      "receiver=\"team\"} 5"))
      << text;
}

// The agent's own families go into the store (rules and the API read them from there) with
// their metadata, histograms as _bucket/_sum/_count; /metrics still shows each family once.
TEST_F(ExporterTest, SelfMetricsReachTheStoreAndAreRenderedOnce) {
  ExporterSources s = Sources();
  s.delivery = [] {
    DispatcherStats d;
    IntegrationStats pd;
    pd.receiver = "team";
    pd.integration = "pagerduty";
    pd.delivered_total = 5;
    pd.latency_count = 3;
    pd.latency_sum_seconds = 0.75;
    pd.latency_buckets.fill(3);
    pd.latency_buckets[0] = 1;
    d.integrations.push_back(pd);
    return d;
  };
  Exporter exporter(std::move(s));
  auto app = store_.NewAppender("tocsin", clock_.NowMs());
  ASSERT_TRUE(exporter.AppendSelfMetrics(*app).ok());
  ASSERT_TRUE(app->Commit().ok());

  auto q = store_.NewQuerier(0, clock_.NowMs());
  auto value = [&q](const Labels& l) -> std::optional<double> {
    std::vector<LabelMatcher> ms;
    for (const Label& x : l) ms.push_back(LabelMatcher::Equal(x.name, x.value));
    for (const SeriesData& d : q->Select(ms)) {
      if (d.labels == l && !d.samples.empty()) return d.samples.back().v;
    }
    return std::nullopt;
  };
  EXPECT_EQ(
      value(Labels{{"__name__", "tocsin_collector_collections_total"}, {"collector", "system"}}),
      7);
  EXPECT_EQ(value(Labels{{"__name__", "tocsin_build_info"},
                         {"compiler", "gcc 12"},
                         {"revision", "abc1234"},
                         {"version", "1.2.3"}}),
            1);
  EXPECT_EQ(value(Labels{{"__name__", "tocsin_notifications_latency_seconds_bucket"},
                         {"integration", "pagerduty"},
                         {"le", "+Inf"},
                         {"receiver", "team"}}),
            3)
      << exporter.Render();
  EXPECT_EQ(value(Labels{{"__name__", "tocsin_notifications_latency_seconds_sum"},
                         {"integration", "pagerduty"},
                         {"receiver", "team"}}),
            0.75);
  std::map<std::string, MetricType> types;
  for (const FamilyMetadata& f : q->ListMetadata()) types[f.family] = f.metadata.type;
  EXPECT_EQ(types["tocsin_collector_collections_total"], MetricType::kCounter);
  EXPECT_EQ(types["tocsin_notifications_latency_seconds"], MetricType::kHistogram);
  EXPECT_EQ(types["tocsin_store_series"], MetricType::kGauge);

  const std::string text = exporter.Render();
  auto count = [&text](const std::string& needle) {
    size_t n = 0;
    for (size_t i = text.find(needle); i != std::string::npos; i = text.find(needle, i + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("# TYPE tocsin_collector_collections_total counter\n"), 1u) << text;
  EXPECT_EQ(count("\ntocsin_collector_collections_total{collector=\"system\"} 7\n"), 1u) << text;
  EXPECT_EQ(count("# TYPE tocsin_notifications_latency_seconds histogram\n"), 1u) << text;
  EXPECT_TRUE(HasLine(text, "node_load1 0.25")) << "other stored series stay";
}

TEST_F(ExporterTest, OptionalSourcesAreLeftOut) {
  ExporterSources s;
  s.clock = &clock_;
  Exporter exporter(std::move(s));
  const std::string text = exporter.Render();
  EXPECT_NE(text.find("tocsin_build_info"), std::string::npos);
  EXPECT_EQ(text.find("tocsin_config_last_reload_successful"), std::string::npos);
  EXPECT_EQ(text.find("tocsin_collector_"), std::string::npos);
  EXPECT_EQ(text.find("node_load1"), std::string::npos);
}

// promtool is the format's own checker; it is installed by the test command (Debian's
// prometheus package). Lint findings (its exit code 3) are not format errors.
TEST_F(ExporterTest, PromtoolParsesTheOutput) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool not installed";
  Exporter exporter(Sources());
  exporter.CountRequest("/metrics", 200);
  const auto path = std::filesystem::temp_directory_path() /
                    ("tocsin_exporter_test_" + std::to_string(::getpid()) + ".prom");
  std::ofstream(path) << exporter.Render();
  const std::string cmd = "/usr/bin/promtool check metrics < " + path.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int rc = ::pclose(p);
  std::filesystem::remove(path);
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_TRUE(WEXITSTATUS(rc) == 0 || WEXITSTATUS(rc) == 3) << out;
  EXPECT_EQ(out.find("error while linting"), std::string::npos) << out;
}

}  // namespace
}  // namespace tocsin
