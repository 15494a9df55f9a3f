// Runner for Prometheus's PromQL test-script language (promqltest, v3.0.0 syntax): `load`,
// `load_with_nhcb`, `clear`, `eval[_fail|_ordered|_warn|_info] instant at T EXPR`,
// `eval[_fail|_warn|_info] range from A to B step S EXPR`, expected series in the expanding
// notation, `expected_fail_message` / `expected_fail_regexp`.
//
// Data is loaded into a SeriesStore (retention 0) and queried through Engine::Instant and
// Engine::Range. Cases that touch native histograms (`{{...}}` literals, or the native series a
// `load_with_nhcb` block creates) are skipped with the reason. eval_warn/eval_info are checked as
// plain evals (annotations are not modelled).
//
// Functions are reentrant; each run owns its store. Output goes to the caller's stream.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::promql {

struct PromqlTestCounts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// Runs one script. Prints one line per failed or skipped case ("name:line: ...") to `out`.
// `name` is used in messages only. A non-ok Status means the script itself is malformed.
Result<PromqlTestCounts> RunPromqlTestScript(std::string_view name, std::string_view content,
                                             std::ostream& out);

// Runs every file, printing per file "FILE: N passed, N failed, N skipped" and, last, the total
// "N passed, N failed, N skipped". Returns the process exit code: 0 when nothing failed, 1 when
// a case failed or a file could not be read or parsed.
int RunPromqlTestFiles(const std::vector<std::string>& files, std::ostream& out);

}  // namespace tocsin::promql
