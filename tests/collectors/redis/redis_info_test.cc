// INFO parsing and redis_exporter naming, against golden exposition made from real Redis 7.0
// INFO replies (testdata/info_7.0_*.txt; regenerate goldens with TOCSIN_UPDATE_GOLDEN=1 and
// review the diff).
#include "collectors/redis/redis_info.h"

#include <gtest/gtest.h>

#include "tests/collectors/system/golden.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::redis {
namespace {

using testing::RecordingAppender;

std::string DataPath(const std::string& name) {
  return std::string(TOCSIN_TEST_DATA_DIR) + "/testdata/" + name;
}
std::string Read(const std::string& name) { return testing::ReadFileOrEmpty(DataPath(name)); }
void ExpectGolden(const std::string& name, const std::string& actual) {
  testing::ExpectGolden(DataPath(name), actual);
}

TEST(RedisInfo, ParsesSectionsAndFields) {
  Info info = ParseInfo(
      "# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\n"
      "db0:keys=2,expires=1,avg_ttl=5\r\nbroken line\r\n");
  ASSERT_EQ(info.entries.size(), 2u);
  EXPECT_EQ(info.entries[0].section, "Server");
  EXPECT_EQ(info.Get("redis_version"), "7.0.15");
  EXPECT_EQ(info.entries[1].section, "Keyspace");
  EXPECT_EQ(info.Get("db0"), "keys=2,expires=1,avg_ttl=5");
  EXPECT_EQ(info.Get("missing"), "");
}

TEST(RedisInfo, MasterGolden) {
  RecordingAppender out;
  EmitOptions opts;
  opts.databases = 16;
  ASSERT_TRUE(EmitInfo(ParseInfo(Read("info_7.0_master.txt")), opts, out).ok());
  EXPECT_TRUE(out.DuplicateSeries().empty());
  EXPECT_TRUE(out.NamesWithoutMetadata().empty());
  auto v = [&](std::initializer_list<Label> l) { return out.Value(Labels(l)); };
  EXPECT_EQ(v({{"__name__", "redis_keyspace_hits_total"}}), 1);  // keyspace_hits:1 in the capture
  EXPECT_EQ(v({{"__name__", "redis_memory_max_bytes"}}), 10485760);
  EXPECT_EQ(v({{"__name__", "redis_db_keys"}, {"db", "db0"}}), 2);
  EXPECT_EQ(v({{"__name__", "redis_db_keys"}, {"db", "db15"}}), 0);
  EXPECT_EQ(v({{"__name__", "redis_db_keys_expiring"}, {"db", "db0"}}), 1);
  EXPECT_EQ(v({{"__name__", "redis_rdb_last_bgsave_status"}}), 1);  // "ok"
  EXPECT_EQ(v({{"__name__", "redis_connected_slaves"}}), 1);
  EXPECT_EQ(out.Series("redis_connected_slave_lag_seconds").size(), 1u);
  EXPECT_EQ(out.Series("redis_instance_info").size(), 1u);
  EXPECT_EQ(out.Series("redis_instance_info")[0].labels.Get("role"), "master");
  ExpectGolden("info_7.0_master.golden", out.Render());
}

TEST(RedisInfo, ReplicaGolden) {
  RecordingAppender out;
  EmitOptions opts;
  opts.base_labels = {{"server", "cache"}};
  ASSERT_TRUE(EmitInfo(ParseInfo(Read("info_7.0_replica.txt")), opts, out).ok());
  EXPECT_TRUE(out.DuplicateSeries().empty());
  auto link = out.Series("redis_master_link_up");
  ASSERT_EQ(link.size(), 1u);
  EXPECT_EQ(link[0].value, 1);
  EXPECT_EQ(link[0].labels.Get("master_port"), "56379");
  EXPECT_EQ(link[0].labels.Get("server"), "cache");
  EXPECT_EQ(out.Series("redis_instance_info")[0].labels.Get("role"), "slave");
  ExpectGolden("info_7.0_replica.golden", out.Render());
}

}  // namespace
}  // namespace tocsin::redis
