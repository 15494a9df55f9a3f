// LabelMatcher: one `name op "value"` term of a PromQL selector (=, !=, =~, !~).
//
// Regexes are anchored at both ends as in Prometheus; a missing label matches as "".
// Immutable after construction; safe to share across threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"

namespace tocsin {

enum class MatchOp { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

std::string_view MatchOpString(MatchOp op);  // "=", "!=", "=~", "!~"

class LabelMatcher {
 public:
  static Result<LabelMatcher> Make(MatchOp op, std::string name, std::string value);
  // For = and != only; never fails.
  static LabelMatcher Equal(std::string name, std::string value);

  bool Matches(std::string_view value) const;

  MatchOp op() const { return op_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  // True when this matcher matches the empty string (so it also selects series without the label).
  bool MatchesEmpty() const { return Matches(""); }

  // `name="value"` with escaping, as Prometheus prints it.
  std::string ToString() const;

 private:
  MatchOp op_ = MatchOp::kEqual;
  std::string name_;
  std::string value_;
  std::optional<Regex> regex_;
};

}  // namespace tocsin
