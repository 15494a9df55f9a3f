#include "agent/http/api_metadata.h"

#include "agent/core/json.h"
#include "agent/http/api_params.h"
#include "agent/http/api_response.h"

namespace tocsin {
namespace {

// strconv.Atoi of an optional numeric parameter; `fallback` when absent.
Result<int64_t> NumberParam(const ServerRequest& req, const std::string& name, int64_t fallback) {
  std::string value = req.Param(name);
  if (value.empty()) return fallback;
  auto n = ParseGoAtoi(value);
  if (!n.ok()) return InvalidArgument(name + " must be a number");
  return *n;
}

ServerResponse MetadataAnswer(const Queryable& data, const ServerRequest& req) {
  auto limit = NumberParam(req, "limit", -1);
  if (!limit.ok()) return ApiBadData(limit.status().message());
  auto limit_per_metric = NumberParam(req, "limit_per_metric", -1);
  if (!limit_per_metric.ok()) return ApiBadData(limit_per_metric.status().message());
  std::string metric = req.Param("metric");
  // The whole retained history: metadata carries no timestamps.
  auto q = data.NewQuerier(kApiMinTimeMs, kApiMaxTimeMs);
  std::string out = "{";
  int64_t families = 0;
  for (const FamilyMetadata& f : q->ListMetadata()) {
    if (!metric.empty() && f.family != metric) continue;
    if (*limit >= 0 && families >= *limit) break;
    if (families++ > 0) out += ',';
    AppendJsonString(out, f.family);
    // One entry per family; limit_per_metric > 0 always admits the first.
    out += R"(:[{"type":)";
    AppendJsonString(out, ApiMetricTypeName(f.metadata.type));
    out += R"(,"help":)";
    AppendJsonString(out, f.metadata.help);
    out += R"(,"unit":)";
    AppendJsonString(out, f.metadata.unit);
    out += "}]";
  }
  out += '}';
  return ApiSuccess(out);
}

}  // namespace

std::string_view ApiMetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateSet:
      return "stateset";
    case MetricType::kUnknown:
      break;
  }
  return "unknown";
}

void RegisterMetadataApi(HttpServer& server, const Queryable* data) {
  server.Route("/api/v1/metadata", {"GET"},
               [data](const ServerRequest& req) { return MetadataAnswer(*data, req); });
}

}  // namespace tocsin
