// ScrapeCollector: one Prometheus scrape target (one per target of a `scrape_configs` job), so
// that each target is its own store source ("scrape/<job>/<instance>") and goes stale alone.
//
// Each Collect() GETs the target (gzip accepted, body capped at body_size_limit), parses the
// body as OpenMetrics or text 0.0.4 according to Content-Type, attaches job/instance/static
// labels (honor_labels semantics, see parsed_body.h), and adds the samples plus Prometheus's
// synthetic series: up, scrape_duration_seconds, scrape_samples_scraped,
// scrape_samples_post_metric_relabeling, and tocsin_scrape_parse_errors_total. A failed scrape
// (transport error, non-200, parse error, sample_limit exceeded) is data, not a collection
// error: Collect returns ok with only the synthetic series (up 0), so the store writes stale
// markers for every series the target had. Failures are logged with a rate limit.
//
// Collect is not called concurrently (collector.h); the collector owns its buffers and shares
// the HttpClient (thread-safe) with the other targets.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/app_collectors_config.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "collectors/collector.h"

namespace tocsin {

struct ScrapeTargetSpec {
  std::string job;
  std::string instance;  // host:port
  std::map<std::string, std::string> static_labels;
};

// One collector per target of `config`; `http` and `clock` are shared (null = libcurl client /
// SystemClock).
std::vector<ScheduledCollector> MakeScrapeCollectors(const ScrapeConfig& config,
                                                     std::shared_ptr<HttpClient> http = nullptr,
                                                     const Clock* clock = nullptr);

std::unique_ptr<Collector> MakeScrapeCollector(const ScrapeConfig& config,
                                               const ScrapeTargetSpec& target,
                                               std::shared_ptr<HttpClient> http,
                                               const Clock* clock);

}  // namespace tocsin
