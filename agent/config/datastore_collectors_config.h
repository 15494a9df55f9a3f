// Configuration of the datastore collectors: `collectors.postgres`, `collectors.redis` and
// `collectors.scylla`, each a list of instances (docs/configuration.md, "Datastore collectors").
//
// Plain structs filled by the binders in datastore_collectors_loader.cc. Secrets (the content of
// dsn_file and password_file) are held in plain strings that nothing prints or logs. Copy
// freely; not synchronised.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tocsin {

// One PostgreSQL server. `dsn` (libpq key=value or postgresql:// URI) or `dsn_file` (the same,
// read from a file, so it may carry the password) says where; the ssl* keys, when set, override
// the DSN's. Timeouts of 0 derive from `timeout`.
struct PostgresCollectorConfig {
  std::string name;
  std::string dsn;
  std::string dsn_secret;       // dsn_file's content; never logged
  std::string dsn_source_file;  // dsn_file's path, for messages
  std::string sslmode, sslrootcert, sslcert, sslkey;
  std::chrono::milliseconds interval{0};           // 0 = global.interval
  std::chrono::milliseconds timeout{0};            // 0 = the interval
  std::chrono::milliseconds connect_timeout{0};    // 0 = min(timeout, 10s)
  std::chrono::milliseconds statement_timeout{0};  // 0 = timeout
  size_t stat_statements_limit = 100;              // top-N pg_stat_statements rows; 0 = off
  std::map<std::string, std::string> labels;       // added to every series
};

// One Redis server: "host:port" or "unix:/path/to/socket". AUTH with `password_file` (and
// `username` for an ACL user).
struct RedisCollectorConfig {
  std::string name;
  std::string address = "127.0.0.1:6379";
  std::string username;
  std::string password;  // password_file's content; never logged
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
  std::map<std::string, std::string> labels;
};

// One ScyllaDB node: its Prometheus endpoint and its REST API.
struct ScyllaCollectorConfig {
  std::string name;
  std::string metrics_url = "http://127.0.0.1:9180/metrics";
  std::string api_url = "http://127.0.0.1:10000";  // "" = skip the REST API
  // Anchored regexes (RE2) over metric family names; empty = the built-in default list.
  std::vector<std::string> metric_families;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
  std::map<std::string, std::string> labels;
};

}  // namespace tocsin
