// The Prometheus HTTP API's query endpoints over the store: /api/v1/query and
// /api/v1/query_range (GET, or POST with a form body). Responses use Prometheus's JSON envelope
// ({"status":"success","data":...} or {"status":"error","errorType":..,"error":..}) and status
// codes (400 bad_data, 422 execution, 503 timeout/unavailable), so existing clients (Grafana,
// promtool query) work. Each evaluation holds a slot of the QueryGate (when given) and stops at
// its deadline: min(the `timeout` parameter, web.query_timeout).
//
// Handlers hold only borrowed pointers; they are thread-safe as the engine and store are.
#pragma once

#include "agent/core/clock.h"
#include "agent/http/query_gate.h"
#include "agent/http/server.h"
#include "agent/promql/engine.h"
#include "agent/store/queryable.h"

namespace tocsin {

struct QueryApiDeps {
  const promql::Engine* engine = nullptr;
  const Queryable* data = nullptr;
  const Clock* clock = nullptr;
  QueryGate* gate = nullptr;  // null = unbounded (tests)
};

void RegisterQueryApi(HttpServer& server, QueryApiDeps deps);

// The JSON "data" value of a query result, written once in Prometheus's field order
// ({"resultType":..,"result":..}) and number formats; exposed for tests and `tocsin query`.
void AppendQueryResultJson(std::string& out, const promql::Value& value);
std::string QueryResultJson(const promql::Value& value);

}  // namespace tocsin
