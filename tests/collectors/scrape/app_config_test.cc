// Tests of the application collectors' config sections (scrape_configs, collectors.statsd,
// collectors.probes, collectors.textfile): defaults, values, and errors with their positions.
#include <gtest/gtest.h>

#include "agent/config/loader.h"

namespace tocsin {
namespace {

Result<Config> Load(const std::string& yaml) { return LoadConfigString(yaml, "t.yml"); }

std::string Errors(const std::string& yaml) {
  auto c = Load(yaml);
  return c.ok() ? "" : c.status().message();
}

TEST(AppCollectorsConfig, ScrapeConfigsDefaultsAndValues) {
  auto c = Load(
      "global: {interval: 30s}\n"
      "scrape_configs:\n"
      "  - job_name: store\n"
      "    static_configs: [{targets: ['127.0.0.1:8000'], labels: {team: a}}]\n"
      "  - job_name: fast\n"
      "    scrape_interval: 5s\n"
      "    scheme: https\n"
      "    metrics_path: /m\n"
      "    honor_labels: true\n"
      "    sample_limit: 10\n"
      "    tls_config: {insecure_skip_verify: true}\n"
      "    static_configs: [{targets: ['h:1', 'h:2']}]\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->scrape_configs.size(), 2u);
  const ScrapeConfig& a = c->scrape_configs[0];
  EXPECT_EQ(a.scrape_interval, std::chrono::seconds(30));
  EXPECT_EQ(a.scrape_timeout, std::chrono::seconds(10));
  EXPECT_EQ(a.metrics_path, "/metrics");
  EXPECT_EQ(a.static_configs[0].labels.at("team"), "a");
  const ScrapeConfig& b = c->scrape_configs[1];
  EXPECT_EQ(b.scrape_timeout, std::chrono::seconds(5));  // min(10s, interval)
  EXPECT_EQ(b.scheme, "https");
  EXPECT_TRUE(b.honor_labels);
  EXPECT_EQ(b.sample_limit, 10u);
  EXPECT_TRUE(b.tls_config.insecure_skip_verify);
  EXPECT_EQ(b.static_configs[0].targets.size(), 2u);
}

TEST(AppCollectorsConfig, ScrapeConfigErrorsArePositioned) {
  EXPECT_EQ(Errors("scrape_configs:\n  - static_configs: []\n"),
            "t.yml:2:5: scrape_configs[0].job_name: is required");
  std::string e = Errors(
      "scrape_configs:\n"
      "  - job_name: a\n"
      "    scrape_interval: 5s\n"
      "    scrape_timeout: 6s\n"
      "    scheme: ftp\n"
      "    static_configs: [{targets: ['nohost']}]\n"
      "  - job_name: a\n");
  EXPECT_NE(e.find("t.yml:4:21: scrape_configs[0].scrape_timeout: must not exceed the interval"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("t.yml:5:13: scrape_configs[0].scheme: must be http or https"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("scrape_configs[0].static_configs[0].targets[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("found multiple scrape configs with job name \"a\""), std::string::npos) << e;
  EXPECT_NE(Errors("scrape_configs: [{job_name: a, bogus: 1}]\n").find("bogus"), std::string::npos);
}

TEST(AppCollectorsConfig, StatsdProbesTextfile) {
  auto c = Load(
      "collectors:\n"
      "  statsd: {}\n"
      "  probes:\n"
      "    - {name: api, url: 'http://127.0.0.1:8000/health', valid_status_codes: [2xx, '301'],\n"
      "       fail_if_body_not_matches_regexp: ['ok'], tls_config: {insecure_skip_verify: true}}\n"
      "  textfile: {directory: /var/lib/tocsin/textfile}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->collectors.statsd.enabled);
  EXPECT_EQ(c->collectors.statsd.listen_address, "127.0.0.1:8125");
  EXPECT_EQ(c->collectors.statsd.quantiles, (std::vector<double>{0.5, 0.95, 0.99}));
  ASSERT_EQ(c->collectors.probes.size(), 1u);
  EXPECT_EQ(c->collectors.probes[0].interval, std::chrono::seconds(15));
  EXPECT_EQ(c->collectors.probes[0].timeout, std::chrono::seconds(10));
  EXPECT_TRUE(c->collectors.probes[0].insecure_skip_verify);
  EXPECT_TRUE(c->collectors.textfile.enabled);
  EXPECT_EQ(c->collectors.textfile.directory, "/var/lib/tocsin/textfile");
}

TEST(AppCollectorsConfig, StatsdProbesTextfileErrors) {
  std::string e = Errors(
      "collectors:\n"
      "  statsd: {listen_address: '', quantiles: [0.5, 2], max_series: 0}\n"
      "  probes:\n"
      "    - {name: a, url: 'ftp://x', valid_status_codes: [abc],\n"
      "       fail_if_body_matches_regexp: ['(']}\n"
      "    - {name: a, url: 'http://x', interval: 1s, timeout: 2s}\n"
      "  textfile: {}\n");
  for (const char* want :
       {"collectors.statsd.listen_address: listen_address and unix_socket_path cannot both be "
        "empty",
        "collectors.statsd.quantiles[1]: quantile \"2\" must be a number in [0, 1]",
        "collectors.statsd.max_series: must be at least 1",
        "collectors.probes[0].url: must be an http:// or https:// URL",
        "collectors.probes[0].valid_status_codes[0]: status code \"abc\"",
        "collectors.probes[0].fail_if_body_matches_regexp[0]",
        "collectors.probes[1].timeout: must not exceed the interval (1s)",
        "found multiple probes named \"a\"", "collectors.textfile.directory: is required"}) {
    EXPECT_NE(e.find(want), std::string::npos) << want << "\nin:\n" << e;
  }
}

}  // namespace
}  // namespace tocsin
