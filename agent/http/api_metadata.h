// GET /api/v1/metadata: the metric families' HELP/TYPE/UNIT from the store, in Prometheus's
// shape {"<family>":[{"type":"counter","help":"...","unit":""}]}, families sorted by name.
// Parameters as Prometheus: `metric` (one family), `limit` (at most that many families; 0
// gives none, negative or absent no bound), `limit_per_metric` (entries per family; the store
// keeps one per family). A non-numeric limit is 400 "limit must be a number".
//
// /api/v1/targets/metadata is not served (404): the store keeps metadata per family, not per
// scrape target, so it has nothing truthful to answer per target.
//
// Handlers hold only the borrowed Queryable; thread-safe as it is.
#pragma once

#include <string_view>

#include "agent/http/server.h"
#include "agent/store/metadata.h"
#include "agent/store/queryable.h"

namespace tocsin {

void RegisterMetadataApi(HttpServer& server, const Queryable* data);

// Prometheus's model.MetricType spelling: "counter", "gauge", "histogram", "gaugehistogram",
// "summary", "info", "stateset", "unknown".
std::string_view ApiMetricTypeName(MetricType type);

}  // namespace tocsin
