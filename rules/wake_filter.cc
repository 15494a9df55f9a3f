#include "rules/wake_filter.h"

#include <algorithm>

#include "agent/core/labels.h"

namespace tocsin::rules {

void WakeFilter::Add(const promql::Expr& e) {
  using promql::ExprKind;
  switch (e.kind) {
    case ExprKind::kVectorSelector:
      AddSelector(static_cast<const promql::VectorSelector&>(e));
      return;
    case ExprKind::kMatrixSelector:
      AddSelector(*static_cast<const promql::MatrixSelector&>(e).vs);
      return;
    case ExprKind::kSubquery:
      Add(*static_cast<const promql::SubqueryExpr&>(e).expr);
      return;
    case ExprKind::kParen:
      Add(*static_cast<const promql::ParenExpr&>(e).expr);
      return;
    case ExprKind::kUnary:
      Add(*static_cast<const promql::UnaryExpr&>(e).expr);
      return;
    case ExprKind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(e);
      Add(*b.lhs);
      Add(*b.rhs);
      return;
    }
    case ExprKind::kCall:
      for (const auto& a : static_cast<const promql::Call&>(e).args) Add(*a);
      return;
    case ExprKind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(e);
      Add(*a.expr);
      if (a.param) Add(*a.param);
      return;
    }
    case ExprKind::kNumber:
    case ExprKind::kString:
      return;
  }
}

void WakeFilter::AddSelector(const promql::VectorSelector& vs) {
  std::vector<LabelMatcher> on_name;
  for (const LabelMatcher& m : vs.matchers) {
    if (m.name() != kMetricNameLabel) continue;
    if (m.op() == MatchOp::kEqual) {
      // The selector reads this name or nothing: the other name matchers cannot widen it.
      auto it = std::lower_bound(names_.begin(), names_.end(), m.value());
      if (it == names_.end() || *it != m.value()) names_.insert(it, m.value());
      return;
    }
    on_name.push_back(m);
  }
  if (on_name.empty()) {
    everything_ = true;
    return;
  }
  matchers_.push_back(std::move(on_name));
}

bool WakeFilter::Matches(std::string_view name) const {
  if (everything_) return true;
  if (std::binary_search(names_.begin(), names_.end(), name, std::less<>())) return true;
  return std::any_of(matchers_.begin(), matchers_.end(), [name](const auto& all) {
    return std::all_of(all.begin(), all.end(),
                       [name](const LabelMatcher& m) { return m.Matches(name); });
  });
}

bool WakeFilter::MatchesAny(const std::vector<std::string>& names) const {
  if (everything_) return true;
  return std::any_of(names.begin(), names.end(),
                     [this](const std::string& n) { return Matches(n); });
}

}  // namespace tocsin::rules
