#include "agent/promql/lookback.h"

#include <algorithm>

namespace tocsin::promql {
namespace {

// -1: the expression reads no series (literals, time(), selectors pinned to a timestamp).
int64_t Reach(const Expr& e, int64_t delta) {
  auto shifted = [](const TimeModifiers& m, int64_t inner) -> int64_t {
    if (inner < 0 || m.at == AtKind::kTimestamp) return -1;
    return std::max<int64_t>(0, m.offset_ms + inner);
  };
  switch (e.kind) {
    case ExprKind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      return shifted(vs.mods, delta);
    }
    case ExprKind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      return shifted(ms.vs->mods, ms.range_ms);
    }
    case ExprKind::kSubquery: {
      const auto& sq = static_cast<const SubqueryExpr&>(e);
      const int64_t inner = Reach(*sq.expr, delta);
      return shifted(sq.mods, inner < 0 ? -1 : sq.range_ms + inner);
    }
    case ExprKind::kParen:
      return Reach(*static_cast<const ParenExpr&>(e).expr, delta);
    case ExprKind::kUnary:
      return Reach(*static_cast<const UnaryExpr&>(e).expr, delta);
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      return std::max(Reach(*b.lhs, delta), Reach(*b.rhs, delta));
    }
    case ExprKind::kCall: {
      int64_t r = -1;
      for (const auto& a : static_cast<const Call&>(e).args) r = std::max(r, Reach(*a, delta));
      return r;
    }
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      int64_t r = Reach(*a.expr, delta);
      if (a.param) r = std::max(r, Reach(*a.param, delta));
      return r;
    }
    default:
      return -1;
  }
}

}  // namespace

int64_t LookbackMs(const Expr& expr, int64_t lookback_delta_ms) {
  return std::max<int64_t>(0, Reach(expr, lookback_delta_ms));
}

}  // namespace tocsin::promql
