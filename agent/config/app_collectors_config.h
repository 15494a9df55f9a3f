// Config structs of the application-facing collectors: Prometheus `scrape_configs`, StatsD,
// HTTP probes and the textfile collector (docs/configuration.md). Bound by
// app_collectors_section.cc; plain values, copy freely, not synchronised.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tocsin {

struct ScrapeStaticConfig {
  std::vector<std::string> targets;  // host:port
  std::map<std::string, std::string> labels;
};

struct ScrapeTlsConfig {
  bool insecure_skip_verify = false;
  std::string ca_file;
};

struct ScrapeConfig {
  std::string job_name;
  std::chrono::milliseconds scrape_interval{0};  // 0 = global.interval
  std::chrono::milliseconds scrape_timeout{0};   // 0 = min(10s, scrape_interval)
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  std::vector<ScrapeStaticConfig> static_configs;
  bool honor_labels = false;
  size_t sample_limit = 0;            // 0 = none
  size_t body_size_limit = 64 << 20;  // bytes of decoded body; larger bodies fail the scrape
  ScrapeTlsConfig tls_config;
  std::string basic_auth_username;
  std::string basic_auth_password;  // read from basic_auth.password_file
};

struct StatsdCollectorConfig {
  bool enabled = false;
  std::string listen_address = "127.0.0.1:8125";  // UDP; empty = no UDP socket
  std::string unix_socket_path;                   // unixgram; empty = none
  std::vector<double> quantiles = {0.5, 0.95, 0.99};
  std::chrono::milliseconds window{300000};  // quantile window of timers/histograms
  std::chrono::milliseconds interval{0};     // 0 = global.interval
  size_t max_series = 10000;                 // new series beyond it are dropped and counted
  size_t read_buffer = 8 << 20;              // SO_RCVBUF bytes asked for
};

struct ProbeConfig {
  std::string name;
  std::string url;
  std::string method = "GET";
  std::map<std::string, std::string> headers;
  std::string body;
  std::vector<std::string> valid_status_codes;  // "200", "2xx"; empty = 2xx
  std::vector<std::string> fail_if_body_not_matches_regexp;
  std::vector<std::string> fail_if_body_matches_regexp;
  bool insecure_skip_verify = false;      // tls_config.insecure_skip_verify
  std::string ca_file;                    // tls_config.ca_file
  std::chrono::milliseconds interval{0};  // 0 = global.interval
  std::chrono::milliseconds timeout{0};   // 0 = min(10s, interval)
  std::vector<double> quantiles = {0.5, 0.95, 0.99};
  std::chrono::milliseconds window{300000};
};

struct TextfileCollectorConfig {
  bool enabled = false;
  std::string directory;
  std::chrono::milliseconds interval{0};  // 0 = global.interval
};

}  // namespace tocsin
