#include "agent/http/api_query.h"

#include <nlohmann/json.hpp>

#include "agent/core/go_format.h"
#include "agent/http/api_time.h"

namespace tocsin {
namespace {

using nlohmann::json;

// Prometheus refuses range queries that would return more points than this per series.
constexpr int64_t kMaxPointsPerSeries = 11000;

json Metric(const Labels& labels) {
  json m = json::object();
  for (const Label& l : labels) m[l.name] = l.value;
  return m;
}

json Point(TimestampMs t, const std::string& v) {
  return json::array({static_cast<double>(t) / 1000.0, v});
}

ServerResponse Json(int status, const json& body) {
  return {
      status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

ServerResponse Error(int status, const std::string& type, const std::string& message) {
  return Json(status, {{"status", "error"}, {"errorType", type}, {"error", message}});
}

ServerResponse Success(const promql::Value& value) {
  json body = {{"status", "success"}, {"data", json::parse(QueryResultJson(value))}};
  return Json(200, body);
}

}  // namespace

std::string QueryResultJson(const promql::Value& value) {
  json data;
  switch (value.type) {
    case promql::ValueType::kScalar:
      data = {{"resultType", "scalar"}, {"result", Point(value.t, FormatGoFloatF(value.scalar))}};
      break;
    case promql::ValueType::kString:
      data = {{"resultType", "string"}, {"result", Point(value.t, value.str)}};
      break;
    case promql::ValueType::kVector: {
      json result = json::array();
      for (const auto& s : value.vector) {
        result.push_back(
            {{"metric", Metric(s.labels)}, {"value", Point(value.t, FormatGoFloatF(s.v))}});
      }
      data = {{"resultType", "vector"}, {"result", std::move(result)}};
      break;
    }
    case promql::ValueType::kMatrix: {
      json result = json::array();
      for (const auto& series : value.matrix) {
        json values = json::array();
        for (const Sample& p : series.points) values.push_back(Point(p.t, FormatGoFloatF(p.v)));
        result.push_back({{"metric", Metric(series.labels)}, {"values", std::move(values)}});
      }
      data = {{"resultType", "matrix"}, {"result", std::move(result)}};
      break;
    }
    case promql::ValueType::kNone:
      data = {{"resultType", "vector"}, {"result", json::array()}};
      break;
  }
  return data.dump();
}

void RegisterQueryApi(HttpServer& server, QueryApiDeps deps) {
  server.Route("/api/v1/query", {"GET", "POST"}, [deps](const ServerRequest& req) {
    std::string query = req.Param("query");
    if (query.empty()) return Error(400, "bad_data", "invalid parameter \"query\": query is empty");
    TimestampMs t = deps.clock->NowMs();
    if (std::string time = req.Param("time"); !time.empty()) {
      auto parsed = ParseApiTime(time);
      if (!parsed.ok())
        return Error(400, "bad_data", "invalid parameter \"time\": " + parsed.status().message());
      t = *parsed;
    }
    auto expr = promql::Parse(query);
    if (!expr.ok())
      return Error(400, "bad_data", "invalid parameter \"query\": " + expr.status().message());
    auto value = deps.engine->Instant(*expr, *deps.data, t);
    if (!value.ok()) return Error(422, "execution", value.status().message());
    return Success(*value);
  });
  server.Route("/api/v1/query_range", {"GET", "POST"}, [deps](const ServerRequest& req) {
    std::string query = req.Param("query");
    if (query.empty()) return Error(400, "bad_data", "invalid parameter \"query\": query is empty");
    auto start = ParseApiTime(req.Param("start"));
    if (!start.ok())
      return Error(400, "bad_data", "invalid parameter \"start\": " + start.status().message());
    auto end = ParseApiTime(req.Param("end"));
    if (!end.ok())
      return Error(400, "bad_data", "invalid parameter \"end\": " + end.status().message());
    if (*end < *start) {
      return Error(400, "bad_data",
                   "invalid parameter \"end\": end timestamp must not be before start time");
    }
    auto step = ParseApiDurationMs(req.Param("step"));
    if (!step.ok())
      return Error(400, "bad_data", "invalid parameter \"step\": " + step.status().message());
    if (*step <= 0) {
      return Error(400, "bad_data",
                   "invalid parameter \"step\": zero or negative query resolution step widths are "
                   "not accepted. Try a positive integer");
    }
    if ((*end - *start) / *step > kMaxPointsPerSeries) {
      return Error(400, "bad_data",
                   "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                   "the query resolution (?step=XX)");
    }
    auto expr = promql::Parse(query);
    if (!expr.ok())
      return Error(400, "bad_data", "invalid parameter \"query\": " + expr.status().message());
    auto value =
        deps.engine->Range(*expr, *deps.data, *start, *end, std::chrono::milliseconds(*step));
    if (!value.ok()) return Error(422, "execution", value.status().message());
    return Success(*value);
  });
}

}  // namespace tocsin
