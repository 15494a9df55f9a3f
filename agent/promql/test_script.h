// Runner for Prometheus's PromQL test-script language (promqltest, v3.0.0 syntax): `load`,
// `load_with_nhcb`, `clear`, `eval[_fail|_ordered|_warn|_info] instant at T EXPR`,
// `eval[_fail|_warn|_info] range from A to B step S EXPR`, expected series in the expanding
// notation, `expected_fail_message` / `expected_fail_regexp`.
//
// Float data is loaded into a SeriesStore (retention 0); native histograms (`{{...}}` literals,
// and the custom-bucket series a `load_with_nhcb` block derives from classic buckets) are served
// beside it (test_histograms.h). Queries run through Engine::Instant and Engine::Range; expected
// histograms are compared with the same 1e-6 relative tolerance as floats. eval_warn/eval_info
// are checked as plain evals (annotations are not modelled). The one notation not supported is
// histogram series arithmetic (`{{...}}+{{...}}xN`), which makes the script an error.
//
// Functions are reentrant; each run owns its store. Output goes to the caller's stream.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin::promql {

// `skipped` stays in the summary line's promqltest shape; no case is skipped any more since
// native histograms are evaluated.
struct PromqlTestCounts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// Runs one script. Prints one line per failed case ("name:line: FAILED ...") to `out`.
// `name` is used in messages only. A non-ok Status means the script itself is malformed.
Result<PromqlTestCounts> RunPromqlTestScript(std::string_view name, std::string_view content,
                                             std::ostream& out);

// Runs every file, printing per file "FILE: N passed, N failed, N skipped" and, last, the total
// "N passed, N failed, N skipped". Returns the process exit code: 0 when nothing failed, 1 when
// a case failed or a file could not be read or parsed.
int RunPromqlTestFiles(const std::vector<std::string>& files, std::ostream& out);

}  // namespace tocsin::promql
