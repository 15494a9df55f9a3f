#include "agent/http/api_exemplars.h"

#include "agent/http/api_params.h"
#include "agent/http/api_response.h"
#include "agent/promql/engine.h"

namespace tocsin {

bool HasSeriesSelector(const promql::Expr& e) {
  using promql::ExprKind;
  switch (e.kind) {
    case ExprKind::kVectorSelector:
    case ExprKind::kMatrixSelector:
      return true;
    case ExprKind::kNumber:
    case ExprKind::kString:
      return false;
    case ExprKind::kSubquery:
      return HasSeriesSelector(*static_cast<const promql::SubqueryExpr&>(e).expr);
    case ExprKind::kParen:
      return HasSeriesSelector(*static_cast<const promql::ParenExpr&>(e).expr);
    case ExprKind::kUnary:
      return HasSeriesSelector(*static_cast<const promql::UnaryExpr&>(e).expr);
    case ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      return HasSeriesSelector(*b.lhs) || HasSeriesSelector(*b.rhs);
    }
    case ExprKind::kCall:
      for (const auto& a : static_cast<const promql::Call&>(e).args) {
        if (HasSeriesSelector(*a)) return true;
      }
      return false;
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      return HasSeriesSelector(*a.expr) || (a.param && HasSeriesSelector(*a.param));
    }
  }
  return false;
}

void RegisterExemplarsApi(HttpServer& server) {
  server.Route("/api/v1/query_exemplars", {"GET", "POST"}, [](const ServerRequest& req) {
    auto start = TimeParam(req, "start", kApiMinTimeMs);
    if (!start.ok()) return ApiBadData(start.status().message());
    auto end = TimeParam(req, "end", kApiMaxTimeMs);
    if (!end.ok()) return ApiBadData(end.status().message());
    if (*end < *start) return ApiBadData("end timestamp must not be before start timestamp");
    auto expr = promql::Parse(req.Param("query"));
    if (!expr.ok()) return ApiBadData(expr.status().message());
    if (!HasSeriesSelector(**expr)) return ApiNoContent();
    return ApiSuccess("[]");
  });
}

}  // namespace tocsin
