// GET|POST /api/v1/query_exemplars (query, start, end): validated as Prometheus validates it
// (start/end times, end not before start, the query parsed), answered with an empty list: the
// store keeps no exemplars. A query without series selectors (`1`) has no data and is answered
// 204 No Content, as Prometheus does. Errors are 400 bad_data with Prometheus's texts.
// Stateless handlers; thread-safe.
#pragma once

#include "agent/http/server.h"
#include "agent/promql/ast.h"

namespace tocsin {

void RegisterExemplarsApi(HttpServer& server);

// Whether the expression holds a series selector (parser.ExtractSelectors is non-empty).
bool HasSeriesSelector(const promql::Expr& expr);

}  // namespace tocsin
