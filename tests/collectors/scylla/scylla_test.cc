// REST API decoding and the allow-list pass-through of Scylla's metrics, against a realistic
// exposition (testdata/scylla_metrics.txt: scylla-monitoring's metric names, per-shard series,
// a histogram, a native summary, and families outside the default list). Goldens regenerate
// with TOCSIN_UPDATE_GOLDEN=1 (review the diff).
#include <gtest/gtest.h>

#include "collectors/scylla/scylla_api.h"
#include "collectors/scylla/scylla_metrics.h"
#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::scylla {
namespace {

using testing::RecordingAppender;

std::string DataPath(const std::string& name) {
  return std::string(TOCSIN_TEST_DATA_DIR) + "/testdata/" + name;
}
std::string Read(const std::string& name) { return testing::ReadFileOrEmpty(DataPath(name)); }
void ExpectGolden(const std::string& name, const std::string& actual) {
  testing::ExpectGolden(DataPath(name), actual);
}

TEST(ScyllaApi, DecodesRestShapes) {
  EXPECT_EQ(*DecodeJsonString("\"NORMAL\""), "NORMAL");
  EXPECT_FALSE(DecodeJsonString("NORMAL").ok());
  EXPECT_FALSE(DecodeJsonString("[\"NORMAL\"]").ok());
  auto live = DecodeJsonStringList("[\"10.0.0.1\", \"10.0.0.2\"]");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(*live, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_TRUE(DecodeJsonStringList("[]")->empty());
  EXPECT_FALSE(DecodeJsonStringList("[1, 2]").ok());
  EXPECT_FALSE(DecodeJsonStringList("{\"key\": 1}").ok());
  EXPECT_EQ(*DecodeJsonNumber("7"), 7);
  EXPECT_FALSE(DecodeJsonNumber("\"7\"").ok());
  EXPECT_FALSE(DecodeJsonNumber("<html>").ok());
}

TEST(ScyllaApi, OperationModeCodesMatchScylla) {
  EXPECT_EQ(OperationModeCode("STARTING"), 1);
  EXPECT_EQ(OperationModeCode("JOINING"), 2);
  EXPECT_EQ(OperationModeCode("NORMAL"), 3);
  EXPECT_EQ(OperationModeCode("DECOMMISSIONED"), 5);
  EXPECT_EQ(OperationModeCode("DRAINED"), 7);
  EXPECT_EQ(OperationModeCode("MAINTENANCE"), 9);
  EXPECT_EQ(OperationModeCode("whatever"), 0);
}

TEST(ScyllaMetrics, DefaultAllowListPassesDashboardFamiliesOnly) {
  auto filter = FamilyFilter::Compile(DefaultMetricFamilies());
  ASSERT_TRUE(filter.ok());
  RecordingAppender out;
  PassThroughStats stats;
  ASSERT_TRUE(
      PassThrough(Read("scylla_metrics.txt"), *filter, {{"cluster", "store"}}, out, stats).ok());
  EXPECT_EQ(stats.parse_errors, 0u);
  EXPECT_TRUE(out.DuplicateSeries().empty());
  // RecordingAppender only maps "_total" to its family; histogram/summary parts are the rest.
  EXPECT_EQ(
      out.NamesWithoutMetadata(),
      (std::vector<std::string>{"scylla_storage_proxy_coordinator_read_latency_bucket",
                                "scylla_storage_proxy_coordinator_read_latency_count",
                                "scylla_storage_proxy_coordinator_read_latency_sum",
                                "scylla_storage_proxy_coordinator_write_latency_summary_count"}));
  EXPECT_TRUE(out.Series("scylla_io_queue_total_read_ops").empty());
  EXPECT_TRUE(out.Series("scylla_lsa_free_space").empty());
  EXPECT_EQ(out.Series("scylla_cache_row_hits").size(), 2u);
  EXPECT_EQ(out.Series("scylla_storage_proxy_coordinator_read_latency_bucket").size(), 10u);
  EXPECT_EQ(out.Series("scylla_storage_proxy_coordinator_write_latency_summary").size(), 6u);
  EXPECT_EQ(out.metadata().at("scylla_storage_proxy_coordinator_read_latency").type,
            MetricType::kHistogram);
  EXPECT_EQ(out.Value(Labels{
                {"__name__", "scylla_node_operation_mode"}, {"shard", "0"}, {"cluster", "store"}}),
            3);
  EXPECT_EQ(stats.samples_added, out.samples().size());
  EXPECT_LT(stats.samples_added, stats.samples_seen);
  ExpectGolden("scylla_metrics.golden", out.Render());
}

TEST(ScyllaMetrics, CustomListAndLabelCollisions) {
  auto filter = FamilyFilter::Compile({"scylla_lsa_.*", "scylla_reactor_utilization"});
  ASSERT_TRUE(filter.ok());
  RecordingAppender out;
  PassThroughStats stats;
  ASSERT_TRUE(PassThrough(Read("scylla_metrics.txt"), *filter, {{"shard", "x"}}, out, stats).ok());
  EXPECT_EQ(out.Series("scylla_lsa_free_space").size(), 2u);
  EXPECT_EQ(out.Series("scylla_reactor_utilization").size(), 2u);
  EXPECT_TRUE(out.Series("scylla_cache_row_hits").empty());
  // The configured label wins; Scylla's own moves to exported_shard.
  EXPECT_EQ(
      out.Value(Labels{
          {"__name__", "scylla_reactor_utilization"}, {"shard", "x"}, {"exported_shard", "1"}}),
      42.5);
  EXPECT_FALSE(FamilyFilter::Compile({"scylla_(("}).ok());
}

TEST(ScyllaMetrics, GarbageIsCountedNotFatal) {
  auto filter = FamilyFilter::Compile(DefaultMetricFamilies());
  RecordingAppender out;
  PassThroughStats stats;
  ASSERT_TRUE(PassThrough("scylla_cache_row_hits{shard=\"0\"} 1\n<html>oops</html>\n"
                          "scylla_cache_row_misses{shard=\"0\" 2\n",
                          *filter, {}, out, stats)
                  .ok());
  EXPECT_EQ(stats.parse_errors, 2u);
  EXPECT_EQ(stats.samples_added, 1u);
  EXPECT_NE(stats.first_error.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::scylla
