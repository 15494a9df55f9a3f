// `tocsin test rules FILE...`: runs rule unit tests written for `promtool test rules`, with
// Prometheus 3's file format (rules/test_file.h) and output. Per file:
//   stdout "  SUCCESS", or stderr "  FAILED:" and each failure as promtool words it (stdout gets
//   one blank line per failure), then a blank line; exit 0 when every file passes, 1 otherwise,
//   2 for an invalid --run expression.
// Rule groups are evaluated with the same Group / AlertingRule code the daemon uses, over a fresh
// SeriesStore (plus an overlay for native histograms) per test group, at start_timestamp,
// start + evaluation_interval, ... up to the largest eval_time.
//
// Stateless; each call builds its own store and engine. Thread-safe apart from the streams.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace tocsin::rules {

struct TestRulesOptions {
  // promtool's --run: only test groups whose name matches one of these regular expressions.
  std::vector<std::string> run;
  // promtool's --ignore-unknown-fields: unknown keys in the rule files are skipped (the test
  // files themselves stay strict, as in promtool).
  bool ignore_unknown_fields = false;
};

int RunTestRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);
int RunTestRules(const std::vector<std::string>& files, const TestRulesOptions& options,
                 std::ostream& out, std::ostream& err);

}  // namespace tocsin::rules
