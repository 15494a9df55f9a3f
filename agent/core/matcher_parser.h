// Parses Alertmanager matcher strings (`severity="critical"`, `severity=~"crit.*"`, `a!=b`,
// `{a="b", c=~"d|e"}`) into tocsin::LabelMatcher values.
//
// Values are unquoted literals or double-quoted strings with Go escapes (\" \\ \n \t); regexes
// are fully anchored (LabelMatcher does that). Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "agent/core/matcher.h"
#include "agent/core/status.h"

namespace tocsin {

// Exactly one matcher (`name op value`, braces not allowed).
Result<LabelMatcher> ParseMatcher(std::string_view text);

// One or more matchers, comma separated, optionally enclosed in braces (trailing comma allowed).
Result<std::vector<LabelMatcher>> ParseMatchers(std::string_view text);

// True when every matcher matches `labels` (a missing label reads as "").
template <typename LabelsT>
bool MatchesAll(const std::vector<LabelMatcher>& matchers, const LabelsT& labels) {
  for (const LabelMatcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

// Alertmanager's printed form of a matcher set: sorted by name, value, op; `{a="b",c=~"d"}`.
std::string MatchersKeyString(std::vector<LabelMatcher> matchers);

}  // namespace tocsin
