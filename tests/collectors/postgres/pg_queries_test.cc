// Version-dependent query selection: the SQL the collector runs against PostgreSQL 13 to 17,
// compared with golden files (testdata/queries_<major>.golden; regenerate with
// TOCSIN_UPDATE_GOLDEN=1 and review the diff).
#include "collectors/postgres/pg_queries.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/system/golden.h"

namespace tocsin::postgres {
namespace {

std::string Render(const std::vector<QuerySpec>& qs) {
  std::string out;
  for (const QuerySpec& q : qs) {
    out += "-- " + q.collector + " (" + q.prefix + ")\n" + q.sql + "\n";
    for (const ValueColumn& v : q.values) out += "--   " + q.prefix + v.column + "\n";
  }
  return out;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  testing::ExpectGolden(std::string(TOCSIN_TEST_DATA_DIR) + "/testdata/" + name, actual);
}

class PostgresQueriesPerVersion : public ::testing::TestWithParam<int> {};

TEST_P(PostgresQueriesPerVersion, MatchGolden) {
  ServerFeatures s;
  s.version_num = GetParam();
  s.has_stat_statements = true;
  ExpectGolden("queries_" + std::to_string(GetParam() / 10000) + ".golden",
               Render(SelectQueries(s, QueryOptions{})));
}

INSTANTIATE_TEST_SUITE_P(PostgresQueries, PostgresQueriesPerVersion,
                         ::testing::Values(130016, 140013, 150018, 160004, 170002));

std::vector<std::string> Collectors(int version, bool stat_statements, size_t limit = 100) {
  ServerFeatures s{version, stat_statements};
  std::vector<std::string> out;
  for (const QuerySpec& q : SelectQueries(s, QueryOptions{limit})) out.push_back(q.collector);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(PostgresQueries, VersionSwitches) {
  EXPECT_FALSE(Has(Collectors(160004, true), "stat_checkpointer"));
  EXPECT_TRUE(Has(Collectors(170002, true), "stat_checkpointer"));
  EXPECT_TRUE(Has(Collectors(150018, true), "stat_statements"));
  EXPECT_FALSE(Has(Collectors(150018, false), "stat_statements"));
  EXPECT_FALSE(Has(Collectors(150018, true, 0), "stat_statements"));

  ServerFeatures pg13{130016, true}, pg14{140013, true}, pg17{170002, true};
  auto sql_of = [](const ServerFeatures& s, const std::string& collector) {
    for (const QuerySpec& q : SelectQueries(s, QueryOptions{})) {
      if (q.collector == collector) return q.sql;
    }
    return std::string();
  };
  EXPECT_EQ(sql_of(pg13, "stat_database").find("active_time"), std::string::npos);
  EXPECT_NE(sql_of(pg14, "stat_database").find("active_time"), std::string::npos);
  EXPECT_NE(sql_of(pg13, "stat_statements").find("blk_read_time"), std::string::npos);
  EXPECT_NE(sql_of(pg17, "stat_statements").find("shared_blk_read_time"), std::string::npos);
  EXPECT_EQ(sql_of(pg17, "bgwriter").find("checkpoints_timed"), std::string::npos);
  EXPECT_NE(sql_of(pg14, "bgwriter").find("checkpoints_timed"), std::string::npos);
}

TEST(PostgresQueries, ShortVersionAsPostgresExporter) {
  EXPECT_EQ(ShortVersion(150018), "15.18.0");
  EXPECT_EQ(ShortVersion(170002), "17.2.0");
  EXPECT_EQ(ShortVersion(90624), "9.6.24");
}

}  // namespace
}  // namespace tocsin::postgres
