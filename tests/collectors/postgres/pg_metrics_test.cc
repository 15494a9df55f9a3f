// Conversion of query results into postgres_exporter's series: settings normalisation and row
// mapping, against expected exposition.
#include "collectors/postgres/pg_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/fakes/recording_appender.h"

namespace tocsin::postgres {
namespace {

using testing::RecordingAppender;

TEST(PostgresSettings, NormalisedAsPostgresExporter) {
  struct Case {
    const char *name, *setting, *unit, *vartype, *want_name;
    double want;
  } cases[] = {
      {"max_connections", "100", "", "integer", "max_connections", 100},
      {"shared_buffers", "16384", "8kB", "integer", "shared_buffers_bytes", 16384.0 * 8192},
      {"work_mem", "4096", "kB", "integer", "work_mem_bytes", 4096.0 * 1024},
      {"max_wal_size", "1024", "MB", "integer", "max_wal_size_bytes", 1024.0 * 1048576},
      {"wal_segment_size", "16777216", "B", "integer", "wal_segment_size_bytes", 16777216},
      {"checkpoint_timeout", "300", "s", "integer", "checkpoint_timeout_seconds", 300},
      {"deadlock_timeout", "1000", "ms", "integer", "deadlock_timeout_seconds", 1},
      {"autovacuum_naptime", "1", "min", "integer", "autovacuum_naptime_seconds", 60},
      {"log_rotation_age", "1", "d", "integer", "log_rotation_age_seconds", 86400},
      {"log_min_duration_statement", "-1", "ms", "integer", "log_min_duration_statement_seconds",
       -1},
      {"fsync", "on", "", "bool", "fsync", 1},
      {"jit", "off", "", "bool", "jit", 0},
      {"seq_page_cost", "1.5", "", "real", "seq_page_cost", 1.5},
      {"pg_stat_statements.max", "5000", "", "integer", "pg_stat_statements_max", 5000},
  };
  for (const Case& c : cases) {
    auto s = NormaliseSetting(c.name, c.setting, c.unit, c.vartype);
    ASSERT_TRUE(s.ok()) << c.name << ": " << s.status().ToString();
    EXPECT_EQ(s->name, c.want_name);
    EXPECT_DOUBLE_EQ(s->value, c.want) << c.name;
  }
  EXPECT_FALSE(NormaliseSetting("x", "1", "parsecs", "integer").ok());
  EXPECT_FALSE(NormaliseSetting("x", "abc", "", "integer").ok());
  EXPECT_FALSE(NormaliseSetting("x", "a", "", "string").ok());
}

TEST(PostgresValues, Parse) {
  EXPECT_EQ(ParseValue("42"), 42.0);
  EXPECT_EQ(ParseValue("-1.25"), -1.25);
  EXPECT_EQ(ParseValue("1.795447361e+09"), 1.795447361e+09);
  EXPECT_EQ(ParseValue("t"), 1.0);
  EXPECT_EQ(ParseValue("f"), 0.0);
  EXPECT_TRUE(std::isnan(*ParseValue("NaN")));
  EXPECT_FALSE(ParseValue("").has_value());
  EXPECT_FALSE(ParseValue("12abc").has_value());
}

PgRows Rows(std::vector<std::string> cols,
            std::vector<std::vector<std::optional<std::string>>> rows) {
  PgRows r;
  r.columns = std::move(cols);
  r.rows = std::move(rows);
  return r;
}

TEST(PostgresConvert, RowsBecomeLabelledSeries) {
  QuerySpec q;
  q.collector = "stat_activity";
  q.prefix = "pg_stat_activity_";
  q.labels = {"datname", "state"};
  q.values = {{"count", MetricType::kGauge, "Number of connections in this state."},
              {"max_tx_duration", MetricType::kGauge, "Max duration."}};
  PgRows rows = Rows({"datname", "state", "count", "max_tx_duration"},
                     {{"app", "active", "3", "1.5"},
                      {"app", "idle", "7", std::nullopt},  // NULL: no sample
                      {"app", "active", "9", "9"},         // duplicate labels: first wins
                      {"app", "disabled", "x", "0"}});     // unparsable: skipped
  RecordingAppender out;
  Emitter em(out, {{"server", "main"}});
  size_t skipped = 0;
  ASSERT_TRUE(ConvertRows(q, rows, em, &skipped).ok());
  EXPECT_EQ(skipped, 2u);
  EXPECT_EQ(out.Render(),
            "# HELP pg_stat_activity_count Number of connections in this state.\n"
            "# TYPE pg_stat_activity_count gauge\n"
            "pg_stat_activity_count{datname=\"app\",server=\"main\",state=\"active\"} 3\n"
            "pg_stat_activity_count{datname=\"app\",server=\"main\",state=\"idle\"} 7\n"
            "# HELP pg_stat_activity_max_tx_duration Max duration.\n"
            "# TYPE pg_stat_activity_max_tx_duration gauge\n"
            "pg_stat_activity_max_tx_duration{datname=\"app\",server=\"main\",state=\"active\"} "
            "1.5\n"
            "pg_stat_activity_max_tx_duration{datname=\"app\",server=\"main\",state=\"disabled\"} "
            "0\n");
}

TEST(PostgresConvert, CountersKeepExporterNames) {
  ServerFeatures pg15{150018, false};
  QuerySpec bgwriter;
  for (const QuerySpec& q : SelectQueries(pg15, QueryOptions{})) {
    if (q.collector == "bgwriter") bgwriter = q;
  }
  PgRows rows = Rows({"checkpoints_timed_total", "buffers_alloc_total", "stats_reset_total"},
                     {{"5", "309", "1795447361"}});
  RecordingAppender out;
  Emitter em(out, {});
  ASSERT_TRUE(ConvertRows(bgwriter, rows, em, nullptr).ok());
  EXPECT_EQ(out.Value(Labels{{"__name__", "pg_stat_bgwriter_checkpoints_timed_total"}}), 5);
  EXPECT_EQ(out.Value(Labels{{"__name__", "pg_stat_bgwriter_buffers_alloc_total"}}), 309);
  // Registered as the counter family without _total, as Appender::SetMetadata expects.
  ASSERT_EQ(out.metadata().count("pg_stat_bgwriter_checkpoints_timed"), 1u);
  EXPECT_EQ(out.metadata().at("pg_stat_bgwriter_checkpoints_timed").type, MetricType::kCounter);
  EXPECT_TRUE(out.NamesWithoutMetadata().empty());
}

TEST(PostgresConvert, MissingLabelColumnIsAnError) {
  QuerySpec q;
  q.collector = "locks";
  q.prefix = "pg_locks_";
  q.labels = {"datname", "mode"};
  q.values = {{"count", MetricType::kGauge, "n"}};
  RecordingAppender out;
  Emitter em(out, {});
  EXPECT_FALSE(ConvertRows(q, Rows({"datname", "count"}, {{"a", "1"}}), em, nullptr).ok());
}

TEST(PostgresConvert, Settings) {
  PgRows rows =
      Rows({"name", "setting", "unit", "vartype"}, {{"max_connections", "100", "", "integer"},
                                                    {"shared_buffers", "16384", "8kB", "integer"},
                                                    {"odd", "1", "lightyears", "integer"}});
  RecordingAppender out;
  Emitter em(out, {});
  size_t skipped = 0;
  ASSERT_TRUE(ConvertSettings(rows, em, &skipped).ok());
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(out.Render(),
            "# HELP pg_settings_max_connections Server Parameter: max_connections\n"
            "# TYPE pg_settings_max_connections gauge\n"
            "pg_settings_max_connections 100\n"
            "# HELP pg_settings_shared_buffers_bytes Server Parameter: shared_buffers\n"
            "# TYPE pg_settings_shared_buffers_bytes gauge\n"
            "pg_settings_shared_buffers_bytes 1.34217728e+08\n");
}

}  // namespace
}  // namespace tocsin::postgres
