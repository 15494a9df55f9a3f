// `tocsin check rules FILE...`: validates Prometheus rule files with promtool's output shape and
// exit codes:
//   stdout  "Checking <file>" / "  SUCCESS: <n> rules found" / blank line
//   stderr  "  FAILED:" followed by one error per line
// Exit 0 when every file is valid (duplicate-rule lint findings are reported but do not fail
// unless --lint-fatal, which exits 3 as promtool does), 1 on any real error. With no files,
// reads standard input.
//
// Stateless; thread-safe apart from the streams it writes.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tocsin::rules {

// promtool check rules' flags.
struct CheckRulesOptions {
  bool lint_duplicates = true;  // --lint=all|duplicate-rules (false: --lint=none)
  bool lint_fatal = false;      // --lint-fatal: a lint finding exits 3
  bool ignore_unknown_fields = false;
};

inline constexpr int kLintFailureExitCode = 3;

int RunCheckRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);
int RunCheckRules(const std::vector<std::string>& files, const CheckRulesOptions& options,
                  std::ostream& out, std::ostream& err);

}  // namespace tocsin::rules
