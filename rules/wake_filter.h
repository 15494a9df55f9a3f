// WakeFilter: the metric names a rule group's selectors can read, so that event-driven
// evaluation wakes a group only for store commits that wrote one of them (issue: "page as fast
// as the data arrives" without every commit waking every group).
//
// A selector with a `__name__` equality matcher contributes that name; one with another
// `__name__` matcher (!=, =~, !~) contributes its matchers, tested against committed names; a
// selector without any `__name__` matcher (`{job="x"}`) can read every metric, and the filter
// then matches everything. Expressions without selectors (vector(1), time()) match nothing:
// such groups run on their interval only.
//
// Immutable after construction; safe to share across threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/matcher.h"
#include "agent/promql/ast.h"

namespace tocsin::rules {

class WakeFilter {
 public:
  WakeFilter() = default;
  // Adds the selectors of `expr`.
  void Add(const promql::Expr& expr);

  bool Matches(std::string_view metric_name) const;
  // True when any of `names` matches.
  bool MatchesAny(const std::vector<std::string>& names) const;
  bool matches_everything() const { return everything_; }
  bool matches_nothing() const { return !everything_ && names_.empty() && matchers_.empty(); }

 private:
  void AddSelector(const promql::VectorSelector& vs);

  bool everything_ = false;
  std::vector<std::string> names_;  // sorted, distinct
  // Per selector without a name equality: its other __name__ matchers, all of which must match.
  std::vector<std::vector<LabelMatcher>> matchers_;
};

}  // namespace tocsin::rules
