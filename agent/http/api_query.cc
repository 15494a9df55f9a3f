#include "agent/http/api_query.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "agent/core/go_format.h"
#include "agent/core/json.h"
#include "agent/http/api_response.h"
#include "agent/http/api_time.h"

namespace tocsin {
namespace {

using nlohmann::json;

// Prometheus refuses range queries that would return more points than this per series.
constexpr int64_t kMaxPointsPerSeries = 11000;

// Prometheus's jsonutil.MarshalTimestamp (vector samples, matrix points): seconds, then three
// millisecond digits unless they are all zero ("1.500", "2").
void AppendTimestamp(std::string& out, TimestampMs t) {
  if (t < 0) {
    out += '-';
    t = -t;
  }
  out += std::to_string(t / 1000);
  if (int64_t fraction = t % 1000; fraction != 0) {
    out += '.';
    if (fraction < 100) out += '0';
    if (fraction < 10) out += '0';
    out += std::to_string(fraction);
  }
}

// Scalar and string results are promql.Scalar / promql.String, which jsoniter writes through
// their MarshalJSON: encoding/json of float64(t)/1000 ("1.5"), and a scalar's value with
// strconv's 'f' format, never an exponent.
void AppendScalarPoint(std::string& out, TimestampMs t, double v) {
  out += '[';
  AppendJsonFloat(out, static_cast<double>(t) / 1000);
  out += ",\"";
  out += FormatGoFloatF(v);
  out += "\"]";
}

void AppendPoint(std::string& out, TimestampMs t, double v) {
  out += '[';
  AppendTimestamp(out, t);
  out += ",\"";
  out += FormatGoFloatSample(v);
  out += "\"]";
}

void AppendQuotedSample(std::string& out, double v) {
  out += '"';
  out += FormatGoFloatSample(v);
  out += '"';
}

// jsonutil.MarshalHistogram: count, sum, then the non-empty buckets as
// [boundaries, lower, upper, count], boundaries 0 = (l,u], 1 = [l,u), 2 = (l,u), 3 = [l,u].
// Prometheus's AllBucketIterator lists the zero bucket only when its count is positive, and
// narrows a neighbouring bucket that reaches into the zero bucket to the zero threshold.
void AppendHistogram(std::string& out, const FloatHistogram& h) {
  out += R"({"count":)";
  AppendQuotedSample(out, h.count);
  out += R"(,"sum":)";
  AppendQuotedSample(out, h.sum);
  bool found = false;
  for (FloatHistogram::Bucket b : h.Buckets()) {
    if (b.zero_bucket ? !(b.count > 0) : b.count == 0) continue;
    if (!b.zero_bucket) {
      const double zt = h.zero_threshold;
      if (b.upper < 0 && b.upper > -zt) b.upper = -zt;
      if (b.lower > 0 && b.lower < zt) b.lower = zt;
    }
    out += found ? "," : R"(,"buckets":[)";
    found = true;
    out += '[';
    out += b.lower_inclusive ? (b.upper_inclusive ? '3' : '1') : (b.upper_inclusive ? '0' : '2');
    out += ',';
    AppendQuotedSample(out, b.lower);
    out += ',';
    AppendQuotedSample(out, b.upper);
    out += ',';
    AppendQuotedSample(out, b.count);
    out += ']';
  }
  if (found) out += ']';
  out += '}';
}

ServerResponse Json(int status, const json& body) {
  return {status, "application/json", EncodeJson(body), {}};
}

ServerResponse Error(int status, const std::string& type, const std::string& message) {
  return Json(status, {{"status", "error"}, {"errorType", type}, {"error", message}});
}

// Prometheus's returnAPIError: a timeout is 503 "timeout", a full queue 503 "unavailable",
// anything else from evaluation 422 "execution".
ServerResponse EvaluationError(const Status& st) {
  switch (st.code()) {
    case StatusCode::kDeadlineExceeded:
      return Error(503, "timeout", st.message());
    case StatusCode::kUnavailable:
      return Error(503, "unavailable", st.message());
    default:
      return Error(422, "execution", st.message());
  }
}

ServerResponse Success(const promql::Value& value);

// Runs `evaluate(limits)` in a slot of the gate, bounded by the request's `timeout` parameter
// and web.query_timeout.
template <typename Evaluate>
ServerResponse Gated(const QueryApiDeps& deps, const ServerRequest& req, Evaluate evaluate) {
  std::chrono::milliseconds requested(0);
  if (std::string timeout = req.Param("timeout"); !timeout.empty()) {
    auto parsed = ParseApiDurationMs(timeout);
    if (!parsed.ok())
      return Error(400, "bad_data", "invalid parameter \"timeout\": " + parsed.status().message());
    requested = std::chrono::milliseconds(*parsed);
  }
  promql::QueryLimits limits;
  std::optional<QueryGate::Ticket> ticket;
  if (deps.gate != nullptr) {
    auto entered = deps.gate->Enter(requested);
    if (!entered.ok()) return EvaluationError(entered.status());
    ticket.emplace(std::move(entered).value());
    limits.expired = [&ticket] { return ticket->Expired(); };
  }
  Result<promql::Value> value = evaluate(limits);
  if (!value.ok()) return EvaluationError(value.status());
  return Success(*value);
}

ServerResponse Success(const promql::Value& value) {
  std::string body = R"({"status":"success","data":)";
  AppendQueryResultJson(body, value);
  body += '}';
  return {200, "application/json", std::move(body), {}};
}

}  // namespace

void AppendQueryResultJson(std::string& out, const promql::Value& value) {
  switch (value.type) {
    case promql::ValueType::kScalar:
      out += R"({"resultType":"scalar","result":)";
      AppendScalarPoint(out, value.t, value.scalar);
      break;
    case promql::ValueType::kString:
      out += R"({"resultType":"string","result":[)";
      AppendJsonFloat(out, static_cast<double>(value.t) / 1000);
      out += ',';
      AppendJsonString(out, value.str);
      out += ']';
      break;
    case promql::ValueType::kVector: {
      out += R"({"resultType":"vector","result":[)";
      bool first = true;
      for (const auto& s : value.vector) {
        if (!first) out += ',';
        first = false;
        out += R"({"metric":)";
        AppendLabelsJson(out, s.labels);
        if (s.h != nullptr) {
          out += R"(,"histogram":[)";
          AppendTimestamp(out, value.t);
          out += ',';
          AppendHistogram(out, *s.h);
          out += "]}";
          continue;
        }
        out += R"(,"value":)";
        AppendPoint(out, value.t, s.v);
        out += '}';
      }
      out += ']';
      break;
    }
    case promql::ValueType::kMatrix: {
      out += R"({"resultType":"matrix","result":[)";
      bool first = true;
      for (const auto& series : value.matrix) {
        if (!first) out += ',';
        first = false;
        out += R"({"metric":)";
        AppendLabelsJson(out, series.labels);
        // Prometheus writes each key only when it has points.
        bool first_point = true;
        for (const Sample& p : series.points) {
          out += first_point ? R"(,"values":[)" : ",";
          first_point = false;
          AppendPoint(out, p.t, p.v);
        }
        if (!first_point) out += ']';
        first_point = true;
        for (const HistogramSample& p : series.histograms) {
          out += first_point ? R"(,"histograms":[)" : ",";
          first_point = false;
          out += '[';
          AppendTimestamp(out, p.t);
          out += ',';
          AppendHistogram(out, *p.h);
          out += ']';
        }
        if (!first_point) out += ']';
        out += '}';
      }
      out += ']';
      break;
    }
    case promql::ValueType::kNone:
      out += R"({"resultType":"vector","result":[)";
      out += ']';
      break;
  }
  out += '}';
}

std::string QueryResultJson(const promql::Value& value) {
  std::string out;
  AppendQueryResultJson(out, value);
  return out;
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
    return Gated(deps, req, [&](const promql::QueryLimits& limits) {
      return deps.engine->Instant(*expr, *deps.data, t, limits);
    });
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
    // end >= start: their difference fits in uint64 where it may not in int64.
    uint64_t span = static_cast<uint64_t>(*end) - static_cast<uint64_t>(*start);
    if (span / static_cast<uint64_t>(*step) > static_cast<uint64_t>(kMaxPointsPerSeries)) {
      return Error(400, "bad_data",
                   "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                   "the query resolution (?step=XX)");
    }
    auto expr = promql::Parse(query);
    if (!expr.ok())
      return Error(400, "bad_data", "invalid parameter \"query\": " + expr.status().message());
    return Gated(deps, req, [&](const promql::QueryLimits& limits) {
      return deps.engine->Range(*expr, *deps.data, *start, *end, std::chrono::milliseconds(*step),
                                limits);
    });
  });
}

}  // namespace tocsin
