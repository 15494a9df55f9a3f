// `tocsin check rules FILE...`: validates Prometheus rule files with promtool's output shape and
// exit codes:
//   stdout  "Checking <file>" / "  SUCCESS: <n> rules found" / blank line
//   stderr  "  FAILED:" followed by one error per line
// Exit 0 when every file is valid (duplicate-rule lint findings are reported but do not fail, as
// promtool without --lint-fatal), 1 otherwise. With no files, reads standard input.
//
// Stateless; thread-safe apart from the streams it writes.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tocsin::rules {

int RunCheckRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

}  // namespace tocsin::rules
