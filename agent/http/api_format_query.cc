#include "agent/http/api_format_query.h"

#include "agent/core/json.h"
#include "agent/http/api_response.h"
#include "agent/promql/engine.h"
#include "agent/promql/prettier.h"

namespace tocsin {

void RegisterFormatQueryApi(HttpServer& server) {
  server.Route("/api/v1/format_query", {"GET", "POST"}, [](const ServerRequest& req) {
    auto expr = promql::Parse(req.Param("query"));
    if (!expr.ok()) return ApiBadData("invalid parameter \"query\": " + expr.status().message());
    std::string data;
    AppendJsonString(data, promql::Prettify(**expr));
    return ApiSuccess(data);
  });
}

}  // namespace tocsin
