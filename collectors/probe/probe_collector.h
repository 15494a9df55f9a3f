// The HTTP probe collector: one collector per configured probe (source "probe/<name>"), with
// blackbox_exporter's series names, labelled {probe="<name>", instance="<url>"}:
//   probe_success, probe_duration_seconds, probe_http_status_code, probe_http_content_length,
//   probe_http_uncompressed_body_length, probe_http_ssl, probe_http_duration_seconds{phase}
//   (resolve, connect, tls, processing, transfer), probe_dns_lookup_time_seconds,
//   probe_ssl_earliest_cert_expiry (https with a certificate), probe_failed_due_to_regex (when
//   body regexes are configured),
// plus probe_latency_seconds{quantile} / _sum / _count: a summary over the configured window of
// the duration of every probe that received an HTTP response, so that the p95 of a health
// endpoint is available. A failed probe is data (probe_success 0), not a collection error.
//
// Collect is not called concurrently (collector.h); the collector owns its sketch and
// compiled regexes and shares the thread-safe HttpClient.
#pragma once

#include <memory>

#include "agent/config/app_collectors_config.h"
#include "agent/core/clock.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "collectors/collector.h"

namespace tocsin {

// `http` null = a CurlHttpClient; `clock` null = SystemClock (durations and the window).
Result<std::unique_ptr<Collector>> MakeProbeCollector(const ProbeConfig& config,
                                                      std::shared_ptr<HttpClient> http = nullptr,
                                                      const Clock* clock = nullptr);

}  // namespace tocsin
