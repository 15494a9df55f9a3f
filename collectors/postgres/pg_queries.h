// The SQL the postgres collector runs and how each result maps to postgres_exporter's series,
// chosen by server version (PostgreSQL 13 to 17; older servers get the closest queries and a
// warning).
//
// A QuerySpec is declarative: the SQL names its value columns exactly as the metric suffix
// (so `pg_stat_database_` + `xact_commit`), label columns become labels, and the few shapes
// that are not "one row = one sample per value column" (settings) have their own Kind.
// Pure functions over plain values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "agent/store/metadata.h"

namespace tocsin::postgres {

struct ValueColumn {
  std::string column;  // result column = metric name suffix
  MetricType type;
  std::string help;
};

struct QuerySpec {
  enum class Kind {
    kRows,      // each row: labels from label columns, one sample per value column
    kSettings,  // pg_settings rows -> pg_settings_<name>[_seconds|_bytes]
  };
  std::string collector;  // the `collector` label of pg_scrape_collector_* (exporter's names)
  std::string sql;
  Kind kind = Kind::kRows;
  std::string prefix;               // metric name prefix, e.g. "pg_stat_database_"
  std::vector<std::string> labels;  // label columns (a NULL value leaves the label out)
  std::vector<ValueColumn> values;  // NULL values produce no sample
};

// What the server offers besides its version.
struct ServerFeatures {
  int version_num = 0;               // server_version_num, e.g. 150018
  bool has_stat_statements = false;  // extension created in the connected database
};

struct QueryOptions {
  size_t stat_statements_limit = 100;  // 0 = don't query pg_stat_statements
};

// The probe run first on every cycle: version(), server_version_num, postmaster start time,
// recovery state and whether pg_stat_statements is installed.
const std::string& ProbeSql();

// The queries for one server, in the order they run.
std::vector<QuerySpec> SelectQueries(const ServerFeatures& server, const QueryOptions& options);

// "15.18.0" from 150018 (postgres_exporter's short_version); "9.6.24" from 90624.
std::string ShortVersion(int version_num);

}  // namespace tocsin::postgres
