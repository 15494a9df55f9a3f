// Config: the daemon's configuration as plain structs, produced by LoadConfig (loader.h).
//
// Every field has its documented default (docs/configuration.md); the loader fills what the
// YAML sets. Secrets read from `*_file` keys live in `Secret`, whose value never appears in
// logs or in ToString output. Plain values: copy freely; not synchronised.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/app_collectors_config.h"
#include "agent/config/datastore_collectors_config.h"
#include "agent/config/remote_write_config.h"
#include "agent/config/rules_config.h"
#include "agent/config/system_collector_config.h"
#include "agent/config/web_security_config.h"
#include "agent/core/labels.h"
#include "notifiers/config.h"

namespace tocsin {

// A secret value read from a file; prints as "<secret>".
struct Secret {
  std::string value;
  std::string source_file;  // where it came from, for error messages
  bool empty() const { return value.empty(); }
};
// Prints "<secret>" so that logging a Secret or a failing test assertion never shows the value.
std::ostream& operator<<(std::ostream& os, const Secret& secret);

struct GlobalConfig {
  std::chrono::milliseconds interval{15000};     // collection and rule evaluation interval
  std::chrono::milliseconds retention{3600000};  // how long the store keeps samples
  std::map<std::string, std::string> external_labels;
  // The labels a Prometheus scraping this agent would attach (its target labels), given to the
  // agent's own series in its store; /metrics leaves them out so the scraper attaches its own.
  // After loading, an empty `instance` is resolved to "<host name>:<web.listen_address port>".
  std::map<std::string, std::string> target_labels{{"instance", ""}, {"job", "node"}};
};

struct WebConfig {
  std::string listen_address = "127.0.0.1:9469";
  std::chrono::milliseconds query_timeout{std::chrono::minutes(2)};  // as Prometheus's default
  size_t max_concurrent_queries = 20;                                // as Prometheus's default
  // Prometheus's --web.enable-lifecycle: POST/PUT /-/reload answer 403 unless true.
  bool enable_lifecycle = false;
  // exporter-toolkit's web-config.yml (TLS, basic auth, headers); empty = plain HTTP, no auth.
  // Loaded with the config (its errors fail the load) and re-read on every reload.
  std::string config_file;
  WebSecurityConfig security;
};

struct StorageConfig {
  size_t max_series = 1'000'000;           // global bound on live series
  size_t max_series_per_source = 100'000;  // per collector / scrape job
};

struct CollectorsConfig {
  SystemCollectorConfig system;
  StatsdCollectorConfig statsd;
  std::vector<ProbeConfig> probes;
  TextfileCollectorConfig textfile;
  std::vector<PostgresCollectorConfig> postgres;
  std::vector<RedisCollectorConfig> redis;
  std::vector<ScyllaCollectorConfig> scylla;
};

struct Config {
  std::string source_file;  // "<built-in>" for the default
  GlobalConfig global;
  WebConfig web;
  std::string state_dir;  // empty = decided at start (see runtime/state_dir.h)
  StorageConfig storage;
  CollectorsConfig collectors;
  std::vector<ScrapeConfig> scrape_configs;
  std::vector<std::string> rule_files;  // globs; relative ones resolved against the config's dir
  RulesConfig rules;                    // rules_config.h
  AlertingConfig alerting = DefaultAlertingConfig();  // notifiers/config.h
  std::vector<RemoteWriteConfig> remote_write;        // remote_write_config.h
  // Non-fatal remarks from loading (e.g. extra YAML documents ignored), for the caller to log.
  std::vector<std::string> warnings;
};

// global.target_labels as the Labels the scheduler adds and /metrics leaves out.
inline Labels TargetLabels(const Config& config) {
  std::vector<Label> pairs;
  for (const auto& [name, value] : config.global.target_labels) {
    if (!value.empty()) pairs.push_back({name, value});
  }
  return Labels::FromUnsorted(std::move(pairs));
}

}  // namespace tocsin
