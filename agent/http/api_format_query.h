// GET|POST /api/v1/format_query (query): the expression pretty-printed as Prometheus's
// parser.Prettify prints it (promql/prettier.h), as a JSON string in "data". A query that does
// not parse is 400 bad_data `invalid parameter "query": <parse error>`.
// Stateless handler; thread-safe.
#pragma once

#include "agent/http/server.h"

namespace tocsin {

void RegisterFormatQueryApi(HttpServer& server);

}  // namespace tocsin
