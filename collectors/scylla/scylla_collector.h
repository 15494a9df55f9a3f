// The scylla collector: one ScyllaDB node's own Prometheus metrics (allow-listed families,
// passed through under their names) plus node state from its REST API
// (docs/metrics.md, "ScyllaDB").
//
// Per cycle: GET metrics_url, then the REST endpoints under api_url, each with the time left
// until ctx.deadline as its timeout, so one slow endpoint never holds the cycle past its
// deadline. `scylla_up` says whether the metrics endpoint answered, `scylla_api_up` whether
// every REST call did; the cycle is committed either way (failed parts' series go stale).
// Collect is not called concurrently (collectors/collector.h); the HttpClient is shared and
// thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include "agent/config/datastore_collectors_config.h"
#include "agent/core/status.h"
#include "agent/http_client/http_client.h"
#include "collectors/collector.h"

namespace tocsin {

// name() is "scylla/<config.name>". InvalidArgument for a bad metric_families pattern.
Result<std::unique_ptr<Collector>> MakeScyllaCollector(const ScyllaCollectorConfig& config,
                                                       std::chrono::milliseconds timeout,
                                                       std::shared_ptr<HttpClient> http);

}  // namespace tocsin
