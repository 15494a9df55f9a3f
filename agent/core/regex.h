// Regex: RE2 behind one adapter, with Go/Prometheus syntax and anchoring.
//
// Prometheus label matchers and label_replace anchor the pattern at both ends ("^(?:re)$") and
// in Prometheus 3 `.` also matches a newline. Template `match`/`reReplaceAll` are unanchored.
// A compiled Regex is immutable and safe to use from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace re2 {
class RE2;
}

namespace tocsin {

class Regex {
 public:
  enum class Anchoring { kFull, kNone };

  static Result<Regex> Compile(std::string_view pattern, Anchoring anchoring = Anchoring::kFull);

  bool Matches(std::string_view text) const;
  // Matches fully and fills `groups` (index 0 = whole match); false when it does not match.
  bool FullMatchGroups(std::string_view text, std::vector<std::string>& groups) const;
  // Expands `$1`, `${1}`, `$name`, `${name}` in `replacement` from the groups of a full match,
  // with Go's regexp.Expand rules. Returns false when `text` does not match.
  bool ExpandFullMatch(std::string_view text, std::string_view replacement, std::string& out) const;
  // Replaces every match in `text` (unanchored use, Go's ReplaceAllString semantics).
  std::string ReplaceAll(std::string_view text, std::string_view replacement) const;

  const std::string& pattern() const { return pattern_; }
  // True when the pattern is a plain literal (matchers can compare strings instead).
  bool IsLiteral() const { return is_literal_; }

 private:
  std::string pattern_;
  bool is_literal_ = false;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace tocsin
