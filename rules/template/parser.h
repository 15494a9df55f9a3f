// Parser for Go text/template syntax into the AST of ast.h, following Go 1.19's
// text/template/parse so that Prometheus's alert-template syntax errors read the same:
//   "template: __alert_HighLatency:1: unexpected {{end}}"
//
// Parse() is a pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"
#include "rules/template/ast.h"
#include "rules/template/funcs.h"

namespace tocsin::rules::tmpl {

struct ParseOptions {
  // Variables already in scope (with '$'), e.g. Prometheus's "$labels", "$value".
  std::vector<std::string> predefined_vars;
  // Reject calls of functions that IsTemplateFunction (funcs.h) does not accept.
  bool check_functions = true;
  FuncDialect dialect = FuncDialect::kPrometheus;
};

Result<Tree> Parse(std::string_view text, std::string_view name, const ParseOptions& options);

// An alert label/annotation template as Prometheus parses it: name "__alert_<alertname>", with
// $labels, $externalLabels, $externalURL and $value defined.
Result<Tree> ParseAlertTemplate(std::string_view text, std::string_view alert_name);

}  // namespace tocsin::rules::tmpl
